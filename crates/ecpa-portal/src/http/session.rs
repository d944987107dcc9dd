//! Password login, logout, the current principal, and the SPA's configuration.

use axum::{Json, extract::State, http::header, response::IntoResponse, response::Response};
use ecpa_wire::ErrorCode;
use ecpa_wire::api::{ClientConfig, LoginMethod, PasswordLogin, Principal};

use super::extract::{ApiJson, ClientAddr, CurrentSession, clear_session_cookie};
use super::rate_limit::caller_key;
use super::state::AppState;
use super::steps::{audit, principal, purge, sessions};
use crate::PortalError;
use crate::db::{AuditEntry, SessionKind};
use crate::domain::throttle::account_wait;

/// Wrong passwords counted over this window.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Wrong passwords allowed per client address within the window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// Longest account name taken, in characters.
pub const MAX_ACCOUNT_CHARS: usize = 64;
/// Longest password taken, in characters: longer ones are refused before any hashing.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Account and password within their length limits, or `MALFORMED_REQUEST`.
pub(super) fn within_limits(login: &PasswordLogin) -> Result<(), PortalError> {
    if login.account.trim().chars().count() > MAX_ACCOUNT_CHARS {
        return Err(PortalError::malformed("account too long"));
    }
    if login.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(PortalError::malformed("password too long"));
    }
    Ok(())
}

/// `GET /api/config`.
#[utoipa::path(get, path = "/api/config", responses((status = 200, description = "agent and public origins")))]
pub async fn client_config(State(state): State<AppState>) -> Json<ClientConfig> {
    let settings = state.settings();
    Json(ClientConfig {
        agent_origin: settings.agent_origin.clone(),
        public_origin: settings.public_origin.clone(),
    })
}

/// `POST /api/session/password`.
#[utoipa::path(post, path = "/api/session/password",
    responses((status = 200, description = "principal; sets the session cookie"),
              (status = 400, description = "MALFORMED_REQUEST (account over 64 or password over 256 characters)"),
              (status = 401, description = "INVALID_CREDENTIALS"),
              (status = 429, description = "TOO_MANY_ATTEMPTS")))]
pub async fn password_login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<PasswordLogin>,
) -> Result<Response, PortalError> {
    within_limits(&body)?;
    let account = body.account.trim().to_owned();
    let mut entry = AuditEntry {
        account: Some(account.clone()),
        ..AuditEntry::attempt("password_login", addr.clone())
    };
    let result = async {
        purge::when_due(&state, state.now()).await?;
        let now = state.now().unix_timestamp();
        // Counted as a failure before the (slow) password check, and judged by the
        // attempts counted before it: of attempts made at the same time, the later ones
        // see the earlier, so no more than the free tries get their password checked.
        // An attempt refused unchecked is taken back, so refusals never extend a wait.
        // An IPv6 client is counted by its /64, as the challenge budget does.
        let caller = caller_key(&addr);
        let attempt = state.db().record_failure(&account, &caller, now).await?;
        let earlier = state
            .db()
            .recent_failures(&account, &caller, now - THROTTLE_WINDOW_SECONDS, attempt)
            .await?;
        let wait = account_wait(earlier.by_account, earlier.latest_by_account, now);
        if wait > 0 || earlier.by_caller >= MAX_FAILURES_PER_ADDRESS {
            state.db().forget_failure(attempt).await?;
            return Err(ErrorCode::TOO_MANY_ATTEMPTS.into());
        }
        let stored = state.db().account(&account).await?;
        let hash = stored
            .as_ref()
            .map_or(state.dummy_password_hash(), |a| a.password_hash.as_str())
            .to_owned();
        let password = body.password.clone();
        let matches = state.password_checks().verify(password, hash).await?;
        let Some(stored) = stored.filter(|_| matches) else {
            return Err(ErrorCode::INVALID_CREDENTIALS.into());
        };
        // Right password: this attempt and the account's earlier failures no longer count.
        state.db().clear_failures(&account).await?;
        let national_id = principal::stored_national_id(Some(&stored.national_id))?;
        entry.national_id = Some(national_id.as_str().to_owned());
        let who = principal::employee(&state, &national_id, LoginMethod::Password, false).await?;
        let (cookie, _) = sessions::start_session(
            &state,
            session.as_ref(),
            SessionKind::Employee,
            Some(&national_id),
            None,
            Some(LoginMethod::Password),
            None,
        )
        .await?;
        Ok(sessions::with_cookie(cookie, who))
    }
    .await;
    audit::record(&state, entry, result).await
}

/// `DELETE /api/session`.
#[utoipa::path(delete, path = "/api/session", responses((status = 204, description = "logged out")))]
pub async fn logout(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Response, PortalError> {
    if let Some(session) = session {
        state.db().delete_session(&session.token_hash).await?;
    }
    let cookie = clear_session_cookie(state.settings().secure_cookies())?;
    Ok((
        axum::http::StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie)],
    )
        .into_response())
}

/// `GET /api/me`.
#[utoipa::path(get, path = "/api/me",
    responses((status = 200, description = "the principal"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 403, description = "NOT_PERSONNEL_OFFICER (organization session whose officer is no longer eligible)")))]
pub async fn me(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Json<Principal>, PortalError> {
    let result = principal::of_session(&state, session.as_ref()).await;
    if let (Err(PortalError::Refused(_)), Some(s)) = (&result, &session)
        && s.kind == SessionKind::Organization
    {
        state.db().delete_session(&s.token_hash).await?;
    }
    result.map(Json)
}
