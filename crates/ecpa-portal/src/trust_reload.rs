//! Keeps the running portal's trust store in step with its files.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::AppState;
use crate::pki::{TrustFiles, TrustStore};

/// Logs the CRLs that are past their nextUpdate, once per change of that list.
#[derive(Debug, Default)]
pub struct StaleCrlLog {
    reported: Vec<String>,
}

impl StaleCrlLog {
    /// Warns about CRLs that went stale since the last call; true when it warned.
    pub fn check(&mut self, store: &TrustStore, now: i64) -> bool {
        let stale = store.stale_crls(now);
        let warn = stale != self.reported && !stale.is_empty();
        if warn {
            tracing::warn!(
                issuers = ?stale,
                "CRL past its nextUpdate: install the CA's newer CRL (after the grace period, its issuer's cards are refused)"
            );
        }
        self.reported = stale;
        warn
    }
}

/// Looks at the trust files every `every` and installs a new store when they changed;
/// a file that does not load leaves the current store in place. Runs until dropped.
/// The files are read and checked on a blocking thread (a national CRL takes most of a
/// second), so the runtime's workers keep serving requests meanwhile.
pub async fn keep_trust_current(state: AppState, files: TrustFiles, every: Duration) {
    let files = Arc::new(Mutex::new(files));
    let mut stale = StaleCrlLog::default();
    let mut ticks = tokio::time::interval(every);
    // A load slower than the interval (a national CRL) must not be followed by a burst of
    // missed ticks: the next look waits a whole interval.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let files = Arc::clone(&files);
        let reloaded = tokio::task::spawn_blocking(move || {
            files
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .reload_if_changed()
        })
        .await;
        match reloaded {
            Ok(Some(Ok(store))) => {
                tracing::info!("trust anchors and CRLs reloaded");
                state.replace_trust(store);
            }
            Ok(Some(Err(error))) => {
                tracing::error!(%error, "trust files changed but do not load; keeping the previous ones");
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "loading the trust files failed; keeping the previous ones");
            }
        }
        stale.check(&state.trust(), state.now().unix_timestamp());
    }
}
