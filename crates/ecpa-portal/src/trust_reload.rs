//! Keeps the running portal's trust store in step with its files.

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
pub async fn keep_trust_current(state: AppState, mut files: TrustFiles, every: Duration) {
    let mut stale = StaleCrlLog::default();
    let mut ticks = tokio::time::interval(every);
    // A load slower than the interval (a national CRL) must not be followed by a burst of
    // missed ticks: the next look waits a whole interval.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match files.reload_if_changed() {
            Some(Ok(store)) => {
                tracing::info!("trust anchors and CRLs reloaded");
                state.replace_trust(store);
            }
            Some(Err(error)) => {
                tracing::error!(%error, "trust files changed but do not load; keeping the previous ones");
            }
            None => {}
        }
        stale.check(&state.trust(), state.now().unix_timestamp());
    }
}
