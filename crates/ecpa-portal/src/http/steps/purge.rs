//! Deleting what the portal no longer needs, at most once a minute, from the requests
//! that write (challenges and password logins).

use time::OffsetDateTime;

use crate::PortalError;
use crate::http::state::AppState;

const DAY_SECONDS: i64 = 86_400;

/// When due: challenges and sessions a day past their deadline (so a late answer
/// still hears CHALLENGE_EXPIRED), wrong-password records older than a day (the
/// throttle looks back 15 minutes), and audit rows past the retention period.
pub async fn when_due(state: &AppState, now: OffsetDateTime) -> Result<(), PortalError> {
    let now = now.unix_timestamp();
    if !state.purge_due(now) {
        return Ok(());
    }
    let retention = i64::from(state.settings().audit_retention_days) * DAY_SECONDS;
    state.db().purge_expired(now - DAY_SECONDS).await?;
    state
        .db()
        .purge_history(now - DAY_SECONDS, now - retention)
        .await
}
