//! Demo PKI and SoftHSM2 card provisioning.

pub mod card;
pub mod demo_set;
mod error;
pub mod pki;
pub mod pki_dir;
pub mod softhsm;
pub mod token;

pub use error::DevcardError;
pub use pki::{
    Ca, CaKey, DemoPki, LeafSpec, LeafSubject, LeafUsage, PkiError, RootAlgorithm, SoftwareCard,
};
