//! `POST /sign`: form field `tbsPackage`, a JSON `MakeSignature` package; answers a
//! [`SignResult`] whose `signature` is PKCS#1 v1.5 (`signatureType` `PKCS1`) or a
//! PKCS#7 SignedData holding the tbs and the signer's certificate (`PKCS7`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::agent::{SignResult, ret};

use super::challenge_origin::{asking_origin, check_challenge_origin};
use super::package::{Package, chosen_card, given};
use super::{check_origin, log_failure, on_card};
use crate::cert_info::signing_certificate;
use crate::cms::{SignedAttributes, signed_data};
use crate::{AgentError, AgentState, CardPin};

pub(super) async fn sign(
    State(state): State<AgentState>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<SignResult> {
    let answer = async {
        check_origin(&state, &headers)?;
        let request = SignRequest::parse(&body)?;
        check_challenge_origin(&request.tbs, &asking_origin(&state, &headers))?;
        run(&state, request).await
    }
    .await;
    Json(answer.unwrap_or_else(|e| {
        log_failure("sign", &e);
        SignResult {
            func: "sign".into(),
            ret_code: e.ret_code(),
            last_error: e.last_error(),
            signature: String::new(),
            certb64: String::new(),
            card_sn: String::new(),
        }
    }))
}

/// Reads a `/sign` form body (its `tbsPackage`) and checks the tbs against the
/// asking page's origin, as `/sign` does before it goes to the card.
pub fn check_sign_form(body: &[u8], asking_origin: &str) -> Result<(), AgentError> {
    let request = SignRequest::parse(body)?;
    check_challenge_origin(&request.tbs, asking_origin)
}

/// What the signature is: the bare PKCS#1 v1.5 value, or a PKCS#7 SignedData.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignatureType {
    Pkcs1,
    Pkcs7,
}

/// A checked signing request: the PIN apart, wiped after use.
struct SignRequest {
    tbs: Vec<u8>,
    pin: CardPin,
    signature_type: SignatureType,
    slot_description: Option<String>,
    card_id: Option<String>,
}

impl SignRequest {
    fn parse(body: &[u8]) -> Result<Self, AgentError> {
        let mut package = Package::read(body)?;
        let pin = package.take_pin();
        if package.func != "MakeSignature" {
            return Err(AgentError::BadParameter("func"));
        }
        let signature_type = match given(package.signature_type.as_deref())
            .unwrap_or("PKCS1")
            .to_ascii_uppercase()
            .as_str()
        {
            "PKCS1" => SignatureType::Pkcs1,
            "PKCS7" => SignatureType::Pkcs7,
            _ => return Err(AgentError::BadParameter("signatureType")),
        };
        match given(package.hash_algorithm.as_deref())
            .unwrap_or("SHA256")
            .to_ascii_uppercase()
            .as_str()
        {
            "SHA256" | "SHA-256" => {}
            // SHA-1 signatures are refused: no flow this agent serves needs one.
            "SHA1" | "SHA-1" => return Err(AgentError::Unsupported("hashAlgorithm SHA1")),
            _ => return Err(AgentError::BadParameter("hashAlgorithm")),
        }
        let tbs = package.tbs.unwrap_or_default();
        let encoding = given(package.tbs_encoding.as_deref()).unwrap_or("NONE");
        let tbs = if encoding.eq_ignore_ascii_case("NONE") {
            tbs.into_bytes()
        } else if encoding.eq_ignore_ascii_case("base64") {
            let text: String = tbs.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            STANDARD
                .decode(text)
                .map_err(|_| AgentError::BadParameter("tbs"))?
        } else {
            return Err(AgentError::BadParameter("tbsEncoding"));
        };
        if tbs.is_empty() {
            return Err(AgentError::BadParameter("tbs"));
        }
        if pin.is_empty() {
            return Err(AgentError::NoPin);
        }
        Ok(Self {
            tbs,
            pin: CardPin::new(pin),
            signature_type,
            slot_description: given(package.slot_description.as_deref()).map(str::to_owned),
            card_id: given(package.cardid.as_deref()).map(str::to_owned),
        })
    }
}

async fn run(state: &AgentState, request: SignRequest) -> Result<SignResult, AgentError> {
    let card = state.card.clone();
    let slots = on_card(move || card.slots()).await?;
    let (slot, token) = chosen_card(
        &slots,
        request.slot_description.as_deref(),
        request.card_id.as_deref(),
    )?;
    let certificate =
        signing_certificate(&token.certificates).ok_or(AgentError::NoSigningCertificate)?;
    certificate.check_validity(state.clock.now())?;

    let card = state.card.clone();
    let slot_id = slot.slot_id;
    let key_id = certificate.object.id.clone();
    let signature = match request.signature_type {
        SignatureType::Pkcs1 => {
            on_card(move || card.sign(slot_id, &key_id, &request.pin, &request.tbs)).await?
        }
        SignatureType::Pkcs7 => {
            let attributes = SignedAttributes::new(&request.tbs, state.clock.now())?;
            let to_sign = attributes.der()?;
            let value =
                on_card(move || card.sign(slot_id, &key_id, &request.pin, &to_sign)).await?;
            signed_data(&certificate.object.der, &request.tbs, attributes, value)?
        }
    };
    tracing::info!(slot = slot_id, serial = %certificate.profile.serial_hex, "signed");
    Ok(SignResult {
        func: "sign".into(),
        ret_code: ret::OK,
        last_error: 0,
        signature: STANDARD.encode(signature),
        certb64: certificate.cert_b64(),
        card_sn: token.serial_number.clone(),
    })
}
