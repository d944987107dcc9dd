//! Shared state: settings, database, trust store, clock and randomness.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use time::OffsetDateTime;
use webauthn_rs::Webauthn;

use super::forwarded::TrustedProxies;
use super::rate_limit::RateLimiter;
use super::relying_party;
use crate::db::Db;
use crate::passwords::PasswordChecks;
use crate::pki::{IssuerKinds, OcspClient, TrustStore};
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
    /// Challenges one client address may ask for per minute.
    pub challenges_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Audit log rows older than this many days are deleted.
    pub audit_retention_days: u32,
    /// Ask the OCSP responder a card's authorityInfoAccess names (CRL as fallback).
    pub ocsp: bool,
    /// Which CAs may issue citizen and organization cards.
    pub issuer_kinds: IssuerKinds,
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
    /// Replaced as a whole when the trust files change.
    trust: RwLock<Arc<TrustStore>>,
    clock: Arc<dyn Clock>,
    entropy: Arc<Entropy>,
    /// Verified against when an account does not exist, so timing does not tell.
    dummy_password_hash: String,
    /// The password login's Argon2 checks.
    password_checks: PasswordChecks,
    /// When expired challenges and sessions were last purged (Unix seconds).
    last_purge: AtomicI64,
    /// Challenges asked for per client address.
    challenge_limiter: RateLimiter,
    /// Passkey ceremonies; `None` when the public origin's host is not a domain name.
    passkeys: Option<Webauthn>,
    /// Present when `settings.ocsp` is on.
    ocsp: Option<OcspClient>,
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
        let dummy_password_hash = crate::passwords::hash_password(&hex::encode(salt), salt)?;
        let challenge_limiter = RateLimiter::new(settings.challenges_per_minute);
        let passkeys = relying_party::for_origin(&settings.public_origin)
            .inspect_err(|reason| tracing::warn!(%reason, "passkeys unavailable"))
            .ok();
        let ocsp = settings.ocsp.then(OcspClient::new).transpose()?;
        Ok(Self(Arc::new(Inner {
            challenge_limiter,
            passkeys,
            ocsp,
            settings,
            db,
            trust: RwLock::new(Arc::new(trust)),
            clock,
            entropy,
            dummy_password_hash,
            password_checks: PasswordChecks::per_core(),
            last_purge: AtomicI64::new(i64::MIN),
        })))
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// The trust anchors and CRLs as they are now.
    pub fn trust(&self) -> Arc<TrustStore> {
        Arc::clone(&self.0.trust.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Installs a newly loaded trust store; checks already under way finish on the old.
    /// Installs `store`; a CA's CRL whose number is lower than the one in force is not
    /// taken (CRL numbers never go backwards), and the one in force stays.
    pub fn replace_trust(&self, mut store: TrustStore) {
        let mut trust = self.0.trust.write().unwrap_or_else(PoisonError::into_inner);
        let kept = store.keep_newer_crls(&trust);
        if !kept.is_empty() {
            tracing::warn!(
                issuers = ?kept,
                "CRL older (lower CRL number) than the one in force: keeping the one in force"
            );
        }
        *trust = Arc::new(store);
    }

    /// The OCSP client, when OCSP is on.
    pub fn ocsp(&self) -> Option<&OcspClient> {
        self.0.ocsp.as_ref()
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

    /// Counts a challenge asked for from `addr`; false when over its budget.
    pub fn allow_challenge(&self, addr: &str) -> bool {
        self.0
            .challenge_limiter
            .allow(addr, self.now().unix_timestamp())
    }

    /// The WebAuthn relying party, or a configuration error when there is none.
    pub fn passkeys(&self) -> Result<&Webauthn, PortalError> {
        self.0.passkeys.as_ref().ok_or_else(|| {
            PortalError::Config("passkeys need ECPA_PUBLIC_ORIGIN with a domain name".into())
        })
    }

    pub fn password_checks(&self) -> &PasswordChecks {
        &self.0.password_checks
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
