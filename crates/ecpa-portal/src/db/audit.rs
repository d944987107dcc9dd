//! The audit log: every registration, withdrawal and login attempt.

use sqlx::Row;
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

use super::Db;
use super::values::{Value, bind_values};
use crate::PortalError;

/// One audit row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    /// `password_login`, `certificate_login`, `registration`, `withdrawal`,
    /// `passkey_registration`, `passkey_login`, `passkey_removal`.
    pub event: String,
    /// `OK` or the error code.
    pub outcome: String,
    pub national_id: Option<String>,
    pub account: Option<String>,
    pub cert_serial: Option<String>,
    pub cert_fingerprint: Option<String>,
    pub client_addr: Option<String>,
    /// The passkey's credential ID (base64url), for passkey events.
    pub passkey_credential: Option<String>,
}

impl AuditEntry {
    /// An attempt at `event` from `client_addr`; the rest is filled in as it goes.
    pub fn attempt(event: &str, client_addr: String) -> Self {
        Self {
            event: event.to_owned(),
            client_addr: Some(client_addr),
            ..Self::default()
        }
    }
}

/// The statement that stores `e`, to run on a pool or inside a transaction.
pub(super) fn audit_insert(e: &AuditEntry) -> Query<'static, Any, AnyArguments<'static>> {
    bind_audit(
        sqlx::query(
            "INSERT INTO audit_log (at, event, outcome, national_id, account, cert_serial, \
             cert_fingerprint, client_addr, passkey_credential) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ),
        e,
    )
}

/// `query` with `e`'s nine values bound next, in the column order of [`audit_insert`].
pub(super) fn bind_audit<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    e: &AuditEntry,
) -> Query<'q, Any, AnyArguments<'q>> {
    bind_values(query, &audit_values(e))
}

/// `e`'s nine values in the order [`bind_audit`] binds them.
pub(super) fn audit_values(e: &AuditEntry) -> [Value; 9] {
    [
        e.at.into(),
        e.event.clone().into(),
        e.outcome.clone().into(),
        e.national_id.clone().into(),
        e.account.clone().into(),
        e.cert_serial.clone().into(),
        e.cert_fingerprint.clone().into(),
        e.client_addr.clone().into(),
        e.passkey_credential.clone().into(),
    ]
}

impl Db {
    /// Forgets wrong-password records from before `failures_before` and audit rows
    /// from before `audit_before`.
    pub async fn purge_history(
        &self,
        failures_before: i64,
        audit_before: i64,
    ) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(failures_before)
            .execute(&self.writer)
            .await?;
        sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(audit_before)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn audit(&self, e: &AuditEntry) -> Result<(), PortalError> {
        audit_insert(e).execute(&self.writer).await?;
        Ok(())
    }

    /// The whole log, oldest first (for operators and tests).
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, PortalError> {
        let rows = sqlx::query(
            "SELECT at, event, outcome, national_id, account, cert_serial, cert_fingerprint, \
             client_addr, passkey_credential FROM audit_log ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    event: row.try_get("event")?,
                    outcome: row.try_get("outcome")?,
                    national_id: row.try_get("national_id")?,
                    account: row.try_get("account")?,
                    cert_serial: row.try_get("cert_serial")?,
                    cert_fingerprint: row.try_get("cert_fingerprint")?,
                    client_addr: row.try_get("client_addr")?,
                    passkey_credential: row.try_get("passkey_credential")?,
                })
            })
            .collect()
    }
}
