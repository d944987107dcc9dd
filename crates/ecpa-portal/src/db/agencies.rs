//! Agencies with the agency whose personnel office serves them.

use ecpa_wire::AgencyCode;
use ecpa_wire::api::Agency;
use sqlx::AnyConnection;

use super::Db;
use super::columns::Columns;
use crate::PortalError;
use crate::domain::KnownAgency;

impl Db {
    /// The agency with `code`, as the registration rules need it.
    pub async fn known_agency(
        &self,
        code: &AgencyCode,
    ) -> Result<Option<KnownAgency>, PortalError> {
        let row = sqlx::query(
            "SELECT code, name, oid, personnel_authority FROM agencies WHERE code = $1",
        )
        .bind(code.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| known_agency_from_row(&row, AGENCY_COLUMNS))
            .transpose()
    }
}

/// The names of an agency's code, name, oid and personnel_authority columns in a row.
pub(super) type AgencyColumns = [&'static str; 4];

const AGENCY_COLUMNS: AgencyColumns = ["code", "name", "oid", "personnel_authority"];

/// The agency in `row`'s `columns`.
pub(super) fn known_agency_from_row(
    row: &impl Columns,
    columns: AgencyColumns,
) -> Result<KnownAgency, PortalError> {
    let [code, name, oid, authority] = columns;
    let authority: Option<String> = row.column(authority)?;
    let authority = authority
        .map(|c| {
            AgencyCode::parse(&c)
                .map_err(|_| PortalError::Internal(format!("stored personnel authority {c}")))
        })
        .transpose()?;
    Ok(KnownAgency {
        agency: Agency {
            code: row.column(code)?,
            name: row.column(name)?,
            oid: row.column(oid)?,
        },
        personnel_authority: authority,
    })
}

/// An agency's code and its `personnel_authority` (`None`: none named).
pub type PersonnelAuthority = (AgencyCode, Option<AgencyCode>);

/// Stores each agency's `personnel_authority` (`None` clears it).
pub async fn set_personnel_authorities(
    conn: &mut AnyConnection,
    authorities: &[PersonnelAuthority],
) -> Result<(), PortalError> {
    for (code, authority) in authorities {
        sqlx::query("UPDATE agencies SET personnel_authority = $1 WHERE code = $2")
            .bind(authority.as_ref().map(AgencyCode::to_string))
            .bind(code.as_str().to_owned())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
