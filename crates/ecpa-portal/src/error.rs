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
            _ => ErrorCode::INTERNAL,
        }
    }

    pub fn malformed(reason: impl std::fmt::Display) -> Self {
        PortalError::Malformed(reason.to_string())
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
        assert_eq!(code, ErrorCode::INTERNAL);
        assert_eq!(
            PortalError::malformed("bad base64").code(),
            ErrorCode::MALFORMED_REQUEST
        );
    }
}
