//! `ecpa-portal import personnel|agencies|accounts FILE.csv` (SPEC §3, §8): the whole
//! file is checked first, then stored in one transaction; a bad row rejects the file.

use ecpa_wire::api::Agency;
use ecpa_wire::{AgencyCode, NationalId};

use crate::csv::{self, CsvRecord};
use crate::db::{self, Db};
use crate::domain::{EmploymentStatus, PersonnelCategory, PersonnelRecord};
use crate::passwords::hash_password;
use crate::{Entropy, PortalError};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Personnel,
    Agencies,
    Accounts,
}

impl ImportKind {
    pub fn header(self) -> &'static [&'static str] {
        match self {
            ImportKind::Personnel => &[
                "national_id",
                "name",
                "agency_code",
                "service_unit",
                "personnel_category",
                "concurrent_duty",
                "status",
                "filed_on",
            ],
            ImportKind::Agencies => &["code", "name", "oid"],
            ImportKind::Accounts => &["account", "national_id", "password"],
        }
    }

    /// Columns a file may add after [`Self::header`]'s, in this order.
    pub fn optional_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Agencies => &[AGENCY_PERSONNEL_AUTHORITY],
            ImportKind::Personnel | ImportKind::Accounts => &[],
        }
    }

    /// `header` as the user writes it, with the optional columns if any.
    fn header_help(self) -> String {
        let required = self.header().join(",");
        match self.optional_columns() {
            [] => format!("`{required}`"),
            optional => format!("`{required}` or `{required},{}`", optional.join(",")),
        }
    }
}

/// The agencies file's optional fourth column: the agency whose personnel office serves
/// the row's agency.
const AGENCY_PERSONNEL_AUTHORITY: &str = "personnel_authority";

fn row_error(line: usize, reason: impl Into<String>) -> PortalError {
    PortalError::ImportRow {
        line,
        reason: reason.into(),
    }
}

/// Splits the file and checks the header and every row's field count.
fn records(kind: ImportKind, text: &str) -> Result<Vec<CsvRecord>, PortalError> {
    let mut records = csv::parse(text).map_err(|e| match e {
        csv::CsvError::Unterminated(l) | csv::CsvError::AfterQuote(l) => {
            row_error(l, e.to_string())
        }
    })?;
    if records.is_empty() {
        return Err(row_error(1, "empty file: the header row is missing"));
    }
    let header = records.remove(0);
    let found: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
    if !header_matches(kind, &found) {
        return Err(row_error(
            header.line,
            format!("header must be {}", kind.header_help()),
        ));
    }
    for r in &records {
        if r.fields.len() != found.len() {
            return Err(row_error(
                r.line,
                format!("{} fields expected, {} found", found.len(), r.fields.len()),
            ));
        }
    }
    Ok(records)
}

/// The required columns, then none, some or all of the optional ones, in order.
fn header_matches(kind: ImportKind, found: &[&str]) -> bool {
    let required = kind.header();
    found.len() >= required.len()
        && found[..required.len()] == *required
        && kind
            .optional_columns()
            .starts_with(&found[required.len()..])
}

fn personnel_row(r: &CsvRecord) -> Result<PersonnelRecord, PortalError> {
    let f = |i: usize| r.fields[i].trim();
    let bad = |what: &str| row_error(r.line, what.to_owned());
    let name = f(1);
    if name.is_empty() {
        return Err(bad("name is empty"));
    }
    let duty = f(5);
    if !(duty.is_empty() || (duty.len() == 1 && duty.bytes().all(|b| b.is_ascii_digit()))) {
        return Err(bad("concurrent_duty must be one digit or empty"));
    }
    Ok(PersonnelRecord {
        national_id: NationalId::parse(f(0))
            .map_err(|e| row_error(r.line, format!("national_id: {e}")))?,
        name: name.to_owned(),
        agency_code: AgencyCode::parse(f(2))
            .map_err(|e| row_error(r.line, format!("agency_code: {e}")))?,
        service_unit: f(3).to_owned(),
        category: PersonnelCategory::parse(f(4))
            .ok_or_else(|| bad("personnel_category must be two digits"))?,
        concurrent_duty: (!duty.is_empty()).then(|| duty.to_owned()),
        status: EmploymentStatus::parse(f(6))
            .ok_or_else(|| bad("status must be `current` or `departed`"))?,
        filed_on: db::parse_date(f(7)).ok_or_else(|| bad("filed_on must be YYYY-MM-DD"))?,
    })
}

