//! Who may register which card, and whom a card login lets in (SPEC §1, §5, §7):
//! plain functions over the person's standing (read on a given day), what the card's
//! certificate says, and the agency as the portal knows it.

use ecpa_cert::CertProfile;
use ecpa_wire::{AgencyCode, CardKind, ErrorCode, NationalId};

use super::agency::KnownAgency;
use super::names::same_name;
use super::personnel::{Ineligible, PersonnelRecord, Standing};

/// Why a card may not be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The registrant's standing does not allow it.
    Ineligible(Ineligible),
    /// Not the card type the page asked for.
    WrongCardType,
    /// The certificate is registered to someone else.
    AlreadyRegistered,
    /// A citizen card that names someone else (ID last four digits or name).
    IdMismatch,
    /// No agency has the code asked for.
    AgencyUnknown,
    /// Not an agency the officer's personnel office serves, or the card carries another
    /// agency's OID.
    AgencyNotYours,
    /// The agency has no OID on file, so no organization card can be matched to it.
    AgencyOidUnknown,
}

impl From<Ineligible> for Refusal {
    fn from(value: Ineligible) -> Self {
        Refusal::Ineligible(value)
    }
}

impl From<Refusal> for ErrorCode {
    fn from(value: Refusal) -> Self {
        match value {
            Refusal::Ineligible(why) => why.into(),
            Refusal::WrongCardType => ErrorCode::WRONG_CERT_TYPE,
            Refusal::AlreadyRegistered => ErrorCode::CERT_ALREADY_REGISTERED,
            Refusal::IdMismatch => ErrorCode::ID_MISMATCH,
            Refusal::AgencyUnknown => ErrorCode::AGENCY_UNKNOWN,
            Refusal::AgencyNotYours => ErrorCode::AGENCY_NOT_YOURS,
            Refusal::AgencyOidUnknown => ErrorCode::AGENCY_OID_UNKNOWN,
        }
    }
}

/// The card is of the type the page asked for (Method 2's page asks for a citizen card).
pub fn card_type_asked(card: CardKind, asked: CardKind) -> Result<(), Refusal> {
    if card == asked {
        Ok(())
    } else {
        Err(Refusal::WrongCardType)
    }
}

/// A certificate has one owner: registering it again is no change for its owner and
/// refused to anyone else.
pub fn registered_again(owner: &str, registrant: &NationalId) -> Result<(), Refusal> {
    if owner == registrant.as_str() {
        Ok(())
    } else {
        Err(Refusal::AlreadyRegistered)
    }
}

/// A citizen card's registrant, before any card is read: a current employee.
pub fn citizen_registrant(standing: &Standing) -> Result<&PersonnelRecord, Refusal> {
    Ok(standing.require_current()?)
}

/// A citizen card: the registrant is a current employee, and the card, where it says,
/// names them: the last four digits of the national ID, and the name (CN) as recorded,
/// however written (see [`same_name`]).
pub fn citizen_card(
    standing: &Standing,
    registrant: &NationalId,
    card: &CertProfile,
) -> Result<(), Refusal> {
    let record = citizen_registrant(standing)?;
    let last4_differs = card
        .id_last4
        .as_deref()
        .is_some_and(|l4| l4 != registrant.last4());
    let name_differs = card
        .common_name()
        .is_some_and(|cn| !same_name(cn, &record.name));
    if last4_differs || name_differs {
        return Err(Refusal::IdMismatch);
    }
    Ok(())
}

/// An organization card's registration once the registrant is known to be a current
/// personnel officer: the agency code to look up is the one asked for, else their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrganizationClaim<'a> {
    pub officer: &'a PersonnelRecord,
    pub agency_code: &'a AgencyCode,
}

/// An organization card: first, the registrant must be a current personnel officer.
pub fn organization_claim<'a>(
    standing: &'a Standing,
    asked: Option<&'a AgencyCode>,
) -> Result<OrganizationClaim<'a>, Refusal> {
    let officer = standing.require_personnel_officer()?;
    Ok(OrganizationClaim {
        officer,
        agency_code: asked.unwrap_or(&officer.agency_code),
    })
}

impl OrganizationClaim<'_> {
    /// The agency (as the portal knows the code, `None` when it does not) must exist
    /// and be served by the officer's personnel office: their own agency, or one whose
    /// `personnel_authority` is their agency; and its OID must be on file, since the card
    /// is matched to the agency by it.
    pub fn agency_allowed<'k>(
        &self,
        agency: Option<&'k KnownAgency>,
    ) -> Result<&'k KnownAgency, Refusal> {
        let agency = agency.ok_or(Refusal::AgencyUnknown)?;
        if agency.agency.code != self.agency_code.as_str()
            || !agency.is_served_by(&self.officer.agency_code)
        {
            return Err(Refusal::AgencyNotYours);
        }
        if agency.agency.oid.is_none() {
            return Err(Refusal::AgencyOidUnknown);
        }
        Ok(agency)
    }

    /// Then, with the card read, the card must carry an agency OID and it must be the
    /// agency's. Gives the agency code to store with the registration.
    pub fn check(
        &self,
        agency: Option<&KnownAgency>,
        card: &CertProfile,
    ) -> Result<AgencyCode, Refusal> {
        let agency = self.agency_allowed(agency)?;
        let ours = agency
            .agency
            .oid
            .as_ref()
            .ok_or(Refusal::AgencyOidUnknown)?;
        if card.agency_oid.as_ref() != Some(ours) {
            return Err(Refusal::AgencyNotYours);
        }
        Ok(self.agency_code.clone())
    }
}

/// A citizen card login: its owner is a current employee.
pub fn citizen_login(standing: &Standing) -> Result<&PersonnelRecord, Ineligible> {
    standing.require_current()
}

/// An organization card login, and every later use of its session: the officer who
/// registered the card is still a current personnel officer, of the card's agency or of
/// the agency named as its `personnel_authority`.
pub fn organization_login<'a>(
    standing: &'a Standing,
    agency_code: &AgencyCode,
    personnel_authority: Option<&AgencyCode>,
) -> Result<&'a PersonnelRecord, Ineligible> {
    let officer = standing.require_personnel_officer()?;
    let serves =
        officer.agency_code == *agency_code || personnel_authority == Some(&officer.agency_code);
    if !serves {
        return Err(Ineligible::NotPersonnelOfficer);
    }
    Ok(officer)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
