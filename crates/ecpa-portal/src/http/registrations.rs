//! `POST /api/registrations`, and the owner's list and withdrawal.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use ecpa_cert::unix_to_rfc3339;
use ecpa_wire::api::{ChallengePurpose, Registration, RegistrationRequest};
use ecpa_wire::{AgencyCode, CardKind, ErrorCode, NationalId};

use super::extract::{ApiJson, ClientAddr, CurrentSession};
use super::state::AppState;
use super::steps::card::{ChallengeUse, VerifiedCard, verify_answer};
use super::steps::{audit, principal};
use crate::PortalError;
use crate::db::{AuditEntry, NewRegistration, RegistrationRow};
use crate::domain::registration;

/// A stored registration as the API shows it.
pub(crate) fn to_wire(r: RegistrationRow) -> Registration {
    Registration {
        id: r.id,
        kind: r.kind,
        serial: r.serial,
        subject: r.subject,
        issuer: r.issuer,
        fingerprint: r.fingerprint,
        not_before: unix_to_rfc3339(r.not_before),
        not_after: unix_to_rfc3339(r.not_after),
        agency_code: r.agency_code.map(|c| c.to_string()),
        registered_at: unix_to_rfc3339(r.registered_at),
    }
}

/// The registrant may register this card today: returns the agency code to store.
async fn check_registrant(
    state: &AppState,
    registrant: &NationalId,
    card: &VerifiedCard,
    asked_agency: Option<&AgencyCode>,
) -> Result<Option<AgencyCode>, PortalError> {
    let standing = principal::standing(state, registrant).await?;
    match card.kind {
        CardKind::Citizen => {
            registration::citizen_card(&standing, registrant, &card.profile)?;
            Ok(None)
        }
        CardKind::Organization => {
            let claim = registration::organization_claim(&standing, asked_agency)?;
            let agency = state.db().known_agency(claim.agency_code).await?;
            Ok(Some(claim.check(agency.as_ref(), &card.profile)?))
        }
    }
}

/// A certificate registered already: its owner gets their registration back.
fn registered_again(
    existing: RegistrationRow,
    registrant: &NationalId,
) -> Result<(StatusCode, RegistrationRow), PortalError> {
    registration::registered_again(&existing.owner_national_id, registrant)?;
    Ok((StatusCode::OK, existing))
}

/// `POST /api/registrations`: register the card whose signature answers the challenge.
#[utoipa::path(post, path = "/api/registrations",
    responses((status = 201, description = "the new registration"),
              (status = 200, description = "already registered to you (idempotent)"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 403, description = "NOT_CURRENT_EMPLOYEE, NOT_PERSONNEL_OFFICER, NOT_YET_EFFECTIVE, ID_MISMATCH, AGENCY_NOT_YOURS (an organization card may be registered for the officer's own agency or one whose personnel_authority is theirs, and must carry that agency's OID), AGENCY_OID_UNKNOWN (the agency has no OID on file)"),
              (status = 404, description = "AGENCY_UNKNOWN"),
              (status = 409, description = "CERT_ALREADY_REGISTERED"),
              (status = 422, description = "WRONG_CERT_TYPE, BAD_SIGNATURE, CERT_*, UNTRUSTED_ISSUER")))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<RegistrationRequest>,
) -> Result<(StatusCode, Json<Registration>), PortalError> {
    let mut entry = AuditEntry::attempt("registration", addr);
    let result = async {
        let registrant = principal::session_employee(session.as_ref())?;
        entry.national_id = Some(registrant.as_str().to_owned());
        let card = verify_answer(
            &state,
            session.as_ref(),
            ChallengePurpose::Register,
            (&body).into(),
            &mut entry,
            ChallengeUse::First,
        )
        .await?;
        registration::card_type_asked(card.kind, body.kind)?;
        let identity = card.cert.identity_hex();
        if let Some(existing) = state.db().registration_by_identity(&identity).await? {
            return registered_again(existing, &registrant);
        }
        let agency_code =
            check_registrant(&state, &registrant, &card, body.agency_code.as_ref()).await?;
        let new = NewRegistration {
            owner_national_id: registrant.as_str().to_owned(),
            kind: card.kind,
            fingerprint: card.cert.fingerprint_hex(),
            identity: identity.clone(),
            serial: card.cert.serial_hex(),
            subject: card.profile.subject.display(),
            issuer: card.profile.issuer.display(),
            not_before: card.cert.not_before,
            not_after: card.cert.not_after,
            agency_code,
            certificate: card.cert.der,
            registered_at: state.now().unix_timestamp(),
        };
        match state
            .db()
            .insert_registration(&new, &audit::succeeded(&state, &entry))
            .await?
        {
            Some(row) => Ok((StatusCode::CREATED, row)),
            // Lost a race: someone registered the same certificate a moment ago.
            None => match state.db().registration_by_identity(&identity).await? {
                Some(existing) => registered_again(existing, &registrant),
                None => Err(ErrorCode::CERT_ALREADY_REGISTERED.into()),
            },
        }
    }
    .await;
    let answered = match result {
        // Its audit row was stored with it.
        Ok(created @ (StatusCode::CREATED, _)) => Ok(created),
        other => audit::record(&state, entry, other).await,
    };
    answered.map(|(status, row)| (status, Json(to_wire(row))))
}

/// `GET /api/me/certificates`.
#[utoipa::path(get, path = "/api/me/certificates",
    responses((status = 200, description = "the employee's registrations"),
              (status = 401, description = "UNAUTHENTICATED")))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Json<Vec<Registration>>, PortalError> {
    let owner = principal::session_employee(session.as_ref())?;
    let rows = state.db().registrations_of(owner.as_str()).await?;
    Ok(Json(rows.into_iter().map(to_wire).collect()))
}

/// `DELETE /api/me/certificates/{id}`: withdraw one of your registrations, and the
/// passkeys added under it.
#[utoipa::path(delete, path = "/api/me/certificates/{id}",
    params(("id" = i64, Path, description = "registration id")),
    responses((status = 204, description = "withdrawn; the passkeys added after a login with this card are removed too"),
              (status = 401, description = "UNAUTHENTICATED"),
              (status = 404, description = "NOT_FOUND")))]
pub async fn withdraw(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, PortalError> {
    let mut entry = AuditEntry::attempt("withdrawal", addr);
    let result = async {
        let owner = principal::session_employee(session.as_ref())?;
        entry.national_id = Some(owner.as_str().to_owned());
        let id: i64 = id.parse().map_err(PortalError::malformed)?;
        let registration = state
            .db()
            .registration(id)
            .await?
            .filter(|r| r.owner_national_id == owner.as_str())
            .ok_or(ErrorCode::NOT_FOUND)?;
        entry.cert_serial = Some(registration.serial.clone());
        entry.cert_fingerprint = Some(registration.fingerprint.clone());
        let removed_passkeys = state
            .db()
            .delete_registration(id, owner.as_str())
            .await?
            .ok_or(ErrorCode::NOT_FOUND)?;
        state.db().delete_sessions_of_registration(id).await?;
        Ok(removed_passkeys)
    }
    .await;
    let removed_passkeys = audit::record(&state, entry.clone(), result).await?;
    // The passkeys added under this card go with it.
    for credential in removed_passkeys {
        let removal = AuditEntry {
            event: "passkey_removal".to_owned(),
            passkey_credential: Some(credential),
            ..entry.clone()
        };
        audit::record(&state, removal, Ok(())).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
