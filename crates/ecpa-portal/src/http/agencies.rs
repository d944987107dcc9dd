//! `GET /api/agencies/{code}`: the wizard's 「查詢機關名稱」.

use axum::{
    Json,
    extract::{Path, State},
};
use ecpa_wire::api::Agency;
use ecpa_wire::{AgencyCode, ErrorCode};

use super::state::AppState;
use crate::PortalError;

#[utoipa::path(get, path = "/api/agencies/{code}",
    params(("code" = String, Path, description = "機關代碼")),
    responses((status = 200, description = "{code, name, oid?}"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 404, description = "AGENCY_UNKNOWN")))]
pub async fn lookup(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Agency>, PortalError> {
    let code = AgencyCode::parse(&code).map_err(PortalError::malformed)?;
    let agency = state
        .db()
        .agency(&code)
        .await?
        .ok_or(ErrorCode::AGENCY_UNKNOWN)?;
    Ok(Json(agency))
}