fn is_oid(text: &str) -> bool {
    let arcs: Vec<&str> = text.split('.').collect();
    arcs.len() >= 2
        && arcs
            .iter()
            .all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
}

fn agency_row(r: &CsvRecord) -> Result<Agency, PortalError> {
    let f = |i: usize| r.fields[i].trim();
    let code = AgencyCode::parse(f(0)).map_err(|e| row_error(r.line, format!("code: {e}")))?;
    if f(1).is_empty() {
        return Err(row_error(r.line, "name is empty"));
    }
    let oid = f(2);
    if !oid.is_empty() && !is_oid(oid) {
        return Err(row_error(
            r.line,
            "oid must be a dotted object identifier or empty",
        ));
    }
    Ok(Agency {
        code: code.to_string(),
        name: f(1).to_owned(),
        oid: (!oid.is_empty()).then(|| oid.to_owned()),
    })
}

fn account_row(r: &CsvRecord) -> Result<(String, NationalId, String), PortalError> {
    let account = r.fields[0].trim();
    if account.is_empty() || account.chars().count() > 64 {
        return Err(row_error(r.line, "account must be 1 to 64 characters"));
    }
    let id = NationalId::parse(r.fields[1].trim())
        .map_err(|e| row_error(r.line, format!("national_id: {e}")))?;
    if r.fields[2].is_empty() {
        return Err(row_error(r.line, "password is empty"));
    }
    Ok((account.to_owned(), id, r.fields[2].clone()))
}

