//! Personnel records and agencies.

use ecpa_wire::{AgencyCode, NationalId, api::Agency};
use sqlx::AnyConnection;
use time::Date;

use super::Db;
use super::columns::Columns;
use crate::PortalError;
use crate::domain::{EmploymentStatus, PersonnelCategory, PersonnelRecord};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn format_date(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, DATE).ok()
}

/// A personnel record from a row with its columns, the agency code's named `agency_column`.
pub(super) fn record_from_row(
    row: &impl Columns,
    agency_column: &str,
) -> Result<PersonnelRecord, PortalError> {
    let bad = |what: &str| PortalError::Internal(format!("stored personnel record: bad {what}"));
    let national_id: String = row.column("national_id")?;
    let agency_code: String = row.column(agency_column)?;
    let category: String = row.column("personnel_category")?;
    let status: String = row.column("status")?;
    let filed_on: String = row.column("filed_on")?;
    Ok(PersonnelRecord {
        national_id: NationalId::parse(&national_id).map_err(|_| bad("national_id"))?,
        name: row.column("name")?,
        agency_code: AgencyCode::parse(&agency_code).map_err(|_| bad("agency_code"))?,
        service_unit: row.column("service_unit")?,
        category: PersonnelCategory::parse(&category).ok_or_else(|| bad("category"))?,
        concurrent_duty: row.column("concurrent_duty")?,
        status: EmploymentStatus::parse(&status).ok_or_else(|| bad("status"))?,
        filed_on: parse_date(&filed_on).ok_or_else(|| bad("filed_on"))?,
    })
}

impl Db {
    /// Every record of one person, oldest first (import order within a day).
    pub async fn personnel_records(
        &self,
        national_id: &NationalId,
    ) -> Result<Vec<PersonnelRecord>, PortalError> {
        let rows = sqlx::query(
            "SELECT national_id, name, agency_code, service_unit, personnel_category, \
             concurrent_duty, status, filed_on FROM personnel_records \
             WHERE national_id = $1 ORDER BY filed_on, id",
        )
        .bind(national_id.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| record_from_row(row, "agency_code"))
            .collect()
    }

    pub async fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>, PortalError> {
        Ok(self.known_agency(code).await?.map(|known| known.agency))
    }
}

/// Rows per multi-row INSERT (8 parameters each, well under both backends' limits).
pub const BATCH: usize = 500;

/// One row's placeholders. SQLite gets anonymous `?`: it looks a numbered `$N` up by a
/// linear scan of the statement's names, which made binding a large batch quadratic.
fn row_placeholders(sql: &mut String, sqlite: bool, row: usize) {
    if sqlite {
        sql.push_str("(?,?,?,?,?,?,?,?)");
        return;
    }
    let b = row * 8;
    sql.push_str(&format!(
        "(${},${},${},${},${},${},${},${})",
        b + 1,
        b + 2,
        b + 3,
        b + 4,
        b + 5,
        b + 6,
        b + 7,
        b + 8
    ));
}

/// Inserts records; a second report of the same person on the same day replaces the first.
pub async fn insert_personnel(
    conn: &mut AnyConnection,
    records: &[PersonnelRecord],
) -> Result<(), PortalError> {
    let sqlite = conn.backend_name() == "SQLite";
    let records: Vec<&PersonnelRecord> = if sqlite {
        records.iter().collect()
    } else {
        last_report_of_each_day(records)
    };
    for chunk in records.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO personnel_records (national_id, name, agency_code, service_unit, \
             personnel_category, concurrent_duty, status, filed_on) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            row_placeholders(&mut sql, sqlite, i);
        }
        sql.push_str(
            " ON CONFLICT (national_id, filed_on) DO UPDATE SET name = excluded.name, \
             agency_code = excluded.agency_code, service_unit = excluded.service_unit, \
             personnel_category = excluded.personnel_category, \
             concurrent_duty = excluded.concurrent_duty, status = excluded.status",
        );
        let mut query = sqlx::query(&sql);
        for r in chunk {
            query = query
                .bind(r.national_id.as_str().to_owned())
                .bind(r.name.clone())
                .bind(r.agency_code.as_str().to_owned())
                .bind(r.service_unit.clone())
                .bind(r.category.as_str().to_owned())
                .bind(r.concurrent_duty.clone())
                .bind(r.status.as_str())
                .bind(format_date(r.filed_on));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Of one person's reports for one day, only the last: what applying them in order
/// leaves. PostgreSQL refuses to update a row twice in one statement (`ON CONFLICT DO
/// UPDATE`), where SQLite applies a statement's rows one after the other.
fn last_report_of_each_day(records: &[PersonnelRecord]) -> Vec<&PersonnelRecord> {
    let mut last = std::collections::HashMap::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        last.insert((r.national_id.as_str(), r.filed_on), i);
    }
    records
        .iter()
        .enumerate()
        .filter(|(i, r)| last.get(&(r.national_id.as_str(), r.filed_on)) == Some(i))
        .map(|(_, r)| r)
        .collect()
}

pub async fn upsert_agency(conn: &mut AnyConnection, agency: &Agency) -> Result<(), PortalError> {
    sqlx::query(
        "INSERT INTO agencies (code, name, oid) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, oid = excluded.oid",
    )
    .bind(agency.code.clone())
    .bind(agency.name.clone())
    .bind(agency.oid.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
