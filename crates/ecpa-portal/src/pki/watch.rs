//! The trust anchor and CRL files, read again when they change: a CA publishes a new
//! CRL every day or so, and the portal picks it up without a restart.

use std::path::PathBuf;
use std::time::SystemTime;

use super::TrustStore;
use super::store::DEFAULT_CRL_GRACE_SECONDS;
use crate::PortalError;

/// What tells a file changed: its modification time and length (None: unreadable).
type Stamp = Option<(SystemTime, u64)>;

/// The files a [`TrustStore`] is loaded from, and how they looked at the last load.
#[derive(Debug, Clone)]
pub struct TrustFiles {
    anchors: Vec<PathBuf>,
    crls: Vec<PathBuf>,
    crl_grace: i64,
    allow_test_certificates: bool,
    loaded: Vec<Stamp>,
}

impl TrustFiles {
    pub fn new(anchors: Vec<PathBuf>, crls: Vec<PathBuf>) -> Self {
        Self {
            anchors,
            crls,
            crl_grace: DEFAULT_CRL_GRACE_SECONDS,
            allow_test_certificates: false,
            loaded: Vec::new(),
        }
    }

    /// See [`TrustStore::with_crl_grace`].
    #[must_use]
    pub fn with_crl_grace(mut self, seconds: i64) -> Self {
        self.crl_grace = seconds;
        self
    }

    /// See [`TrustStore::with_test_certificates`].
    #[must_use]
    pub fn with_test_certificates(mut self, allowed: bool) -> Self {
        self.allow_test_certificates = allowed;
        self
    }

    fn stamps(&self) -> Vec<Stamp> {
        self.anchors
            .iter()
            .chain(&self.crls)
            .map(|path| {
                let meta = std::fs::metadata(path).ok()?;
                Some((meta.modified().ok()?, meta.len()))
            })
            .collect()
    }

    /// Reads every file.
    pub fn load(&mut self) -> Result<TrustStore, PortalError> {
        let stamps = self.stamps();
        let store = TrustStore::load(&self.anchors, &self.crls)?
            .with_crl_grace(self.crl_grace)
            .with_test_certificates(self.allow_test_certificates);
        self.loaded = stamps;
        Ok(store)
    }

    /// A new store when a file changed since the last successful load. A file that
    /// fails to load (say, half written) is tried again on the next call.
    pub fn reload_if_changed(&mut self) -> Option<Result<TrustStore, PortalError>> {
        (self.stamps() != self.loaded).then(|| self.load())
    }
}
