//! Shared state: settings, database, trust store, clock and randomness.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

use crate::db::Db;
use crate::pki::TrustStore;
use crate::{Clock, Entropy, PortalError};

/// What the API needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Written into every challenge and required as `Origin` on state-changing calls.
    pub public_origin: String,
    /// The card agent's origin, handed to the SPA by `GET /api/config`.
    pub agent_origin: String,
    /// The built SPA.
    pub dist_dir: PathBuf,
}

impl Settings {
    /// Cookies get `Secure` when the portal is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
}

struct Inner {
    settings: Settings,
    db: Db,
    trust: TrustStore,
    clock: Arc<dyn Clock>,
    entropy: Arc<Entropy>,
    /// Verified against when an account does not exist, so timing does not tell.
    dummy_password_hash: String,
    /// When expired challenges and sessions were last purged (Unix seconds).
    last_purge: AtomicI64,
}

/// Cheap to clone; one per portal.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(
        settings: Settings,
        db: Db,
        trust: TrustStore,
        clock: Arc<dyn Clock>,
        entropy: Arc<Entropy>,
    ) -> Result<Self, PortalError> {
        let salt: [u8; 16] = entropy.bytes();
        let dummy_password_hash = crate::import::hash_password(&hex::encode(salt), salt)?;
        Ok(Self(Arc::new(Inner {
            settings,
            db,
            trust,
            clock,
            entropy,
            dummy_password_hash,
            last_purge: AtomicI64::new(i64::MIN),
        })))
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn trust(&self) -> &TrustStore {
        &self.0.trust
    }

    pub fn now(&self) -> OffsetDateTime {
        self.0.clock.now()
    }

    pub fn entropy(&self) -> &Entropy {
        &self.0.entropy
    }

    /// True at most once a minute: time to purge expired rows.
    pub fn purge_due(&self, now: i64) -> bool {
        let last = self.0.last_purge.load(Ordering::Relaxed);
        now.saturating_sub(last) >= 60
            && self
                .0
                .last_purge
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    pub fn dummy_password_hash(&self) -> &str {
        &self.0.dummy_password_hash
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.0.settings)
            .finish_non_exhaustive()
    }
}
