//! Writes the outcome of an attempt to the audit log, whatever it was.

use crate::PortalError;
use crate::db::AuditEntry;
use crate::http::state::AppState;

/// `OK` or the error code.
fn outcome<T>(result: &Result<T, PortalError>) -> String {
    match result {
        Ok(_) => "OK".to_owned(),
        Err(e) => e.code().as_str().to_owned(),
    }
}

/// `entry` completed as a success now, for a write that stores it along with what
/// succeeded.
pub fn succeeded(state: &AppState, entry: &AuditEntry) -> AuditEntry {
    AuditEntry {
        at: state.now().unix_timestamp(),
        outcome: "OK".to_owned(),
        ..entry.clone()
    }
}

/// Stores `entry` with the outcome of `result`, and hands `result` back. A failure to
/// write the log is itself logged and does not change the answer.
pub async fn record<T>(
    state: &AppState,
    mut entry: AuditEntry,
    result: Result<T, PortalError>,
) -> Result<T, PortalError> {
    entry.at = state.now().unix_timestamp();
    entry.outcome = outcome(&result);
    if let Err(error) = state.db().audit(&entry).await {
        tracing::error!(event = %entry.event, %error, "audit log write failed");
    }
    result
}
