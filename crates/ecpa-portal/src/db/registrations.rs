//! Registered certificates: one owner per certificate (by the hash of what its CA
//! signed, see [`crate::pki::ParsedCert::identity`]).

use ecpa_wire::{AgencyCode, CardKind};
use sqlx::Row;

use super::audit::audit_insert;
use super::columns::Columns;
use super::{AuditEntry, Db, is_unique_violation, unless_duplicate};
use crate::PortalError;
use crate::pki::ParsedCert;

/// A registration to store.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub owner_national_id: String,
    pub kind: CardKind,
    pub fingerprint: String,
    /// SHA-256 (hex) of the tbsCertificate.
    pub identity: String,
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: i64,
    pub not_after: i64,
    pub agency_code: Option<AgencyCode>,
    pub certificate: Vec<u8>,
    pub registered_at: i64,
}

/// A stored registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    pub id: i64,
    pub owner_national_id: String,
    pub kind: CardKind,
    pub fingerprint: String,
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: i64,
    pub not_after: i64,
    pub agency_code: Option<AgencyCode>,
    pub registered_at: i64,
}

const COLUMNS: &str = "id, owner_national_id, kind, fingerprint, serial, subject, issuer, \
                       not_before, not_after, agency_code, registered_at";

pub(super) fn from_row(row: &impl Columns) -> Result<RegistrationRow, PortalError> {
    let kind: String = row.column("kind")?;
    let agency_code: Option<String> = row.column("agency_code")?;
    let agency_code = agency_code
        .map(|c| {
            AgencyCode::parse(&c)
                .map_err(|_| PortalError::Internal(format!("stored agency code {c}")))
        })
        .transpose()?;
    Ok(RegistrationRow {
        id: row.column("id")?,
        owner_national_id: row.column("owner_national_id")?,
        kind: CardKind::parse(&kind)
            .ok_or_else(|| PortalError::Internal(format!("stored kind {kind}")))?,
        fingerprint: row.column("fingerprint")?,
        serial: row.column("serial")?,
        subject: row.column("subject")?,
        issuer: row.column("issuer")?,
        not_before: row.column("not_before")?,
        not_after: row.column("not_after")?,
        agency_code,
        registered_at: row.column("registered_at")?,
    })
}

impl Db {
    /// Stores a registration and its audit row in one transaction, so neither is ever
    /// stored without the other; `Ok(None)` when the certificate is already registered
    /// (the unique constraints decide, so concurrent requests cannot both win).
    pub async fn insert_registration(
        &self,
        r: &NewRegistration,
        audit: &AuditEntry,
    ) -> Result<Option<RegistrationRow>, PortalError> {
        let mut tx = self.writer.begin().await?;
        let result = sqlx::query(&format!(
            "INSERT INTO registrations (owner_national_id, kind, fingerprint, serial, subject, \
             issuer, not_before, not_after, agency_code, certificate, registered_at, tbs_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
        ))
        .bind(r.owner_national_id.clone())
        .bind(r.kind.as_str())
        .bind(r.fingerprint.clone())
        .bind(r.serial.clone())
        .bind(r.subject.clone())
        .bind(r.issuer.clone())
        .bind(r.not_before)
        .bind(r.not_after)
        .bind(r.agency_code.as_ref().map(AgencyCode::to_string))
        .bind(r.certificate.clone())
        .bind(r.registered_at)
        .bind(r.identity.clone())
        .fetch_one(&mut *tx)
        .await;
        let Some(row) = unless_duplicate(result)? else {
            return Ok(None);
        };
        let row = from_row(&row)?;
        audit_insert(audit).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(row))
    }

    /// The registration of the certificate whose tbsCertificate hashes to `identity`.
    pub async fn registration_by_identity(
        &self,
        identity: &str,
    ) -> Result<Option<RegistrationRow>, PortalError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM registrations WHERE tbs_sha256 = $1"
        ))
        .bind(identity.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn registration(&self, id: i64) -> Result<Option<RegistrationRow>, PortalError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM registrations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn registrations_of(
        &self,
        national_id: &str,
    ) -> Result<Vec<RegistrationRow>, PortalError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM registrations WHERE owner_national_id = $1 ORDER BY id"
        ))
        .bind(national_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Deletes one of the owner's registrations and the passkeys added under it, in one
    /// transaction: `None` when there is no such registration, else the removed
    /// passkeys' credential IDs.
    pub async fn delete_registration(
        &self,
        id: i64,
        owner_national_id: &str,
    ) -> Result<Option<Vec<String>>, PortalError> {
        let mut tx = self.writer.begin().await?;
        let done =
            sqlx::query("DELETE FROM registrations WHERE id = $1 AND owner_national_id = $2")
                .bind(id)
                .bind(owner_national_id.to_owned())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let removed =
            sqlx::query("DELETE FROM passkeys WHERE registration_id = $1 RETURNING credential_id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get("credential_id"))
                .collect::<Result<Vec<String>, _>>()?;
        tx.commit().await?;
        Ok(Some(removed))
    }
}

impl Db {
    /// Gives rows stored before `tbs_sha256` existed their identity. A row whose
    /// certificate no longer parses, or whose identity another row already has, is
    /// left without one and logged: it cannot be used to log in until resolved.
    pub(super) async fn fill_in_identities(&self) -> Result<(), PortalError> {
        let rows =
            sqlx::query("SELECT id, certificate FROM registrations WHERE tbs_sha256 IS NULL")
                .fetch_all(&self.writer)
                .await?;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let der: Vec<u8> = row.try_get("certificate")?;
            let Ok(cert) = ParsedCert::parse(&der) else {
                tracing::error!(
                    id,
                    "registered certificate does not parse; left without identity"
                );
                continue;
            };
            let done = sqlx::query("UPDATE registrations SET tbs_sha256 = $1 WHERE id = $2")
                .bind(cert.identity_hex())
                .bind(id)
                .execute(&self.writer)
                .await;
            match done {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    tracing::error!(
                        id,
                        "registered certificate is another registration's twin; left without identity"
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
