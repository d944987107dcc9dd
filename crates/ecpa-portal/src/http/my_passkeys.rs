//! `GET /api/me/passkeys`, and renaming and removing one's own passkeys.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use ecpa_wire::ErrorCode;
use ecpa_wire::api::{Passkey, PasskeyRename};

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::state::AppState;
use super::steps::passkey::to_wire;
use super::steps::{audit, principal};
use crate::PortalError;
use crate::db::AuditEntry;
use crate::domain::passkey_names::checked_name;

fn passkey_id(text: &str) -> Result<i64, PortalError> {
    text.parse().map_err(PortalError::malformed)
}

/// `GET /api/me/passkeys`.
#[utoipa::path(get, path = "/api/me/passkeys",
    responses((status = 200, description = "the employee's passkeys [{id, name, created_at, last_used_at?}], oldest first"),
              (status = 401, description = "UNAUTHENTICATED")))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Json<Vec<Passkey>>, PortalError> {
    let owner = principal::session_employee(session.as_ref())?;
    let rows = state.db().passkeys_of(owner.as_str()).await?;
    Ok(Json(rows.into_iter().map(to_wire).collect()))
}

/// `PATCH /api/me/passkeys/{id}`: a new name.
#[utoipa::path(patch, path = "/api/me/passkeys/{id}",
    params(("id" = i64, Path, description = "passkey id")),
    request_body(content = String, description = "{name: 1–64 characters after trimming}"),
    responses((status = 200, description = "the renamed passkey"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 404, description = "NOT_FOUND (none of yours)")))]
pub async fn rename(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasskeyRename>,
) -> Result<Json<Passkey>, PortalError> {
    let owner = principal::session_employee(session.as_ref())?;
    let id = passkey_id(&id)?;
    let name = checked_name(&body.name)
        .ok_or_else(|| PortalError::malformed("name must be 1 to 64 characters"))?;
    let row = state
        .db()
        .rename_passkey(id, owner.as_str(), &name)
        .await?
        .ok_or(ErrorCode::NOT_FOUND)?;
    Ok(Json(to_wire(row)))
}

/// `DELETE /api/me/passkeys/{id}`.
#[utoipa::path(delete, path = "/api/me/passkeys/{id}",
    params(("id" = i64, Path, description = "passkey id")),
    responses((status = 204, description = "removed; it no longer logs in, and the other sessions it opened have ended"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 404, description = "NOT_FOUND (none of yours)")))]
pub async fn remove(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, PortalError> {
    let mut entry = AuditEntry::attempt("passkey_removal", addr);
    let result = async {
        let owner = principal::session_employee(session.as_ref())?;
        entry.national_id = Some(owner.as_str().to_owned());
        let id = passkey_id(&id)?;
        let removing = session.as_ref().map_or("", |s| s.token_hash.as_str());
        let removed = state
            .db()
            .delete_passkey(id, owner.as_str(), removing)
            .await?
            .ok_or(ErrorCode::NOT_FOUND)?;
        entry.passkey_credential = Some(removed.credential_id);
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    audit::record(&state, entry, result).await
}
