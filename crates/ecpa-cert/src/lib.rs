//! Reads the Taiwan GPKI certificate profiles that ECPA accepts (SPEC §5):
//! MOICA citizen cards (自然人憑證) and GCA organization cards (機關憑證).
//!
//! Pure parsing on x509-cert, no I/O and no clock: compiles to wasm32 so the SPA
//! shows exactly what the portal checks. Chain and signature checks are the
//! portal's; this crate only says what a certificate *is*.

mod error;
mod extensions;
mod name;
mod profile;
pub mod reader;
mod time_fmt;

pub use error::CertError;
pub use name::{DistinguishedName, NameAttribute};
pub use profile::{CertProfile, KeyUsage, SubjectCategory, parse_der, parse_pem_chain, profile_of};
pub use time_fmt::{
    TAIPEI_OFFSET_SECONDS, format_taipei, format_taipei_date, rfc3339_to_unix, unix_to_rfc3339,
};

/// GPKI object identifiers this crate reads.
pub mod oids {
    /// subjectDirectoryAttributes extension.
    pub const SUBJECT_DIRECTORY_ATTRIBUTES: &str = "2.5.29.9";
    /// Subject category (the kind of subscriber), an OBJECT IDENTIFIER.
    pub const SUBJECT_CATEGORY: &str = "2.16.886.1.100.2.1";
    /// Card role: `primary` / `secondary` / `mobile`.
    pub const CARD_ROLE: &str = "2.16.886.1.100.2.2";
    /// Last four digits of the holder's national ID (citizen cards).
    pub const ID_LAST4: &str = "2.16.886.1.100.2.51";
    /// Unified business number (company cards).
    pub const BUSINESS_NUMBER: &str = "2.16.886.1.100.2.101";
    /// Agency OID (organization cards), an OBJECT IDENTIFIER.
    pub const AGENCY_OID: &str = "2.16.886.1.100.2.102";
    /// Subject categories: natural person.
    pub const CATEGORY_CITIZEN_PREFIX: &str = "2.16.886.1.100.3.1";
    /// Subject categories: government agency / unit.
    pub const CATEGORY_AGENCY_PREFIX: &str = "2.16.886.1.100.3.2.1";
    /// Subject categories: company.
    pub const CATEGORY_COMPANY_PREFIX: &str = "2.16.886.1.100.3.2.2";
    /// GPKI certificate policies `2.16.886.101.0.3.0`–`.4` (`.0` = test).
    pub const GPKI_POLICY_PREFIX: &str = "2.16.886.101.0.3";
}
