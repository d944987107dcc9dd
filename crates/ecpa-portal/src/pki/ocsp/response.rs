//! Whether an OCSP response can be relied on, and what it says about one certificate.

use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use x509_ocsp::{BasicOcspResponse, CertId, CertStatus, OcspResponse, OcspResponseStatus};

use crate::pki::cert::{signed_part, strip_zero};
use crate::pki::signature::is_sha1;
use crate::pki::{ParsedCert, verify_signed};

/// id-pkix-ocsp-basic: the only response type there is.
const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-kp-OCSPSigning: a delegated responder's certificate must carry it.
const OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");

/// What a responder said, once the answer was found trustworthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Good, until `next_update` (Unix seconds) when the responder gave one.
    Good { next_update: Option<i64> },
    /// Revoked, or `unknown`: a responder that does not know a certificate of its own
    /// CA gives no reason to accept it.
    Revoked,
}

/// Why a response is not relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("not a DER OCSP response")]
    Malformed,
    #[error("the responder did not answer successfully")]
    NotSuccessful,
    #[error("signed with SHA-1")]
    Sha1,
    #[error("signed neither by the CA nor by a responder the CA authorised (id-kp-OCSPSigning)")]
    Signer,
    #[error("says nothing about the certificate asked about")]
    NotAsked,
    #[error("thisUpdate is in the future")]
    NotYetValid,
    #[error("past its nextUpdate (stale)")]
    Stale,
}

/// Reads `body` as the answer about `id` (a certificate of `issuer`) at `now`, with
/// `skew` seconds allowed between the responder's clock and ours.
pub fn read(
    body: &[u8],
    id: &CertId,
    issuer: &ParsedCert,
    now: i64,
    skew: i64,
) -> Result<Answer, Unusable> {
    let response = OcspResponse::from_der(body).map_err(|_| Unusable::Malformed)?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(Unusable::NotSuccessful);
    }
    let bytes = response
        .response_bytes
        .filter(|b| b.response_type == OCSP_BASIC)
        .ok_or(Unusable::Malformed)?;
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(|_| Unusable::Malformed)?;
    let signed = signed_part(basic_der).map_err(|_| Unusable::Malformed)?;
    check_signer(&basic, &signed, issuer, now)?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| same_cert(&r.cert_id, id))
        .ok_or(Unusable::NotAsked)?;
    let this_update = unix(&single.this_update);
    if this_update > now.saturating_add(skew) {
        return Err(Unusable::NotYetValid);
    }
    let next_update = single.next_update.as_ref().map(unix);
    // Without nextUpdate an answer says how things stand only when it was made.
    let good_until = next_update.unwrap_or(this_update);
    if now > good_until.saturating_add(skew) {
        return Err(Unusable::Stale);
    }
    Ok(match single.cert_status {
        CertStatus::Good(_) => Answer::Good { next_update },
        CertStatus::Revoked(_) | CertStatus::Unknown(_) => Answer::Revoked,
    })
}

/// The response is signed by the CA itself, or by a certificate the CA issued for
/// OCSP signing (id-kp-OCSPSigning) that is valid at `now`.
fn check_signer(
    basic: &BasicOcspResponse,
    signed: &[u8],
    issuer: &ParsedCert,
    now: i64,
) -> Result<(), Unusable> {
    let algorithm = &basic.signature_algorithm.oid;
    if is_sha1(algorithm) {
        return Err(Unusable::Sha1);
    }
    let signature = basic.signature.raw_bytes();
    if verify_signed(algorithm, signed, signature, issuer.spki()) {
        return Ok(());
    }
    let delegated = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|c| ParsedCert::parse(&c.to_der().ok()?).ok())
        .any(|responder| {
            responder.issuer_der == issuer.subject_der
                && responder.is_signed_by(issuer)
                && !responder.signed_with_sha1()
                && !responder.weak_key()
                && responder.valid_at(now).is_ok()
                && responder.has_extended_key_usage(&OCSP_SIGNING)
                && responder.key_usage.is_none_or(|k| k.digital_signature())
                && verify_signed(algorithm, signed, signature, responder.spki())
        });
    if delegated {
        Ok(())
    } else {
        Err(Unusable::Signer)
    }
}

fn same_cert(a: &CertId, b: &CertId) -> bool {
    a.hash_algorithm.oid == b.hash_algorithm.oid
        && a.issuer_name_hash == b.issuer_name_hash
        && a.issuer_key_hash == b.issuer_key_hash
        && strip_zero(a.serial_number.as_bytes()) == strip_zero(b.serial_number.as_bytes())
}

fn unix(time: &x509_ocsp::OcspGeneralizedTime) -> i64 {
    i64::try_from(time.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}
