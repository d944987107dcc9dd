//! Browser sessions, stored by the SHA-256 of the cookie token.

use ecpa_wire::api::LoginMethod;
use rusqlite::named_params;
use sqlx::AnyConnection;
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

use super::at_once::AtOnce;
use super::audit::audit_values;
use super::columns::Columns;
use super::values::{Value, bind_values};
use super::{AuditEntry, Db};
use crate::PortalError;

/// A login's writes, all or none: its challenge (`$18`, bound to the session `$1`)
/// used up, which must still be unused; the session it replaces (`$1`) deleted; the
/// new session stored (`$2`–`$8`); the login's audit row (`$9`–`$17`), whose id is
/// returned. When the challenge was already used, nothing is written and nothing
/// returned. On SQLite the session is stored only if the `UPDATE` just before it
/// changed a row, and the later statements only if that session exists (its token is
/// new).
static LOGIN: AtOnce = AtOnce {
    sqlite: "UPDATE challenges SET used = 1 \
             WHERE nonce = $18 AND session_hash = $1 AND used = 0; \
             INSERT INTO sessions (token_hash, kind, national_id, registration_id, \
             login_method, created_at, expires_at) \
             SELECT $2, $3, $4, $5, $6, $7, $8 WHERE changes() = 1; \
             DELETE FROM sessions WHERE token_hash = $1 \
             AND EXISTS (SELECT 1 FROM sessions WHERE token_hash = $2); \
             INSERT INTO audit_log (at, event, outcome, national_id, account, cert_serial, \
             cert_fingerprint, client_addr, passkey_credential) \
             SELECT $9, $10, $11, $12, $13, $14, $15, $16, $17 \
             WHERE EXISTS (SELECT 1 FROM sessions WHERE token_hash = $2) \
             RETURNING id, {job}",
    postgres: "WITH used AS (UPDATE challenges SET used = 1 \
               WHERE nonce = $18 AND session_hash = $1 AND used = 0 RETURNING nonce), \
               gone AS (DELETE FROM sessions WHERE token_hash = $1 \
               AND EXISTS (SELECT 1 FROM used)), \
               opened AS (INSERT INTO sessions (token_hash, kind, national_id, \
               registration_id, login_method, created_at, expires_at) \
               SELECT $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM used)) \
               INSERT INTO audit_log (at, event, outcome, national_id, account, cert_serial, \
               cert_fingerprint, client_addr, passkey_credential) \
               SELECT $9, $10, $11, $12, $13, $14, $15, $16, $17 \
               WHERE EXISTS (SELECT 1 FROM used) RETURNING id",
    params: 18,
};

/// What a session stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// No login yet; holds challenges for a certificate login.
    Anonymous,
    Employee,
    Organization,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Anonymous => "anonymous",
            SessionKind::Employee => "employee",
            SessionKind::Organization => "organization",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "anonymous" => Some(SessionKind::Anonymous),
            "employee" => Some(SessionKind::Employee),
            "organization" => Some(SessionKind::Organization),
            _ => None,
        }
    }
}

fn login_method_str(method: LoginMethod) -> &'static str {
    match method {
        LoginMethod::Password => "password",
        LoginMethod::Certificate => "certificate",
        LoginMethod::Passkey => "passkey",
    }
}

