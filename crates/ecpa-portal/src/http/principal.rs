//! Who a session stands for, re-read from the personnel data on every use, and the
//! session rotation that happens on every login.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ecpa_wire::api::{LoginMethod, Principal};
use ecpa_wire::{ErrorCode, NationalId};

use super::AppState;
use super::extract::{session_cookie, token_hash};
use crate::PortalError;
use crate::clock::taipei_today;
use crate::db::{RegistrationRow, SessionKind, SessionRow};
use crate::domain::Standing;

/// A logged-in session lasts this long.
pub const LOGIN_SECONDS: i64 = 8 * 3600;
/// An anonymous session (holding login challenges) lasts this long.
pub const ANONYMOUS_SECONDS: i64 = 30 * 60;

/// A person's standing today (Taiwan time).
pub async fn standing(state: &AppState, national_id: &NationalId) -> Result<Standing, PortalError> {
    let records = state.db().personnel_records(national_id).await?;
    Ok(Standing::on(&records, taipei_today(state.now())))
}

pub fn stored_national_id(text: Option<&str>) -> Result<NationalId, PortalError> {
    text.and_then(|t| NationalId::parse(t).ok()).ok_or_else(|| {
        PortalError::Internal("session or account without a valid national ID".into())
    })
}

/// An employee as the personnel data shows them today.
pub async fn employee(
    state: &AppState,
    national_id: &NationalId,
    method: LoginMethod,
) -> Result<Principal, PortalError> {
    let standing = standing(state, national_id).await?;
    let record = standing
        .display_record()
        .ok_or(ErrorCode::NOT_CURRENT_EMPLOYEE)?;
    let agency_name = state
        .db()
        .agency(&record.agency_code)
        .await?
        .map(|a| a.name);
    Ok(Principal::Employee {
        name: record.name.clone(),
        national_id_masked: national_id.masked(),
        agency_code: record.agency_code.to_string(),
        agency_name,
        is_personnel_officer: standing.is_personnel_officer(),
        login_method: method,
    })
}

/// An agency's personnel-only area, open while the registering officer is still a
/// personnel officer of that agency.
pub async fn organization(
    state: &AppState,
    registration: &RegistrationRow,
) -> Result<Principal, PortalError> {
    let officer = stored_national_id(Some(&registration.owner_national_id))?;
    let standing = standing(state, &officer).await?;
    let record = standing
        .require_personnel_officer()
        .map_err(ErrorCode::from)?;
    let agency_code = registration
        .agency_code
        .clone()
        .ok_or_else(|| PortalError::Internal("organization registration without agency".into()))?;
    if record.agency_code.as_str() != agency_code {
        return Err(ErrorCode::NOT_PERSONNEL_OFFICER.into());
    }
    let agency_name = match ecpa_wire::AgencyCode::parse(&agency_code) {
        Ok(code) => state.db().agency(&code).await?.map(|a| a.name),
        Err(_) => None,
    };
    Ok(Principal::Organization {
        agency_code,
        agency_name,
        officer_name: record.name.clone(),
    })
}

/// The principal of a logged-in session (re-checked now), or `UNAUTHENTICATED`.
pub async fn of_session(
    state: &AppState,
    session: Option<&SessionRow>,
) -> Result<Principal, PortalError> {
    let session = session.ok_or(ErrorCode::UNAUTHENTICATED)?;
    match session.kind {
        SessionKind::Anonymous => Err(ErrorCode::UNAUTHENTICATED.into()),
        SessionKind::Employee => {
            let id = stored_national_id(session.national_id.as_deref())?;
            let method = match session.login_method.as_deref() {
                Some("certificate") => LoginMethod::Certificate,
                _ => LoginMethod::Password,
            };
            employee(state, &id, method).await
        }
        SessionKind::Organization => {
            let id = session.registration_id.ok_or_else(|| {
                PortalError::Internal("organization session without registration".into())
            })?;
            let registration = state
                .db()
                .registration(id)
                .await?
                .ok_or(ErrorCode::UNAUTHENTICATED)?;
            organization(state, &registration).await
        }
    }
}

/// The employee a session belongs to, for calls only an employee may make.
pub fn session_employee(session: Option<&SessionRow>) -> Result<NationalId, PortalError> {
    match session {
        Some(s) if s.kind == SessionKind::Employee => stored_national_id(s.national_id.as_deref()),
        _ => Err(ErrorCode::UNAUTHENTICATED.into()),
    }
}

/// Starts a new session (dropping `previous`, so a login never keeps an old token) and
/// returns its cookie.
pub async fn start_session(
    state: &AppState,
    previous: Option<&SessionRow>,
    kind: SessionKind,
    national_id: Option<&NationalId>,
    registration_id: Option<i64>,
    login_method: Option<LoginMethod>,
) -> Result<(HeaderValue, SessionRow), PortalError> {
    let token = hex::encode(state.entropy().bytes::<32>());
    let now = state.now().unix_timestamp();
    let lifetime = match kind {
        SessionKind::Anonymous => ANONYMOUS_SECONDS,
        _ => LOGIN_SECONDS,
    };
    let row = SessionRow {
        token_hash: token_hash(&token),
        kind,
        national_id: national_id.map(|n| n.as_str().to_owned()),
        registration_id,
        login_method: login_method.map(|m| match m {
            LoginMethod::Password => "password".to_owned(),
            LoginMethod::Certificate => "certificate".to_owned(),
        }),
        expires_at: now + lifetime,
    };
    let previous = previous.map(|p| p.token_hash.as_str());
    state.db().replace_session(previous, &row, now).await?;
    let cookie = session_cookie(&token, lifetime, state.settings().secure_cookies())?;
    Ok((cookie, row))
}

/// A principal answer that also sets the session cookie.
pub fn with_cookie(cookie: HeaderValue, principal: Principal) -> Response {
    ([(header::SET_COOKIE, cookie)], Json(principal)).into_response()
}
