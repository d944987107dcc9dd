//! What the portal checks in a REST request body before any storage is read: the JSON
//! read as [`super::ApiJson`] reads it, then the handlers' own field checks (lengths,
//! base64, the certificate's encoding and profile, the signature's form).

use axum::Json;
use ecpa_wire::ErrorCode;
use ecpa_wire::api::{
    CertificateLogin, CertificateStatusRequest, ChallengeRequest, PasswordLogin,
    RegistrationRequest,
};
use serde::de::DeserializeOwned;

use super::extract::base64_field;
use super::session::within_limits;
use super::steps::card::{CardAnswer, card_profile};
use crate::PortalError;
use crate::pki::{ParsedCert, verify_card_signature};

/// The API paths (under `/api`) that take a JSON body.
pub const BODY_ROUTES: [&str; 5] = [
    "/session/password",
    "/challenges",
    "/certificates/status",
    "/session/certificate",
    "/registrations",
];

/// Checks `body` as the handler of `route` (one of [`BODY_ROUTES`]) does before it
/// reads the database.
pub fn check_request_body(route: &str, body: &[u8]) -> Result<(), PortalError> {
    match route {
        "/session/password" => within_limits(&read::<PasswordLogin>(body)?),
        "/challenges" => read::<ChallengeRequest>(body).map(drop),
        "/certificates/status" => {
            let request = read::<CertificateStatusRequest>(body)?;
            let der = base64_field("certificate", &request.certificate)?;
            let cert = ParsedCert::parse(&der).map_err(PortalError::malformed)?;
            card_profile(&cert).map(drop)
        }
        "/session/certificate" => card_answer((&read::<CertificateLogin>(body)?).into()),
        "/registrations" => card_answer((&read::<RegistrationRequest>(body)?).into()),
        _ => Err(ErrorCode::NOT_FOUND.into()),
    }
}

fn read<T: DeserializeOwned>(body: &[u8]) -> Result<T, PortalError> {
    Json::<T>::from_bytes(body)
        .map(|Json(value)| value)
        .map_err(|e| PortalError::malformed(e.body_text()))
}

/// A card's answer as `verify_answer` decodes it, the signature checked over a text
/// of the challenge's form.
fn card_answer(answer: CardAnswer<'_>) -> Result<(), PortalError> {
    let der = base64_field("certificate", answer.certificate)?;
    let signature = base64_field("signature", answer.signature)?;
    let cert = ParsedCert::parse(&der).map_err(PortalError::malformed)?;
    let tbs = format!(
        "{}\nnonce={}",
        ecpa_wire::challenge::HEADER,
        answer.nonce.to_hex()
    );
    if !verify_card_signature(cert.spki(), tbs.as_bytes(), &signature) {
        return Err(ErrorCode::BAD_SIGNATURE.into());
    }
    card_profile(&cert).map(drop)
}
