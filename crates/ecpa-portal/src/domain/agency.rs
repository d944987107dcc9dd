//! An agency as the portal knows it (SPEC §8, the agencies CSV).

use ecpa_wire::AgencyCode;
use ecpa_wire::api::Agency;

/// An agency, and the agency whose personnel office serves it (`personnel_authority`:
/// a county 人事處 for its schools, 兼辦人事 for another agency), if one is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAgency {
    pub agency: Agency,
    pub personnel_authority: Option<AgencyCode>,
}

impl KnownAgency {
    /// The personnel office of `officer_agency` serves this agency: it is that agency,
    /// or named as its `personnel_authority`.
    pub fn is_served_by(&self, officer_agency: &AgencyCode) -> bool {
        self.agency.code == officer_agency.as_str()
            || self.personnel_authority.as_ref() == Some(officer_agency)
    }
}
