//! Challenges: single use, bound to a session, with a deadline.

use rusqlite::named_params;

use super::at_once::AtOnce;
use super::columns::Columns;
use super::sessions::session_values;
use super::{Db, SessionRow};
use crate::PortalError;

/// A new browser's first challenge: its session stored (`$1`–`$7`) and the challenge
/// (`$8`–`$11`) bound to it (`$1`).
static FIRST_CHALLENGE: AtOnce = AtOnce {
    sqlite: "INSERT INTO sessions (token_hash, kind, national_id, registration_id, \
             login_method, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7); \
             INSERT INTO challenges (nonce, purpose, session_hash, tbs, expires_at, used) \
             VALUES ($8, $9, $1, $10, $11, 0)",
    postgres: "WITH opened AS (INSERT INTO sessions (token_hash, kind, national_id, \
               registration_id, login_method, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)) \
               INSERT INTO challenges (nonce, purpose, session_hash, tbs, expires_at, used) \
               VALUES ($8, $9, $1, $10, $11, 0)",
    params: 11,
};

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

    /// Stores `session` (new) and a challenge bound to it, in one transaction made in
    /// one call to the database.
    pub async fn insert_session_with_challenge(
        &self,
        session: &SessionRow,
        nonce_hex: &str,
        purpose: &str,
        tbs: &str,
        expires_at: i64,
    ) -> Result<(), PortalError> {
        let mut values = Vec::with_capacity(FIRST_CHALLENGE.params);
        values.extend(session_values(session));
        values.extend([
            nonce_hex.into(),
            purpose.into(),
            tbs.into(),
            expires_at.into(),
        ]);
        self.write_at_once(&FIRST_CHALLENGE, values).await.map(drop)
    }

    /// The session's challenge if it is still unused, left unused: the caller uses it
    /// up in its own write ([`Db::open_login_session`]) or with [`Db::take_challenge`].
    pub async fn unused_challenge(
        &self,
        nonce_hex: &str,
        session_hash: &str,
    ) -> Result<Option<StoredChallenge>, PortalError> {
        if let Some(direct) = &self.direct {
            let params = named_params! {"$1": nonce_hex, "$2": session_hash};
            return direct.first_row(UNUSED_CHALLENGE, params, |row| stored_challenge(row));
        }
        let row = sqlx::query(UNUSED_CHALLENGE)
            .bind(nonce_hex.to_owned())
            .bind(session_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_challenge).transpose()
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
        row.map(|row| stored_challenge(&row)).transpose()
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

const UNUSED_CHALLENGE: &str = "SELECT purpose, tbs, expires_at FROM challenges \
     WHERE nonce = $1 AND session_hash = $2 AND used = 0";

fn stored_challenge(row: &impl Columns) -> Result<StoredChallenge, PortalError> {
    Ok(StoredChallenge {
        purpose: row.column("purpose")?,
        tbs: row.column("tbs")?,
        expires_at: row.column("expires_at")?,
    })
}
