//! `GET /api/me/eligibility`: the wizard asks, right after the employee signs in and
//! before any PIN is typed, whether they may register this kind of card.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use ecpa_wire::api::Eligibility;
use ecpa_wire::{AgencyCode, CardKind};

use super::extract::CurrentSession;
use super::state::AppState;
use super::steps::{eligibility, principal};
use crate::PortalError;

#[utoipa::path(get, path = "/api/me/eligibility",
    params(
        ("kind" = String, Query, description = "`citizen` or `organization`"),
        ("agency_code" = Option<String>, Query,
         description = "organization only: also judge this agency (else the officer alone)")),
    responses((status = 200, description = "{eligible: true} or {eligible: false, error, message}: \
                 the code and zh-TW message registration would answer (NOT_CURRENT_EMPLOYEE, \
                 NOT_PERSONNEL_OFFICER, NOT_YET_EFFECTIVE, AGENCY_UNKNOWN, AGENCY_NOT_YOURS, AGENCY_OID_UNKNOWN)"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "UNAUTHENTICATED")))]
pub async fn check(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Eligibility>, PortalError> {
    let registrant = principal::session_employee(session.as_ref())?;
    let Query(query) = query.map_err(PortalError::malformed)?;
    let kind = query
        .get("kind")
        .and_then(|k| CardKind::parse(k))
        .ok_or_else(|| PortalError::malformed("kind must be citizen or organization"))?;
    let agency = query
        .get("agency_code")
        .map(|c| AgencyCode::parse(c).map_err(PortalError::malformed))
        .transpose()?;
    if kind == CardKind::Citizen && agency.is_some() {
        return Err(PortalError::malformed(
            "agency_code is for organization cards",
        ));
    }
    let answer = eligibility::before_card(&state, &registrant, kind, agency.as_ref()).await?;
    Ok(Json(answer))
}
