//! The ECPA portal: personnel data, certificate verification, registration and
//! certificate login behind a JSON REST API, and the built SPA.
//!
//! * [`domain`]: pure rules (who is a current employee or a personnel officer, when a
//!   record takes effect, who may register which card and log in with it), time
//!   passed in;
//! * [`pki`]: certificate chains to configured trust anchors, CRLs, signatures;
//! * [`db`]: storage on SQLite or PostgreSQL with the same SQL;
//! * [`import`]: the CSV import commands;
//! * [`passwords`]: account password hashes;
//! * [`http`]: the REST API and `router(state)`;
//! * [`trust_reload`]: picks up new CRLs and anchors while the portal runs.

pub mod clock;
pub mod csv;
pub mod db;
pub mod domain;
pub mod entropy;
pub mod error;
pub mod http;
pub mod import;
pub mod passwords;
pub mod pki;
pub mod precompress;
pub mod trust_reload;

pub use clock::{Clock, FixedClock, StartedClock, SystemClock};
pub use entropy::Entropy;
pub use error::PortalError;
pub use http::{AppState, Settings, TrustedProxies, router};
