//! `GET|POST /pkcs11info[?withcert=true]`: the readers, their cards and certificates.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use ecpa_wire::agent::{Pkcs11Info, SlotInfo, TokenInfo, ret};

use super::{check_origin, log_failure, on_card};
use crate::cert_info::ReadCertificate;
use crate::{AgentError, AgentState, SERVER_VERSION, SlotView};

pub(super) async fn pkcs11info(
    State(state): State<AgentState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Json<Pkcs11Info> {
    let with_cert = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "withcert" && v.eq_ignore_ascii_case("true"));
    let answer = async {
        check_origin(&state, &headers)?;
        let card = state.card.clone();
        let slots = on_card(move || card.slots()).await?;
        Ok(describe(&slots, with_cert))
    }
    .await;
    Json(answer.unwrap_or_else(|e: AgentError| {
        log_failure("pkcs11info", &e);
        Pkcs11Info {
            func: None,
            ret_code: e.ret_code(),
            server_version: SERVER_VERSION.into(),
            slots: Vec::new(),
            last_error: Some(e.last_error()),
        }
    }))
}

/// Every slot; `ret_code` says "no reader" without slots and "no card" when no
/// slot holds a card, the slots still listed.
pub fn describe(slots: &[SlotView], with_cert: bool) -> Pkcs11Info {
    let slots: Vec<SlotInfo> = slots
        .iter()
        .map(|slot| SlotInfo {
            slot_description: slot.description.clone(),
            token: slot.token.as_ref().map(|token| TokenInfo {
                serial_number: token.serial_number.clone(),
                label: token.label.clone(),
                certs: token
                    .certificates
                    .iter()
                    .filter_map(ReadCertificate::read)
                    .map(|c| c.info(with_cert))
                    .collect(),
            }),
        })
        .collect();
    let ret_code = if slots.is_empty() {
        ret::NO_READER
    } else if slots.iter().all(|s| s.token.is_none()) {
        ret::NO_CARD
    } else {
        ret::OK
    };
    Pkcs11Info {
        func: None,
        ret_code,
        server_version: SERVER_VERSION.into(),
        slots,
        last_error: None,
    }
}
