//! Passkeys: one row per WebAuthn credential, owned by the person who added it under a
//! card registration.

use sqlx::{Row, any::AnyRow};

use super::{Db, unless_duplicate};
use crate::PortalError;

/// A passkey to store.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    pub owner_national_id: String,
    /// The card registration whose login allowed adding it.
    pub registration_id: i64,
    /// Base64url credential ID.
    pub credential_id: String,
    /// The WebAuthn user handle (a UUID), one per person.
    pub user_handle: String,
    pub name: String,
    /// webauthn-rs's serialized `Passkey`.
    pub credential: String,
    pub sign_count: u32,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
}

/// A stored passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRow {
    pub id: i64,
    pub owner_national_id: String,
    pub registration_id: i64,
    pub credential_id: String,
    pub user_handle: String,
    pub name: String,
    pub credential: String,
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What a login changes on a passkey.
#[derive(Debug, Clone)]
pub struct PasskeyUse {
    pub id: i64,
    pub credential: String,
    pub sign_count: u32,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub at: i64,
}

const COLUMNS: &str = "id, owner_national_id, registration_id, credential_id, user_handle, name, \
                       credential, sign_count, created_at, last_used_at";

fn from_row(row: &AnyRow) -> Result<PasskeyRow, PortalError> {
    Ok(PasskeyRow {
        id: row.try_get("id")?,
        owner_national_id: row.try_get("owner_national_id")?,
        registration_id: row.try_get("registration_id")?,
        credential_id: row.try_get("credential_id")?,
        user_handle: row.try_get("user_handle")?,
        name: row.try_get("name")?,
        credential: row.try_get("credential")?,
        sign_count: row.try_get("sign_count")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Db {
    /// Stores a passkey; `Ok(None)` when its credential ID is stored already.
    pub async fn insert_passkey(&self, p: &NewPasskey) -> Result<Option<PasskeyRow>, PortalError> {
        let result = sqlx::query(&format!(
            "INSERT INTO passkeys (owner_national_id, registration_id, credential_id, \
             user_handle, name, credential, sign_count, backup_eligible, backup_state, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
        ))
        .bind(p.owner_national_id.clone())
        .bind(p.registration_id)
        .bind(p.credential_id.clone())
        .bind(p.user_handle.clone())
        .bind(p.name.clone())
        .bind(p.credential.clone())
        .bind(i64::from(p.sign_count))
        .bind(i64::from(p.backup_eligible))
        .bind(i64::from(p.backup_state))
        .bind(p.created_at)
        .fetch_one(&self.writer)
        .await;
        unless_duplicate(result)?.as_ref().map(from_row).transpose()
    }

    pub async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<PasskeyRow>, PortalError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
        ))
        .bind(credential_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A person's passkeys, oldest first.
    pub async fn passkeys_of(&self, national_id: &str) -> Result<Vec<PasskeyRow>, PortalError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM passkeys WHERE owner_national_id = $1 ORDER BY id"
        ))
        .bind(national_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Records a login: the new counter, flags and credential, only while the stored
    /// counter is below the new one (or both are zero: an authenticator without a
    /// counter). `false` when the counter went back, however close two logins came.
    pub async fn record_passkey_use(&self, u: &PasskeyUse) -> Result<bool, PortalError> {
        let count = i64::from(u.sign_count);
        let done = sqlx::query(
            "UPDATE passkeys SET credential = $1, sign_count = $2, backup_eligible = $3, \
             backup_state = $4, last_used_at = $5 \
             WHERE id = $6 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0))",
        )
        .bind(u.credential.clone())
        .bind(count)
        .bind(i64::from(u.backup_eligible))
        .bind(i64::from(u.backup_state))
        .bind(u.at)
        .bind(u.id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Renames one of the owner's passkeys; `None` when they have no such passkey.
    pub async fn rename_passkey(
        &self,
        id: i64,
        owner_national_id: &str,
        name: &str,
    ) -> Result<Option<PasskeyRow>, PortalError> {
        let row = sqlx::query(&format!(
            "UPDATE passkeys SET name = $1 WHERE id = $2 AND owner_national_id = $3 \
             RETURNING {COLUMNS}"
        ))
        .bind(name.to_owned())
        .bind(id)
        .bind(owner_national_id.to_owned())
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deletes one of the owner's passkeys and the sessions it opened, all but
    /// `removing_session` (the one asking), in one transaction; returns it, or `None`
    /// when there is none.
    pub async fn delete_passkey(
        &self,
        id: i64,
        owner_national_id: &str,
        removing_session: &str,
    ) -> Result<Option<PasskeyRow>, PortalError> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "DELETE FROM passkeys WHERE id = $1 AND owner_national_id = $2 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(owner_national_id.to_owned())
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            sqlx::query("DELETE FROM sessions WHERE passkey_id = $1 AND token_hash <> $2")
                .bind(id)
                .bind(removing_session.to_owned())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        row.as_ref().map(from_row).transpose()
    }
}
