//! `POST /api/passkeys/registration/{start,finish}`: adding a passkey in a session a
//! citizen card opened within the last five minutes.

use axum::{Json, extract::State, http::StatusCode};
use ecpa_wire::api::{Passkey, PasskeyRegistrationFinish};
use ecpa_wire::{ErrorCode, NationalId};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, Credential, PasskeyRegistration, Uuid, Webauthn,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::state::AppState;
use super::steps::ceremony::{self, Ceremony};
use super::steps::passkey::{
    credential_bytes, credential_text, rejected, relying_party_failure, to_wire,
};
use super::steps::{audit, principal, step_up};
use crate::PortalError;
use crate::db::{AuditEntry, NewPasskey, PasskeyRow};
use crate::domain::passkey_names::{checked_name, default_name};

/// What a registration ceremony keeps until it is finished.
#[derive(Serialize, Deserialize)]
struct RegistrationCeremony {
    /// The WebAuthn user handle the options carried.
    user_handle: Uuid,
    state: PasskeyRegistration,
}

/// Creation options for `owner`: their existing passkeys excluded, their user handle
/// reused (a new one for their first), and a discoverable credential asked for, since
/// passkey login names no user.
fn creation_options(
    relying_party: &Webauthn,
    state: &AppState,
    owner: &NationalId,
    display_name: &str,
    existing: &[PasskeyRow],
) -> Result<(CreationChallengeResponse, RegistrationCeremony), PortalError> {
    let user_handle = existing
        .iter()
        .find_map(|p| Uuid::parse_str(&p.user_handle).ok())
        .unwrap_or_else(|| Uuid::from_bytes(state.entropy().bytes()));
    let exclude = existing
        .iter()
        .filter_map(|p| credential_bytes(&p.credential_id))
        .collect();
    let (mut options, registration) = relying_party
        .start_passkey_registration(user_handle, &owner.masked(), display_name, Some(exclude))
        .map_err(|e| relying_party_failure(&e))?;
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    Ok((
        options,
        RegistrationCeremony {
            user_handle,
            state: registration,
        },
    ))
}

/// `POST /api/passkeys/registration/start` (body `{}`).
#[utoipa::path(post, path = "/api/passkeys/registration/start",
    responses((status = 200, description = "WebAuthn creation options (webauthn-rs-proto CreationChallengeResponse: {publicKey: …}); valid 5 minutes, for this session"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 403, description = "PASSKEY_STEP_UP_REQUIRED: the session was not opened by a citizen card login within the last 5 minutes (password, passkey and organization sessions never may)"),
              (status = 429, description = "TOO_MANY_REQUESTS")))]
pub async fn start(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(_): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<CreationChallengeResponse>, PortalError> {
    let (owner, _) = step_up::card_step_up(session.as_ref(), state.now().unix_timestamp())?;
    if !state.allow_challenge(&addr) {
        return Err(ErrorCode::TOO_MANY_REQUESTS.into());
    }
    let relying_party = state.passkeys()?;
    let standing = principal::standing(&state, &owner).await?;
    let display_name = standing
        .display_record()
        .map(|r| r.name.clone())
        .ok_or(ErrorCode::NOT_CURRENT_EMPLOYEE)?;
    let existing = state.db().passkeys_of(owner.as_str()).await?;
    let (options, kept) =
        creation_options(relying_party, &state, &owner, &display_name, &existing)?;
    let session = session.as_ref().ok_or(ErrorCode::UNAUTHENTICATED)?;
    ceremony::store(
        &state,
        session,
        Ceremony::Registration,
        &options.public_key.challenge,
        &kept,
    )
    .await?;
    Ok(Json(options))
}

/// The name asked for, checked, or the default.
fn name_for(asked: Option<&str>, existing: &[PasskeyRow]) -> Result<String, PortalError> {
    match asked {
        Some(text) => checked_name(text)
            .ok_or_else(|| PortalError::malformed("name must be 1 to 64 characters")),
        None => Ok(default_name(existing.iter().map(|p| p.name.as_str()))),
    }
}

/// `POST /api/passkeys/registration/finish`.
#[utoipa::path(post, path = "/api/passkeys/registration/finish",
    request_body(content = String, description = "{credential: RegisterPublicKeyCredential (the browser's answer), name?: 1–64 characters (default 「通行密鑰 N」)}"),
    responses((status = 201, description = "the stored passkey {id, name, created_at, last_used_at?}"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 401, description = "UNAUTHENTICATED; PASSKEY_REJECTED (the answer does not verify, user verification missing, or the credential is registered already)"),
              (status = 403, description = "PASSKEY_STEP_UP_REQUIRED"),
              (status = 410, description = "PASSKEY_CEREMONY_EXPIRED: no unused ceremony of this session for the answer's challenge, or older than 5 minutes")))]
pub async fn finish(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<PasskeyRegistrationFinish>,
) -> Result<(StatusCode, Json<Passkey>), PortalError> {
    let mut entry = AuditEntry {
        passkey_credential: Some(credential_text(&body.credential.raw_id)),
        ..AuditEntry::attempt("passkey_registration", addr)
    };
    let result = async {
        let now = state.now().unix_timestamp();
        let (owner, registration_id) = step_up::card_step_up(session.as_ref(), now)?;
        entry.national_id = Some(owner.as_str().to_owned());
        let existing = state.db().passkeys_of(owner.as_str()).await?;
        let name = name_for(body.name.as_deref(), &existing)?;
        let relying_party = state.passkeys()?;
        let kept: RegistrationCeremony = ceremony::take(
            &state,
            session.as_ref(),
            Ceremony::Registration,
            &body.credential.response.client_data_json,
        )
        .await?;
        let passkey = relying_party
            .finish_passkey_registration(&body.credential, &kept.state)
            .map_err(|e| rejected(&e))?;
        let credential_id = credential_text(passkey.cred_id());
        entry.passkey_credential = Some(credential_id.clone());
        let stored =
            serde_json::to_string(&passkey).map_err(|e| PortalError::Internal(e.to_string()))?;
        let internals = Credential::from(passkey);
        let new = NewPasskey {
            owner_national_id: owner.as_str().to_owned(),
            registration_id,
            credential_id,
            user_handle: kept.user_handle.to_string(),
            name,
            credential: stored,
            sign_count: internals.counter,
            backup_eligible: internals.backup_eligible,
            backup_state: internals.backup_state,
            created_at: now,
        };
        // Registered already (to this person or another): the exclude list keeps
        // browsers from it, so this answer was made up.
        state
            .db()
            .insert_passkey(&new)
            .await?
            .ok_or(PortalError::Refused(ErrorCode::PASSKEY_REJECTED))
    }
    .await;
    audit::record(&state, entry, result)
        .await
        .map(|row| (StatusCode::CREATED, Json(to_wire(row))))
}
