//! Challenges: single use, bound to a session, with a deadline.

use sqlx::Row;

use super::Db;
use crate::PortalError;

/// A challenge as it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChallenge {
    pub purpose: String,
    pub tbs: String,
    pub expires_at: i64,
}

impl Db {
    pub async fn insert_challenge(
        &self,
        nonce_hex: &str,
        purpose: &str,
        session_hash: &str,
        tbs: &str,
        expires_at: i64,
    ) -> Result<(), PortalError> {
        sqlx::query(
            "INSERT INTO challenges (nonce, purpose, session_hash, tbs, expires_at, used) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(nonce_hex.to_owned())
        .bind(purpose.to_owned())
        .bind(session_hash.to_owned())
        .bind(tbs.to_owned())
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Marks the session's unused challenge as used and returns it; one statement, so
    /// two requests racing with the same nonce cannot both get it.
    pub async fn take_challenge(
        &self,
        nonce_hex: &str,
        session_hash: &str,
    ) -> Result<Option<StoredChallenge>, PortalError> {
        let row = sqlx::query(
            "UPDATE challenges SET used = 1 \
             WHERE nonce = $1 AND session_hash = $2 AND used = 0 \
             RETURNING purpose, tbs, expires_at",
        )
        .bind(nonce_hex.to_owned())
        .bind(session_hash.to_owned())
        .fetch_optional(&self.writer)
        .await?;
        row.map(|row| {
            Ok(StoredChallenge {
                purpose: row.try_get("purpose")?,
                tbs: row.try_get("tbs")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Forgets challenges and sessions that ended before `now`.
    pub async fn purge_expired(&self, now: i64) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
