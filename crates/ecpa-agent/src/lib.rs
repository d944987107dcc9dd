//! An open implementation of the HiPKI Local Server protocol (SPEC §6): the card
//! agent the SPA talks to through a popup, signing with a smart card over any
//! PKCS#11 module.
//!
//! * [`card`]: the card behind a trait; [`pkcs11_card`] is the real one, over a
//!   PKCS#11 module's calls ([`module`]);
//! * [`http`]: the protocol's routes and its Host/Origin guards;
//! * [`trusted_sites`]: the sites the user has trusted (`/addDomain`);
//! * [`login`]: C_Login that never lets an earlier login stand in for the PIN;
//! * [`cert_info`]: token certificates as `pkcs11info` describes them;
//! * [`cms`]: PKCS#7 SignedData around a signature the card makes.

pub mod card;
pub mod cert_info;
pub mod cms;
mod error;
pub mod http;
pub mod login;
pub mod module;
pub mod pkcs11_card;
pub mod trusted_sites;

use std::sync::Arc;

use time::OffsetDateTime;

pub use card::{CardPin, CardReader, PinFlags, SlotView, TokenCertificate, TokenView};
pub use error::{AgentError, CARD_ERROR};
pub use http::router;
pub use login::{LoginAnswer, TokenLogin, log_in};
pub use module::{CryptokiModule, ModuleSession, Pkcs11Module};
pub use pkcs11_card::{ModuleCard, Pkcs11Card};
pub use trusted_sites::{Origin, TrustedSites, default_trusted_sites_file};

/// `serverVersion` and the version page's `version:x.y.z.w`: the HiPKI protocol
/// level this agent implements, which deployed clients check.
pub const SERVER_VERSION: &str = ecpa_wire::agent::PROTOCOL_VERSION;

/// This program's own version, shown on the version page.
pub const AGENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the agent reads the time (certificate validity).
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Everything the routes share.
#[derive(Clone)]
pub struct AgentState {
    pub card: Arc<dyn CardReader>,
    pub trusted: Arc<TrustedSites>,
    pub clock: Arc<dyn Clock>,
    /// The port the agent listens on: its own origins are `http://127.0.0.1:PORT`
    /// and `http://localhost:PORT`.
    pub port: u16,
}

impl AgentState {
    /// The agent's own origins, as browsers write them in `Origin`.
    pub fn own_origins(&self) -> [String; 2] {
        [
            format!("http://127.0.0.1:{}", self.port),
            format!("http://localhost:{}", self.port),
        ]
    }

    /// Host header values that name this agent.
    pub fn own_hosts(&self) -> [String; 2] {
        [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ]
    }
}
