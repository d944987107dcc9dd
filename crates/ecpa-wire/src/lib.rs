//! What the SPA, the portal and the card agent must agree on.
//!
//! * [`ids`]: parsed newtypes (national ID, agency code, PIN, nonce) that reject bad
//!   input the same way in the browser and on the server;
//! * [`api`]: the portal's REST bodies and its stable error codes;
//! * [`agent`]: the HiPKI Local Server protocol messages and `ret_code` values;
//! * [`challenge`]: the exact text (tbs) a card signs;
//! * [`hex`]: bytes as lower-case hex.
//!
//! No server dependencies: this crate compiles to wasm32.

pub mod agent;
pub mod api;
pub mod challenge;
pub mod hex;
pub mod ids;

pub use api::{ApiError, CardKind, ErrorCode};
pub use ids::{AgencyCode, IdError, NationalId, Nonce, Pin};
