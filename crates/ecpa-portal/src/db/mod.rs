//! Storage on SQLite (default, WAL) or PostgreSQL through sqlx's `Any` driver: one set of
//! queries (`$N` placeholders work on both), one migration folder per backend.

mod accounts;
mod agencies;
mod audit;
mod challenges;
mod personnel;
mod registrations;
mod sessions;
mod sqlite_url;

pub use accounts::{AccountRow, RecentFailures, upsert_account};
pub use agencies::{PersonnelAuthority, set_personnel_authorities};
pub use audit::AuditEntry;
pub use challenges::StoredChallenge;
pub use personnel::{BATCH, format_date, insert_personnel, parse_date, upsert_agency};
pub use registrations::{NewRegistration, RegistrationRow};
pub use sessions::{SessionKind, SessionRow};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, migrate::Migrator};

use crate::PortalError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, PortalError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(PortalError::Config(
                "ECPA_DATABASE_URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }
}

/// The portal's database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, PortalError> {
        install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = &*sqlite_url::creating(url);
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL lets readers and the one writer proceed together; it persists in the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let db = Self { pool, backend };
        db.fill_in_identities().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// True for a unique-constraint violation, whichever backend raised it.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().as_deref() == Some("23505")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
