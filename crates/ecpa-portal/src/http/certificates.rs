//! Certificate status and certificate login.

use axum::{Json, extract::State, response::Response};
use ecpa_wire::ErrorCode;
use ecpa_wire::api::{
    CertificateLogin, CertificateStatus, CertificateStatusRequest, ChallengePurpose,
};

use super::extract::{ApiJson, ClientAddr, CurrentSession, base64_field};
use super::state::AppState;
use super::steps::card::{ChallengeUse, card_profile, verify_answer};
use super::steps::{audit, challenge, principal, sessions};
use crate::PortalError;
use crate::db::AuditEntry;
use crate::pki::ParsedCert;

/// `POST /api/certificates/status`: is this card's certificate registered?
#[utoipa::path(post, path = "/api/certificates/status",
    responses((status = 200, description = "{registered, kind}"),
              (status = 400, description = "MALFORMED_REQUEST"),
              (status = 422, description = "UNSUPPORTED_CERT")))]
pub async fn status(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CertificateStatusRequest>,
) -> Result<Json<CertificateStatus>, PortalError> {
    let der = base64_field("certificate", &body.certificate)?;
    let cert = ParsedCert::parse(&der).map_err(PortalError::malformed)?;
    let (_, kind) = card_profile(&cert)?;
    let registered = state
        .db()
        .registration_by_identity(&cert.identity_hex())
        .await?
        .is_some();
    Ok(Json(CertificateStatus { registered, kind }))
}

/// `POST /api/session/certificate`: log in with a registered card.
#[utoipa::path(post, path = "/api/session/certificate",
    responses((status = 200, description = "principal; sets the session cookie"),
              (status = 404, description = "CERT_NOT_REGISTERED"),
              (status = 403, description = "NOT_CURRENT_EMPLOYEE / NOT_PERSONNEL_OFFICER / NOT_YET_EFFECTIVE"),
              (status = 410, description = "CHALLENGE_EXPIRED"),
              (status = 422, description = "BAD_SIGNATURE, CERT_EXPIRED, CERT_REVOKED, UNTRUSTED_ISSUER, …")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CurrentSession(session): CurrentSession,
    ApiJson(body): ApiJson<CertificateLogin>,
) -> Result<Response, PortalError> {
    let mut entry = AuditEntry::attempt("certificate_login", addr);
    let result = async {
        let card = verify_answer(
            &state,
            session.as_ref(),
            ChallengePurpose::Login,
            (&body).into(),
            &mut entry,
            ChallengeUse::WithTheSession,
        )
        .await?;
        // The challenge exists, so the session holding it does.
        let session = session.as_ref().ok_or(ErrorCode::CHALLENGE_UNKNOWN)?;
        let opened = async {
            let holder = state
                .db()
                .card_holder(&card.cert.identity_hex())
                .await?
                .ok_or(ErrorCode::CERT_NOT_REGISTERED)?;
            let registration_id = holder.registration.id;
            entry.national_id = Some(holder.registration.owner_national_id.clone());
            let owner =
                principal::stored_national_id(Some(&holder.registration.owner_national_id))?;
            let (who, kind) = principal::card_login(&state, &owner, holder)?;
            let cookie = sessions::start_audited_session(
                &state,
                session,
                &body.nonce,
                kind,
                &owner,
                registration_id,
                &audit::succeeded(&state, &entry),
            )
            .await?;
            Ok(sessions::with_cookie(cookie, who))
        }
        .await;
        if opened.is_err() {
            challenge::burn(&state, session, &body.nonce).await;
        }
        opened
    }
    .await;
    match result {
        // Its audit row was stored with the session.
        Ok(answer) => Ok(answer),
        failed => audit::record(&state, entry, failed).await,
    }
}
