//! A card's signed answer to a challenge, the first step of a certificate login and
//! of a registration: decoded, noted in the audit entry, the challenge taken, then the
//! certificate and the signature verified. The certificate is parsed once.

use ecpa_cert::CertProfile;
use ecpa_wire::api::{CertificateLogin, ChallengePurpose, RegistrationRequest};
use ecpa_wire::{CardKind, ErrorCode, Nonce};
use sha2::{Digest, Sha256};

use super::challenge;
use crate::PortalError;
use crate::db::{AuditEntry, SessionRow};
use crate::http::extract::base64_field;
use crate::http::state::AppState;
use crate::pki::{CertCheckError, ParsedCert, verify_card_signature};

/// What a card sent back: the challenge's nonce, and its certificate and signature in
/// base64 as the request carries them.
#[derive(Debug, Clone, Copy)]
pub struct CardAnswer<'a> {
    pub nonce: &'a Nonce,
    pub certificate: &'a str,
    pub signature: &'a str,
}

impl<'a> From<&'a CertificateLogin> for CardAnswer<'a> {
    fn from(body: &'a CertificateLogin) -> Self {
        Self {
            nonce: &body.nonce,
            certificate: &body.certificate,
            signature: &body.signature,
        }
    }
}

impl<'a> From<&'a RegistrationRequest> for CardAnswer<'a> {
    fn from(body: &'a RegistrationRequest) -> Self {
        Self {
            nonce: &body.nonce,
            certificate: &body.certificate,
            signature: &body.signature,
        }
    }
}

/// A card certificate that passed every check, and what it says.
#[derive(Debug)]
pub struct VerifiedCard {
    pub cert: ParsedCert,
    pub profile: CertProfile,
    pub kind: CardKind,
}

/// Reads a certificate's profile; one ECPA does not know is `UNSUPPORTED_CERT`.
pub fn card_profile(cert: &ParsedCert) -> Result<(CertProfile, CardKind), PortalError> {
    let profile = ecpa_cert::profile_of(&cert.cert).map_err(|e| {
        tracing::info!(error = %e, "certificate profile not readable");
        PortalError::Refused(ErrorCode::UNSUPPORTED_CERT)
    })?;
    let kind = profile.kind.ok_or(ErrorCode::UNSUPPORTED_CERT)?;
    Ok((profile, kind))
}

/// When the answered challenge is used up. Either way it answers once: a second
/// answer to it is `CHALLENGE_UNKNOWN`, whether the first succeeded or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeUse {
    /// Before the certificate is checked (a registration).
    First,
    /// In the write that opens the login's session
    /// ([`crate::db::Db::open_login_session`]), so a login stopped half way (a killed
    /// process) leaves neither a session nor a used challenge; here only when a check
    /// fails, and by the caller when a later step fails.
    WithTheSession,
}

/// Decodes the answer and notes its certificate in `entry` (as soon as the bytes are
/// known, so a refusal is logged with them), takes the challenge (used up as `when`
/// says), then checks the certificate's chain and validity, the card's signature over
/// the challenge text the portal stored, the certificate's revocation (OCSP when on,
/// else or failing that the CRL), keyUsage and policy, and that its CA may issue its
/// kind of card.
pub async fn verify_answer(
    state: &AppState,
    session: Option<&SessionRow>,
    purpose: ChallengePurpose,
    answer: CardAnswer<'_>,
    entry: &mut AuditEntry,
    when: ChallengeUse,
) -> Result<VerifiedCard, PortalError> {
    let der = base64_field("certificate", answer.certificate)?;
    let parsed = ParsedCert::parse(&der);
    entry.cert_fingerprint = Some(hex::encode(Sha256::digest(&der)));
    entry.cert_serial = parsed.as_ref().ok().map(ParsedCert::serial_hex);
    let signature = base64_field("signature", answer.signature)?;
    let tbs = match when {
        ChallengeUse::First => challenge::take(state, session, answer.nonce, purpose).await?,
        ChallengeUse::WithTheSession => {
            challenge::read(state, session, answer.nonce, purpose).await?
        }
    };
    let parsed = parsed.map_err(|_| CertCheckError::Malformed);
    let checked = check_card(state, parsed, &signature, &tbs).await;
    if let (Err(_), ChallengeUse::WithTheSession, Some(session)) = (&checked, when, session) {
        challenge::burn(state, session, answer.nonce).await;
    }
    checked
}

/// Every check of a card's certificate and of its signature over `tbs`.
async fn check_card(
    state: &AppState,
    parsed: Result<ParsedCert, CertCheckError>,
    signature: &[u8],
    tbs: &str,
) -> Result<VerifiedCard, PortalError> {
    let now = state.now().unix_timestamp();
    let trust = state.trust();
    let refused = |e: CertCheckError| {
        tracing::info!(error = %e, "certificate refused");
        PortalError::Refused(e.into())
    };
    let cert = parsed.map_err(refused)?;
    let chain = trust.card_chain(&cert, now).map_err(refused)?;
    let issuer = trust.issuer(&chain);
    if !verify_card_signature(cert.spki(), tbs.as_bytes(), signature) {
        return Err(ErrorCode::BAD_SIGNATURE.into());
    }
    // Asked only now: for a certificate of a configured CA, with its key's signature.
    let ocsp = match state.ocsp() {
        Some(client) => client.verdict(&cert, issuer, now).await,
        None => None,
    };
    trust
        .check_card(&cert, &chain, now, ocsp)
        .map_err(refused)?;
    let (profile, kind) = card_profile(&cert)?;
    if !state.settings().issuer_kinds.allows(kind, &issuer.key_id()) {
        tracing::info!(?kind, issuer = %issuer.cert.tbs_certificate.subject, "CA not listed for this kind of card");
        return Err(ErrorCode::UNTRUSTED_ISSUER.into());
    }
    Ok(VerifiedCard {
        cert,
        profile,
        kind,
    })
}
