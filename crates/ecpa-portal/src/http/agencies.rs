//! `GET /api/agencies/{code}`: the wizard's 「查詢機關名稱」.

use axum::{
    Json,
    extract::{Path, State},
};
use ecpa_wire::api::AgencyLookup;
use ecpa_wire::{AgencyCode, CardKind, ErrorCode};

use super::extract::CurrentSession;
use super::state::AppState;
use super::steps::{eligibility, principal};
use crate::PortalError;

#[utoipa::path(get, path = "/api/agencies/{code}",
    params(("code" = String, Path, description = "機關代碼")),
    responses((status = 200, description = "{code, name, oid?, registration?}: `registration` \
                 only for a signed-in employee, {eligible, error?, message?} as \
                 GET /api/me/eligibility?kind=organization&agency_code={code} answers"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 404, description = "AGENCY_UNKNOWN")))]
pub async fn lookup(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(code): Path<String>,
) -> Result<Json<AgencyLookup>, PortalError> {
    let code = AgencyCode::parse(&code).map_err(PortalError::malformed)?;
    let agency = state
        .db()
        .agency(&code)
        .await?
        .ok_or(ErrorCode::AGENCY_UNKNOWN)?;
    let registration = match principal::session_employee(session.as_ref()) {
        Ok(officer) => Some(
            eligibility::before_card(&state, &officer, CardKind::Organization, Some(&code)).await?,
        ),
        Err(_) => None,
    };
    Ok(Json(AgencyLookup {
        agency,
        registration,
    }))
}