/// The agencies file's `personnel_authority` of each row (`None` when empty), or `None`
/// for a file without that column: such a file leaves what is stored as it was.
fn personnel_authorities(
    rows: &[CsvRecord],
) -> Result<Option<Vec<db::PersonnelAuthority>>, PortalError> {
    let column = ImportKind::Agencies.header().len();
    if rows.first().is_none_or(|r| r.fields.len() <= column) {
        return Ok(None);
    }
    rows.iter()
        .map(|r| {
            let parse = |text: &str, what: &str| {
                AgencyCode::parse(text.trim())
                    .map_err(|e| row_error(r.line, format!("{what}: {e}")))
            };
            let authority = r.fields[column].trim();
            let authority = (!authority.is_empty())
                .then(|| parse(authority, AGENCY_PERSONNEL_AUTHORITY))
                .transpose()?;
            Ok((parse(&r.fields[0], "code")?, authority))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A file's rows, every one checked.
#[derive(Debug)]
pub enum CheckedRows {
    Personnel(Vec<PersonnelRecord>),
    Agencies(Vec<Agency>, Option<Vec<db::PersonnelAuthority>>),
    /// Account name, owner and password (hashed when stored).
    Accounts(Vec<(String, NationalId, String)>),
}

impl CheckedRows {
    pub fn len(&self) -> usize {
        match self {
            CheckedRows::Personnel(rows) => rows.len(),
            CheckedRows::Agencies(rows, _) => rows.len(),
            CheckedRows::Accounts(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Checks one file's text, header and every row, without storing anything.
pub fn check_text(kind: ImportKind, text: &str) -> Result<CheckedRows, PortalError> {
    let rows = records(kind, text)?;
    Ok(match kind {
        ImportKind::Personnel => CheckedRows::Personnel(
            rows.iter()
                .map(personnel_row)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        ImportKind::Agencies => {
            let parsed = rows.iter().map(agency_row).collect::<Result<Vec<_>, _>>()?;
            CheckedRows::Agencies(parsed, personnel_authorities(&rows)?)
        }
        ImportKind::Accounts => CheckedRows::Accounts(
            rows.iter()
                .map(account_row)
                .collect::<Result<Vec<_>, _>>()?,
        ),
    })
}

/// Imports one file's text; returns the number of rows stored.
pub async fn import_text(
    db: &Db,
    kind: ImportKind,
    text: &str,
    entropy: &Entropy,
) -> Result<usize, PortalError> {
    let rows = check_text(kind, text)?;
    let mut tx = db.writer().begin().await?;
    match &rows {
        CheckedRows::Personnel(parsed) => db::insert_personnel(&mut tx, parsed).await?,
        CheckedRows::Agencies(parsed, authorities) => {
            for agency in parsed {
                db::upsert_agency(&mut tx, agency).await?;
            }
            if let Some(authorities) = authorities {
                db::set_personnel_authorities(&mut tx, authorities).await?;
            }
        }
        CheckedRows::Accounts(parsed) => {
            for (account, id, password) in parsed {
                let hash = hash_password(password, entropy.bytes())?;
                db::upsert_account(&mut tx, account, id, &hash).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Imports a file (UTF-8).
pub async fn import_file(
    db: &Db,
    kind: ImportKind,
    path: &std::path::Path,
    entropy: &Entropy,
) -> Result<usize, PortalError> {
    let bytes = std::fs::read(path).map_err(|source| PortalError::File {
        path: path.display().to_string(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        row_error(line, "not valid UTF-8")
    })?;
    import_text(db, kind, &text, entropy).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_with_their_line_numbers() {
        let header = ImportKind::Personnel.header().join(",");
        let text = format!(
            "{header}\nA123456789,王大明,3230000,人事室,08,,current,2026-01-01\n\
             A123456789,王大明,3230000,人事室,8,,current,2026-01-01\n"
        );
        let rows = records(ImportKind::Personnel, &text).unwrap();
        assert!(personnel_row(&rows[0]).is_ok());
        let err = personnel_row(&rows[1]).unwrap_err().to_string();
        assert_eq!(err, "line 3: personnel_category must be two digits");
        let bad_header = records(ImportKind::Agencies, "code,name\n").unwrap_err();
        assert_eq!(
            bad_header.to_string(),
            "line 1: header must be `code,name,oid` or `code,name,oid,personnel_authority`"
        );
    }

    #[test]
    fn the_agencies_file_may_name_the_serving_agency() {
        let with = "code,name,oid,personnel_authority\n\
                    376430000A,縣立國中,,3230000\n3230000,人事總處,,\n";
        let rows = records(ImportKind::Agencies, with).unwrap();
        let authorities = personnel_authorities(&rows).unwrap().unwrap();
        let code = |c| AgencyCode::parse(c).unwrap();
        assert_eq!(
            authorities,
            vec![
                (code("376430000A"), Some(code("3230000"))),
                (code("3230000"), None)
            ]
        );
        let without = records(ImportKind::Agencies, "code,name,oid\n3230000,人事總處,\n");
        assert_eq!(personnel_authorities(&without.unwrap()).unwrap(), None);
        let bad = "code,name,oid,personnel_authority\n376430000A,縣立國中,,x\n";
        let err = personnel_authorities(&records(ImportKind::Agencies, bad).unwrap());
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("line 2: personnel_authority:")
        );
        for header in ["code,name,oid,other", "code,name,oid,personnel_authority,x"] {
            assert!(records(ImportKind::Agencies, header).is_err(), "{header}");
        }
        assert!(records(ImportKind::Personnel, "code,name,oid,x").is_err());
        let short = "code,name,oid,personnel_authority\n3230000,人事總處,\n";
        let err = records(ImportKind::Agencies, short)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "line 2: 4 fields expected, 3 found");
    }

    #[test]
    fn oid_shape() {
        assert!(is_oid("2.16.886.101.20003.20012"));
        assert!(!is_oid("2..16"));
        assert!(!is_oid("abc"));
    }
}
