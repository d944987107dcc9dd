//! `POST /CardManagement/sendCardCommand` (`changeUserPINCode`, as ChtICToken.js
//! asks for it): changes the card's user PIN after logging in with the current one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use ecpa_wire::agent::{CardCommandResult, ret};

use super::package::{Package, chosen_card, given};
use super::{check_origin, log_failure, on_card};
use crate::{AgentError, AgentState, CardPin};

/// The one card command offered.
const CHANGE_PIN: &str = "changeUserPINCode";

pub(super) async fn send_card_command(
    State(state): State<AgentState>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<CardCommandResult> {
    let answer = async {
        check_origin(&state, &headers)?;
        change_pin(&state, Package::read(&body)?).await
    }
    .await;
    let (ret_code, last_error) = match answer {
        Ok(()) => (ret::OK, 0),
        Err(e) => {
            log_failure("card command", &e);
            (e.ret_code(), e.last_error())
        }
    };
    Json(CardCommandResult {
        func: CHANGE_PIN.into(),
        ret_code,
        last_error,
    })
}

async fn change_pin(state: &AgentState, mut package: Package) -> Result<(), AgentError> {
    let (current, new) = package.take_pin_change();
    drop(package.take_pin());
    if package.func != CHANGE_PIN {
        return Err(AgentError::Unsupported("card command"));
    }
    if current.is_empty() || new.is_empty() {
        return Err(AgentError::NoPin);
    }
    let card = state.card.clone();
    let slots = on_card(move || card.slots()).await?;
    let (slot, _) = chosen_card(
        &slots,
        given(package.slot_description.as_deref()),
        given(package.cardid.as_deref()),
    )?;
    let (current, new) = (CardPin::new(current), CardPin::new(new));
    let card = state.card.clone();
    let slot_id = slot.slot_id;
    on_card(move || card.change_pin(slot_id, &current, &new)).await?;
    tracing::info!(slot = slot_id, "user PIN changed");
    Ok(())
}
