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

/// Wrong passwords counted before an attempt (see [`Db::recent_failures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentFailures {
    pub by_account: i64,
    pub latest_by_account: Option<i64>,
    pub by_caller: i64,
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

    /// Wrong passwords counted before attempt `before_id` since `since`: for this
    /// account (how many, and the latest time) and from this caller.
    pub async fn recent_failures(
        &self,
        account: &str,
        caller: &str,
        since: i64,
        before_id: i64,
    ) -> Result<RecentFailures, PortalError> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM login_failures \
              WHERE account = $1 AND at >= $3 AND id < $4) AS by_account, \
             (SELECT MAX(at) FROM login_failures \
              WHERE account = $1 AND at >= $3 AND id < $4) AS latest, \
             (SELECT COUNT(*) FROM login_failures \
              WHERE client_addr = $2 AND at >= $3 AND id < $4) AS by_caller",
        )
        .bind(account.to_owned())
        .bind(caller.to_owned())
        .bind(since)
        .bind(before_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(RecentFailures {
            by_account: row.try_get("by_account")?,
            latest_by_account: row.try_get("latest")?,
            by_caller: row.try_get("by_caller")?,
        })
    }

    /// Counts an attempt as a failure until it is known otherwise; gives its id.
    pub async fn record_failure(
        &self,
        account: &str,
        caller: &str,
        at: i64,
    ) -> Result<i64, PortalError> {
        let row = sqlx::query(
            "INSERT INTO login_failures (account, client_addr, at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(account.to_owned())
        .bind(caller.to_owned())
        .bind(at)
        .fetch_one(&self.writer)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Takes back an attempt that was refused unchecked: it does not extend any wait.
    pub async fn forget_failure(&self, id: i64) -> Result<(), PortalError> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
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
