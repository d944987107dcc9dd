//! `POST /api/passkeys/authentication/{start,finish}`: logging in with a passkey alone
//! (discoverable credentials: no user name is typed), by the same eligibility rule as a
//! citizen card login.

use axum::{extract::State, response::Response};
use ecpa_wire::ErrorCode;
use ecpa_wire::api::LoginMethod;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PublicKeyCredential, RequestChallengeResponse,
    WebauthnError,
};

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::state::AppState;
use super::steps::ceremony::{self, Ceremony};
use super::steps::passkey::{credential_text, rejected, relying_party_failure};
use super::steps::{audit, principal, sessions};
use crate::PortalError;
use crate::db::{AuditEntry, PasskeyUse, SessionKind};

/// `POST /api/passkeys/authentication/start` (body `{}`; no login needed).
#[utoipa::path(post, path = "/api/passkeys/authentication/start",
    responses((status = 200, description = "WebAuthn request options for a discoverable credential (webauthn-rs-proto RequestChallengeResponse: {publicKey: …, mediation: \"conditional\"}; drop mediation for a modal prompt); valid 5 minutes, for this session; may set an anonymous session cookie"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 429, description = "TOO_MANY_REQUESTS")))]
pub async fn start(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(_): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, PortalError> {
    if !state.allow_challenge(&addr) {
        tracing::warn!(%addr, "challenge budget used up");
        return Err(ErrorCode::TOO_MANY_REQUESTS.into());
    }
    let (options, kept): (RequestChallengeResponse, DiscoverableAuthentication) = state
        .passkeys()?
        .start_discoverable_authentication()
        .map_err(|e| relying_party_failure(&e))?;
    let (cookie, session) = sessions::current_or_anonymous(&state, session).await?;
    ceremony::store(
        &state,
        &session,
        Ceremony::Authentication,
        &options.public_key.challenge,
        &kept,
    )
    .await?;
    Ok(sessions::maybe_with_cookie(cookie, axum::Json(options)))
}

/// `POST /api/passkeys/authentication/finish`: the browser's `PublicKeyCredential`.
#[utoipa::path(post, path = "/api/passkeys/authentication/finish",
    request_body(content = String, description = "webauthn-rs-proto PublicKeyCredential (the browser's assertion, with its userHandle)"),
    responses((status = 200, description = "principal (login_method passkey); sets the session cookie"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "PASSKEY_UNKNOWN (not registered, or removed with its card); PASSKEY_REJECTED (signature, origin or user verification fails, or the signature counter went back: a cloned authenticator)"),
              (status = 403, description = "NOT_CURRENT_EMPLOYEE / NOT_YET_EFFECTIVE, as for a citizen card login"),
              (status = 410, description = "PASSKEY_CEREMONY_EXPIRED: no unused ceremony of this session for the answer's challenge, or older than 5 minutes")))]
pub async fn finish(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<PublicKeyCredential>,
) -> Result<Response, PortalError> {
    let mut entry = AuditEntry {
        passkey_credential: Some(credential_text(&body.raw_id)),
        ..AuditEntry::attempt("passkey_login", addr.clone())
    };
    let mut counter_went_back = false;
    let result = async {
        let relying_party = state.passkeys()?;
        let kept: DiscoverableAuthentication = ceremony::take(
            &state,
            session.as_ref(),
            Ceremony::Authentication,
            &body.response.client_data_json,
        )
        .await?;
        let (user_handle, credential_id) = relying_party
            .identify_discoverable_authentication(&body)
            .map_err(|_| ErrorCode::PASSKEY_UNKNOWN)?;
        let row = state
            .db()
            .passkey_by_credential(&credential_text(credential_id))
            .await?
            .filter(|row| row.user_handle == user_handle.to_string())
            .ok_or(ErrorCode::PASSKEY_UNKNOWN)?;
        entry.national_id = Some(row.owner_national_id.clone());
        let mut passkey: Passkey = serde_json::from_str(&row.credential)
            .map_err(|e| PortalError::Internal(format!("stored passkey {}: {e}", row.id)))?;
        let outcome = relying_party
            .finish_discoverable_authentication_v2(&body, kept, &passkey)
            .map_err(|e| {
                counter_went_back = matches!(e, WebauthnError::CredentialPossibleCompromise);
                rejected(&e)
            })?;
        passkey.update_credential(&outcome);
        let stored =
            serde_json::to_string(&passkey).map_err(|e| PortalError::Internal(e.to_string()))?;
        let recorded = state
            .db()
            .record_passkey_use(&PasskeyUse {
                id: row.id,
                credential: stored,
                sign_count: outcome.counter(),
                backup_eligible: outcome.backup_eligible(),
                backup_state: outcome.backup_state(),
                at: state.now().unix_timestamp(),
            })
            .await?;
        if !recorded {
            // Another login with this counter value got in first.
            counter_went_back = true;
            return Err(ErrorCode::PASSKEY_REJECTED.into());
        }
        let owner = principal::stored_national_id(Some(&row.owner_national_id))?;
        let who = principal::citizen_card_owner(&state, &owner, LoginMethod::Passkey).await?;
        let (cookie, _) = sessions::start_session(
            &state,
            session.as_ref(),
            SessionKind::Employee,
            Some(&owner),
            Some(row.registration_id),
            Some(LoginMethod::Passkey),
            Some(row.id),
        )
        .await?;
        Ok(sessions::with_cookie(cookie, who))
    }
    .await;
    if counter_went_back {
        // A cloned authenticator is likely: its own row, beside the refused login.
        tracing::warn!(credential = ?entry.passkey_credential, "passkey counter went back");
        let clone = AuditEntry {
            event: "passkey_counter_regression".to_owned(),
            ..entry.clone()
        };
        let refused = Err::<(), _>(PortalError::Refused(ErrorCode::PASSKEY_REJECTED));
        let _ = audit::record(&state, clone, refused).await;
    }
    audit::record(&state, entry, result).await
}
