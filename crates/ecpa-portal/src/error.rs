//! The portal's one error type: a stable code for clients, the cause for the log.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use ecpa_wire::{ApiError, ErrorCode};

use crate::domain::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// An expected refusal with its stable code (wrong password, expired certificate, …).
    #[error("refused: {}", .0.as_str())]
    Refused(ErrorCode),
    /// Input that could not be read; the reason goes to the log only.
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A read on the calling thread (`db::direct`) failed.
    #[error("database read: {0}")]
    DirectRead(#[from] rusqlite::Error),
    /// A write on the SQLite write thread (`db::write_thread`) failed.
    #[error("database write: {0}")]
    Write(rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("configuration: {0}")]
    Config(String),
    /// A bad row in an import file; nothing of the file was kept.
    #[error("line {line}: {reason}")]
    ImportRow { line: usize, reason: String },
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("internal: {0}")]
    Internal(String),
}

impl PortalError {
    pub fn code(&self) -> ErrorCode {
        match self {
            PortalError::Refused(code) => *code,
            PortalError::Malformed(_) | PortalError::ImportRow { .. } => {
                ErrorCode::MALFORMED_REQUEST
            }
            PortalError::Database(e) => database_code(e),
            PortalError::DirectRead(e) | PortalError::Write(e) => own_connection_code(e),
            _ => ErrorCode::INTERNAL,
        }
    }

    pub fn malformed(reason: impl std::fmt::Display) -> Self {
        PortalError::Malformed(reason.to_string())
    }
}

/// SQLite's result codes (the primary code is the low byte of an extended one).
const SQLITE_IOERR: i64 = 10;
const SQLITE_FULL: i64 = 13;

/// A database failure the client can act on: the database away or busy
/// (`SERVICE_UNAVAILABLE`, try again) or its disk full (`STORAGE_FULL`); else `INTERNAL`.
fn database_code(error: &sqlx::Error) -> ErrorCode {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => ErrorCode::SERVICE_UNAVAILABLE,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            let sqlite = code.parse::<i64>().ok().map(|c| c & 0xff);
            // PostgreSQL: 53100 disk_full, class 08 connection exceptions, 57P0x shutdown.
            if sqlite == Some(SQLITE_FULL) || code == "53100" {
                ErrorCode::STORAGE_FULL
            } else if sqlite == Some(SQLITE_IOERR)
                || code.starts_with("08")
                || code.starts_with("57P")
            {
                ErrorCode::SERVICE_UNAVAILABLE
            } else {
                ErrorCode::INTERNAL
            }
        }
        _ => ErrorCode::INTERNAL,
    }
}

/// The answers for a statement on a connection of the portal's own (a read on the
/// calling thread, a write on the write thread): as above for a full disk and an I/O
/// error; a database busy, locked or that cannot be opened is `SERVICE_UNAVAILABLE`
/// too (the sqlx path answers `INTERNAL` for those).
fn own_connection_code(error: &rusqlite::Error) -> ErrorCode {
    use rusqlite::ErrorCode as Sqlite;
    match error.sqlite_error_code() {
        Some(Sqlite::DiskFull) => ErrorCode::STORAGE_FULL,
        Some(
            Sqlite::SystemIoFailure
            | Sqlite::DatabaseBusy
            | Sqlite::DatabaseLocked
            | Sqlite::CannotOpen,
        ) => ErrorCode::SERVICE_UNAVAILABLE,
        _ => ErrorCode::INTERNAL,
    }
}

impl From<ErrorCode> for PortalError {
    fn from(code: ErrorCode) -> Self {
        PortalError::Refused(code)
    }
}

impl From<Refusal> for PortalError {
    fn from(refusal: Refusal) -> Self {
        PortalError::Refused(refusal.into())
    }
}

/// The `{"error","message"}` answer for a code.
pub fn error_response(code: ErrorCode) -> Response {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ApiError {
        error: code.as_str().to_owned(),
        message: code.message_zh().to_owned(),
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let code = self.code();
        match &self {
            PortalError::Refused(_) => tracing::info!(code = code.as_str(), "request refused"),
            PortalError::Malformed(reason) => tracing::info!(%reason, "malformed request"),
            other => tracing::error!(error = %other, "request failed"),
        }
        error_response(code)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_stay_in_the_log() {
        let response = PortalError::Internal("disk full at /var/lib/secret".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let code = PortalError::Database(sqlx::Error::PoolTimedOut).code();
        assert_eq!(code, ErrorCode::SERVICE_UNAVAILABLE);
        let code = PortalError::Database(sqlx::Error::RowNotFound).code();
        assert_eq!(code, ErrorCode::INTERNAL);
        assert_eq!(
            PortalError::malformed("bad base64").code(),
            ErrorCode::MALFORMED_REQUEST
        );
    }
}
