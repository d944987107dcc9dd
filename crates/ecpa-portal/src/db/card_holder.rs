//! What a certificate login reads, in one query: the card's registration, its owner's
//! personnel records with the names of their agencies, and the agency an organization
//! card was registered for.

use ecpa_wire::AgencyCode;
use rusqlite::named_params;

use super::agencies::{AgencyColumns, known_agency_from_row};
use super::columns::Columns;
use super::personnel::record_from_row;
use super::registrations::from_row as registration_from_row;
use super::{Db, RegistrationRow};
use crate::PortalError;
use crate::domain::{KnownAgency, PersonnelRecord};

/// A registered card's owner as the personnel data shows them.
#[derive(Debug, Clone)]
pub struct CardHolder {
    pub registration: RegistrationRow,
    /// The owner's personnel records, oldest first (import order within a day).
    pub records: Vec<PersonnelRecord>,
    /// The names of the known agencies the records name.
    agency_names: Vec<(AgencyCode, String)>,
    /// The agency an organization card was registered for, when known.
    pub registration_agency: Option<KnownAgency>,
}

impl CardHolder {
    /// The name of the agency with `code`, when a record names it and it is known.
    pub fn agency_name(&self, code: &AgencyCode) -> Option<String> {
        self.agency_names
            .iter()
            .find(|(known, _)| known == code)
            .map(|(_, name)| name.clone())
    }
}

/// One row per personnel record of the owner (one with NULLs when there is none).
const QUERY: &str = "SELECT r.id, r.owner_national_id, r.kind, r.fingerprint, r.serial, \
     r.subject, r.issuer, r.not_before, r.not_after, r.agency_code, r.registered_at, \
     p.national_id, p.name, p.agency_code AS record_agency_code, p.service_unit, \
     p.personnel_category, p.concurrent_duty, p.status, p.filed_on, \
     pa.name AS record_agency_name, \
     ra.code AS registered_code, ra.name AS registered_name, ra.oid AS registered_oid, \
     ra.personnel_authority AS registered_authority \
     FROM registrations r \
     LEFT JOIN personnel_records p ON p.national_id = r.owner_national_id \
     LEFT JOIN agencies pa ON pa.code = p.agency_code \
     LEFT JOIN agencies ra ON ra.code = r.agency_code \
     WHERE r.tbs_sha256 = $1 ORDER BY p.filed_on, p.id";

const REGISTERED_AGENCY: AgencyColumns = [
    "registered_code",
    "registered_name",
    "registered_oid",
    "registered_authority",
];

impl Db {
    /// The owner of the card whose tbsCertificate hashes to `identity`, or `None` when
    /// it is not registered.
    pub async fn card_holder(&self, identity: &str) -> Result<Option<CardHolder>, PortalError> {
        let mut holder = None;
        if let Some(direct) = &self.direct {
            direct.read(|conn| {
                let mut statement = conn.prepare_cached(QUERY)?;
                let mut rows = statement.query(named_params! {"$1": identity})?;
                while let Some(row) = rows.next()? {
                    add_row(&mut holder, row)?;
                }
                Ok(())
            })?;
            return Ok(holder);
        }
        let rows = sqlx::query(QUERY)
            .bind(identity.to_owned())
            .fetch_all(&self.pool)
            .await?;
        for row in &rows {
            add_row(&mut holder, row)?;
        }
        Ok(holder)
    }
}

/// Adds one row of [`QUERY`] to the holder read so far: the first row gives the
/// registration, each row with a personnel record gives that record.
fn add_row(holder: &mut Option<CardHolder>, row: &impl Columns) -> Result<(), PortalError> {
    let holder = match holder {
        Some(holder) => holder,
        None => {
            let registered_code: Option<String> = row.column(REGISTERED_AGENCY[0])?;
            let registration_agency = registered_code
                .map(|_| known_agency_from_row(row, REGISTERED_AGENCY))
                .transpose()?;
            holder.insert(CardHolder {
                registration: registration_from_row(row)?,
                records: Vec::new(),
                agency_names: Vec::new(),
                registration_agency,
            })
        }
    };
    let national_id: Option<String> = row.column("national_id")?;
    if national_id.is_none() {
        return Ok(());
    }
    let record = record_from_row(row, "record_agency_code")?;
    let agency_name: Option<String> = row.column("record_agency_name")?;
    if let Some(name) = agency_name {
        holder.agency_names.push((record.agency_code.clone(), name));
    }
    holder.records.push(record);
    Ok(())
}
