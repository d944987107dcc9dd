//! Demo PKI and SoftHSM2 card provisioning.

pub mod pki;
pub use pki::{
    Ca, CaKey, DemoPki, LeafSpec, LeafSubject, LeafUsage, PkiError, RootAlgorithm, SoftwareCard,
};
