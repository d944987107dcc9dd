//! `POST /sign`: form field `tbsPackage`, a JSON [`TbsPackage`]; answers a [`SignResult`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::agent::{SignResult, TbsEncoding, TbsPackage, ret};
use zeroize::Zeroizing;

use super::{check_origin, log_failure, on_card};
use crate::cert_info::signing_certificate;
use crate::{AgentError, AgentState, CardPin, SlotView};

pub(super) async fn sign(
    State(state): State<AgentState>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<SignResult> {
    let answer = async {
        check_origin(&state, &headers)?;
        let request = SignRequest::parse(&body)?;
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

/// A checked signing request: the PIN apart, wiped after use.
struct SignRequest {
    tbs: Vec<u8>,
    pin: CardPin,
    slot_description: Option<String>,
}

impl SignRequest {
    fn parse(body: &[u8]) -> Result<Self, AgentError> {
        let json = form_urlencoded::parse(body)
            .find(|(key, _)| key == "tbsPackage")
            .map(|(_, value)| Zeroizing::new(value.into_owned()))
            .ok_or(AgentError::BadParameter("tbsPackage"))?;
        let mut package: TbsPackage = serde_json::from_str(&json).map_err(|e| {
            if e.is_data() {
                AgentError::BadParameter("tbsPackage")
            } else {
                AgentError::BadJson
            }
        })?;
        let pin = Zeroizing::new(std::mem::take(&mut package.pin));
        if package.func != "MakeSignature" {
            return Err(AgentError::BadParameter("func"));
        }
        if !package.signature_type.eq_ignore_ascii_case("PKCS1") {
            return Err(AgentError::BadParameter("signatureType"));
        }
        if !package.hash_algorithm.eq_ignore_ascii_case("SHA256") {
            return Err(AgentError::BadParameter("hashAlgorithm"));
        }
        let tbs = match package.tbs_encoding {
            TbsEncoding::None => package.tbs.into_bytes(),
            TbsEncoding::Base64 => STANDARD
                .decode(package.tbs.trim())
                .map_err(|_| AgentError::BadParameter("tbs"))?,
        };
        if tbs.is_empty() {
            return Err(AgentError::BadParameter("tbs"));
        }
        // The HiPKI sample pages send the PIN through encodeURIComponent.
        let pin = Zeroizing::new(
            percent_encoding::percent_decode_str(&pin)
                .decode_utf8()
                .map_err(|_| AgentError::BadParameter("pin"))?
                .into_owned(),
        );
        if pin.is_empty() {
            return Err(AgentError::NoPin);
        }
        Ok(Self {
            tbs,
            pin: CardPin::new(pin),
            slot_description: package.slot_description.filter(|s| !s.is_empty()),
        })
    }
}

async fn run(state: &AgentState, request: SignRequest) -> Result<SignResult, AgentError> {
    let card = state.card.clone();
    let slots = on_card(move || card.slots()).await?;
    let slot = choose_slot(&slots, request.slot_description.as_deref())?;
    let token = slot.token.as_ref().ok_or(AgentError::NoCard)?;
    let certificate =
        signing_certificate(&token.certificates).ok_or(AgentError::NoSigningCertificate)?;
    certificate.check_validity(state.clock.now())?;

    let card = state.card.clone();
    let slot_id = slot.slot_id;
    let key_id = certificate.object.id.clone();
    let signature =
        on_card(move || card.sign(slot_id, &key_id, &request.pin, &request.tbs)).await?;
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

/// The named slot, or else the first slot holding a card.
fn choose_slot<'a>(
    slots: &'a [SlotView],
    description: Option<&str>,
) -> Result<&'a SlotView, AgentError> {
    if slots.is_empty() {
        return Err(AgentError::NoReader);
    }
    match description {
        Some(name) => slots
            .iter()
            .find(|s| s.description == name)
            .ok_or(AgentError::NoCard),
        None => slots
            .iter()
            .find(|s| s.token.is_some())
            .ok_or(AgentError::NoCard),
    }
}
