//! Pure rules over plain data; the current day is always a parameter.

pub mod agency;
pub mod names;
pub mod passkey_names;
pub mod personnel;
pub mod registration;
pub mod throttle;

pub use agency::KnownAgency;
pub use personnel::{EmploymentStatus, Ineligible, PersonnelCategory, PersonnelRecord, Standing};
pub use registration::{OrganizationClaim, Refusal};