fn parse_login_method(text: &str) -> Option<LoginMethod> {
    match text {
        "password" => Some(LoginMethod::Password),
        "certificate" => Some(LoginMethod::Certificate),
        "passkey" => Some(LoginMethod::Passkey),
        _ => None,
    }
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub kind: SessionKind,
    /// The employee, or for an organization session the officer who registered the card.
    pub national_id: Option<String>,
    /// Organization sessions: the registration the card login used.
    pub registration_id: Option<i64>,
    /// How an employee session was opened.
    pub login_method: Option<LoginMethod>,
    /// Passkey logins: the passkey used; removing it ends the session.
    pub passkey_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Db {
    pub async fn insert_session(&self, s: &SessionRow) -> Result<(), PortalError> {
        let mut conn = self.writer.acquire().await?;
        insert_session(&mut conn, s).await
    }

    /// Stores `new` and deletes `previous` (the session a login replaces) in one
    /// transaction.
    pub async fn replace_session(
        &self,
        previous: Option<&str>,
        new: &SessionRow,
    ) -> Result<(), PortalError> {
        let mut tx = self.writer.begin().await?;
        if let Some(previous) = previous {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(previous.to_owned())
                .execute(&mut *tx)
                .await?;
        }
        insert_session(&mut tx, new).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A login: uses up its challenge `nonce_hex` of the session `previous`, stores
    /// `new` and the login's audit row and deletes `previous`, in one transaction made
    /// in one call to the database. False, with nothing written, when the challenge
    /// was used meanwhile.
    pub async fn open_login_session(
        &self,
        previous: &str,
        nonce_hex: &str,
        new: &SessionRow,
        audit: &AuditEntry,
    ) -> Result<bool, PortalError> {
        let mut values = Vec::with_capacity(LOGIN.params);
        values.push(previous.to_owned().into());
        values.extend(session_values(new));
        values.extend(audit_values(audit));
        values.push(nonce_hex.to_owned().into());
        let audit_rows = self.write_at_once(&LOGIN, values).await?;
        Ok(audit_rows > 0)
    }

    /// The session if it exists and has not expired at `now`.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, PortalError> {
        if let Some(direct) = &self.direct {
            let params = named_params! {"$1": token_hash, "$2": now};
            return direct.first_row(SESSION, params, |row| session_from_row(row));
        }
        let row = sqlx::query(SESSION)
            .bind(token_hash.to_owned())
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Ends a person's sessions (employee and organization) opened before `before`.
    pub async fn delete_sessions_of_person(
        &self,
        national_id: &str,
        before: i64,
    ) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM sessions WHERE national_id = $1 AND created_at < $2")
            .bind(national_id.to_owned())
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Ends the sessions a withdrawn registration opened.
    pub async fn delete_sessions_of_registration(&self, id: i64) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM sessions WHERE registration_id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

const SESSION: &str = "SELECT token_hash, kind, national_id, registration_id, login_method, \
     passkey_id, created_at, expires_at \
     FROM sessions WHERE token_hash = $1 AND expires_at > $2";

fn session_from_row(row: &impl Columns) -> Result<SessionRow, PortalError> {
    let kind: String = row.column("kind")?;
    let login_method: Option<String> = row.column("login_method")?;
    let login_method = login_method
        .map(|m| {
            parse_login_method(&m)
                .ok_or_else(|| PortalError::Internal(format!("stored login method {m}")))
        })
        .transpose()?;
    Ok(SessionRow {
        token_hash: row.column("token_hash")?,
        kind: SessionKind::parse(&kind)
            .ok_or_else(|| PortalError::Internal(format!("stored session kind {kind}")))?,
        national_id: row.column("national_id")?,
        registration_id: row.column("registration_id")?,
        login_method,
        passkey_id: row.column("passkey_id")?,
        created_at: row.column("created_at")?,
        expires_at: row.column("expires_at")?,
    })
}

async fn insert_session(conn: &mut AnyConnection, s: &SessionRow) -> Result<(), PortalError> {
    let query = sqlx::query(
        "INSERT INTO sessions (token_hash, kind, national_id, registration_id, login_method, \
         created_at, expires_at, passkey_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    );
    bind_session(query, s)
        .bind(s.passkey_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `query` with `s`'s seven values bound next, in the column order of the INSERTs above
/// (all but `passkey_id`: the sessions those write are never a passkey login's).
pub(super) fn bind_session<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    s: &SessionRow,
) -> Query<'q, Any, AnyArguments<'q>> {
    bind_values(query, &session_values(s))
}

/// `s`'s seven values in the order [`bind_session`] binds them.
pub(super) fn session_values(s: &SessionRow) -> [Value; 7] {
    [
        s.token_hash.clone().into(),
        s.kind.as_str().into(),
        s.national_id.clone().into(),
        s.registration_id.into(),
        s.login_method.map(login_method_str).into(),
        s.created_at.into(),
        s.expires_at.into(),
    ]
}
