//! ECPA accounts (帳號 → national ID, password hash) and wrong-password throttling.

use ecpa_wire::NationalId;
use sqlx::{AnyConnection, Row};

use super::Db;
use crate::PortalError;

/// A stored account.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub national_id: String,
    pub password_hash: String,
}

impl Db {
    pub async fn account(&self, account: &str) -> Result<Option<AccountRow>, PortalError> {
        let row = sqlx::query("SELECT national_id, password_hash FROM accounts WHERE account = $1")
            .bind(account.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(AccountRow {
                national_id: row.try_get("national_id")?,
                password_hash: row.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    /// Wrong passwords since `since` for this account and from this address.
    pub async fn recent_failures(
        &self,
        account: &str,
        client_addr: &str,
        since: i64,
    ) -> Result<(i64, i64), PortalError> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM login_failures WHERE account = $1 AND at >= $3) AS by_account, \
             (SELECT COUNT(*) FROM login_failures WHERE client_addr = $2 AND at >= $3) AS by_addr",
        )
        .bind(account.to_owned())
        .bind(client_addr.to_owned())
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("by_account")?, row.try_get("by_addr")?))
    }

    pub async fn record_failure(
        &self,
        account: &str,
        client_addr: &str,
        at: i64,
    ) -> Result<(), PortalError> {
        sqlx::query("INSERT INTO login_failures (account, client_addr, at) VALUES ($1, $2, $3)")
            .bind(account.to_owned())
            .bind(client_addr.to_owned())
            .bind(at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn clear_failures(&self, account: &str) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM login_failures WHERE account = $1")
            .bind(account.to_owned())
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

pub async fn upsert_account(
    conn: &mut AnyConnection,
    account: &str,
    national_id: &NationalId,
    password_hash: &str,
) -> Result<(), PortalError> {
    sqlx::query(
        "INSERT INTO accounts (account, national_id, password_hash) VALUES ($1, $2, $3) \
         ON CONFLICT (account) DO UPDATE SET national_id = excluded.national_id, \
         password_hash = excluded.password_hash",
    )
    .bind(account.to_owned())
    .bind(national_id.as_str().to_owned())
    .bind(password_hash.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
