//! A software demo PKI in the shapes of Taiwan's GPKI: a root (RSA or P-384), a
//! MOICA-profile CA for citizen cards and a GCA-profile CA for organization cards;
//! card certificates for keys made anywhere (a SoftHSM2 token or software), and CRLs.

mod ca;
mod demo;
mod encoding;
mod error;
mod key;
mod leaf;
mod software_card;

pub use ca::{Ca, DEMO_POLICY};
pub use demo::{DemoPki, GCA_UNIT, MOICA_UNIT, RootAlgorithm};
pub use encoding::random_serial;
pub use error::PkiError;
pub use key::CaKey;
pub use leaf::{CATEGORY_AGENCY, CATEGORY_CITIZEN, LeafSpec, LeafSubject, LeafUsage};
pub use software_card::SoftwareCard;
