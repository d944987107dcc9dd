//! Certificate status, certificate login, and the card checks both flows share.

use axum::{Json, extract::State, response::Response};
use ecpa_cert::CertProfile;
use ecpa_wire::api::{
    CertificateLogin, CertificateStatus, CertificateStatusRequest, ChallengePurpose, LoginMethod,
};
use ecpa_wire::{CardKind, ErrorCode, Nonce};
use sha2::{Digest, Sha256};

use super::extract::{ApiJson, ClientAddr, CurrentSession, base64_field};
use super::{AppState, audit, challenges, principal};
use crate::PortalError;
use crate::db::{AuditEntry, SessionKind, SessionRow};
use crate::pki::{ParsedCert, verify_card_signature};

/// A card certificate that passed every check, and what it says.
#[derive(Debug)]
pub struct VerifiedCard {
    pub cert: ParsedCert,
    pub profile: CertProfile,
    pub kind: CardKind,
}

/// Reads a certificate's profile; one ECPA does not know is `UNSUPPORTED_CERT`.
pub fn card_profile(der: &[u8]) -> Result<(CertProfile, CardKind), PortalError> {
    let profile = ecpa_cert::parse_der(der).map_err(|e| {
        tracing::info!(error = %e, "certificate profile not readable");
        PortalError::Refused(ErrorCode::UNSUPPORTED_CERT)
    })?;
    let kind = profile.kind.ok_or(ErrorCode::UNSUPPORTED_CERT)?;
    Ok((profile, kind))
}

/// The audit fields a certificate gives, filled in as soon as the bytes are known.
pub fn note_certificate(entry: &mut AuditEntry, der: &[u8]) {
    entry.cert_fingerprint = Some(hex::encode(Sha256::digest(der)));
    entry.cert_serial = ParsedCert::parse(der).ok().map(|c| c.serial_hex());
}

/// Uses up the challenge, then checks the certificate (chain, validity, revocation,
/// keyUsage) and the card's signature over the challenge text the portal stored.
pub async fn verify_signed_challenge(
    state: &AppState,
    session: Option<&SessionRow>,
    nonce: &Nonce,
    purpose: ChallengePurpose,
    certificate: &[u8],
    signature: &[u8],
) -> Result<VerifiedCard, PortalError> {
    let tbs = challenges::take(state, session, nonce, purpose).await?;
    let now = state.now().unix_timestamp();
    let cert = state
        .trust()
        .check_signing_certificate(certificate, now)
        .map_err(|e| {
            tracing::info!(error = %e, "certificate refused");
            PortalError::Refused(e.into())
        })?;
    if !verify_card_signature(cert.spki(), tbs.as_bytes(), signature) {
        return Err(ErrorCode::BAD_SIGNATURE.into());
    }
    let (profile, kind) = card_profile(certificate)?;
    Ok(VerifiedCard {
        cert,
        profile,
        kind,
    })
}

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
    let (_, kind) = card_profile(&der)?;
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
        let der = base64_field("certificate", &body.certificate)?;
        note_certificate(&mut entry, &der);
        let signature = base64_field("signature", &body.signature)?;
        let card = verify_signed_challenge(
            &state,
            session.as_ref(),
            &body.nonce,
            ChallengePurpose::Login,
            &der,
            &signature,
        )
        .await?;
        let registration = state
            .db()
            .registration_by_identity(&card.cert.identity_hex())
            .await?
            .ok_or(ErrorCode::CERT_NOT_REGISTERED)?;
        entry.national_id = Some(registration.owner_national_id.clone());
        let owner = principal::stored_national_id(Some(&registration.owner_national_id))?;
        let (who, kind, registration_id) = match registration.kind {
            CardKind::Citizen => {
                principal::standing(&state, &owner)
                    .await?
                    .require_current()
                    .map_err(ErrorCode::from)?;
                let who = principal::employee(&state, &owner, LoginMethod::Certificate).await?;
                (who, SessionKind::Employee, None)
            }
            CardKind::Organization => {
                let who = principal::organization(&state, &registration).await?;
                (who, SessionKind::Organization, Some(registration.id))
            }
        };
        let (cookie, _) = principal::start_session(
            &state,
            session.as_ref(),
            kind,
            Some(&owner),
            registration_id,
            Some(LoginMethod::Certificate),
        )
        .await?;
        Ok(principal::with_cookie(cookie, who))
    }
    .await;
    audit::record(&state, entry, result).await
}
