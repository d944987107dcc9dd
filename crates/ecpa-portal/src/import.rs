//! `ecpa-portal import personnel|agencies|accounts FILE.csv` (SPEC §3, §8): the whole
//! file is checked first, then stored in one transaction; a bad row rejects the file.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use ecpa_wire::api::Agency;
use ecpa_wire::{AgencyCode, NationalId};

use crate::csv::{self, CsvRecord};
use crate::db::{self, Db};
use crate::domain::{EmploymentStatus, PersonnelCategory, PersonnelRecord};
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
}

/// Argon2id (default parameters) with the given salt, PHC string format.
pub fn hash_password(password: &str, salt: [u8; 16]) -> Result<String, PortalError> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| PortalError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PortalError::Internal(e.to_string()))
}

/// True when `password` matches the stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

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
    let expected = kind.header();
    let found: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
    if found != expected {
        return Err(row_error(
            header.line,
            format!("header must be `{}`", expected.join(",")),
        ));
    }
    for r in &records {
        if r.fields.len() != expected.len() {
            return Err(row_error(
                r.line,
                format!(
                    "{} fields expected, {} found",
                    expected.len(),
                    r.fields.len()
                ),
            ));
        }
    }
    Ok(records)
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

/// Imports one file's text; returns the number of rows stored.
pub async fn import_text(
    db: &Db,
    kind: ImportKind,
    text: &str,
    entropy: &Entropy,
) -> Result<usize, PortalError> {
    let rows = records(kind, text)?;
    let mut tx = db.writer().begin().await?;
    match kind {
        ImportKind::Personnel => {
            let parsed = rows
                .iter()
                .map(personnel_row)
                .collect::<Result<Vec<_>, _>>()?;
            db::insert_personnel(&mut tx, &parsed).await?;
        }
        ImportKind::Agencies => {
            let parsed = rows.iter().map(agency_row).collect::<Result<Vec<_>, _>>()?;
            for agency in &parsed {
                db::upsert_agency(&mut tx, agency).await?;
            }
        }
        ImportKind::Accounts => {
            let mut parsed = Vec::with_capacity(rows.len());
            for r in &rows {
                let account = r.fields[0].trim();
                if account.is_empty() || account.chars().count() > 64 {
                    return Err(row_error(r.line, "account must be 1 to 64 characters"));
                }
                let id = NationalId::parse(r.fields[1].trim())
                    .map_err(|e| row_error(r.line, format!("national_id: {e}")))?;
                if r.fields[2].is_empty() {
                    return Err(row_error(r.line, "password is empty"));
                }
                parsed.push((account, id, r.fields[2].as_str()));
            }
            for (account, id, password) in parsed {
                let hash = hash_password(password, entropy.bytes())?;
                db::upsert_account(&mut tx, account, &id, &hash).await?;
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
    fn passwords_hash_and_verify() {
        let hash = hash_password("s3cret!", [9; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("s3cret"));
        assert!(verify_password("s3cret!", &hash));
        assert!(!verify_password("s3cret", &hash));
        assert!(!verify_password("s3cret!", "not a hash"));
    }

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
            "line 1: header must be `code,name,oid`"
        );
    }

    #[test]
    fn oid_shape() {
        assert!(is_oid("2.16.886.101.20003.20012"));
        assert!(!is_oid("2..16"));
        assert!(!is_oid("abc"));
    }
}
