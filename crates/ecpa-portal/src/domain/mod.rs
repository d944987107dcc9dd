//! Pure rules over plain data; the current day is always a parameter.

pub mod personnel;
pub mod registration;

pub use personnel::{EmploymentStatus, Ineligible, PersonnelCategory, PersonnelRecord, Standing};
pub use registration::{OrganizationClaim, Refusal};
