//! The card agent's protocol, against a real SoftHSM2 token through the real
//! binary (`real_token`), and in process over a faithful fake card for what
//! SoftHSM2 cannot do (PIN tries, lock) and to count card touches (`pin_states`,
//! `security`, `pages`); the real card logic over a fake PKCS#11 module for card
//! faults (`card_faults`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod card_faults;
mod certs;
mod fake_card;
mod fake_module;
mod gate;
mod hipki;
mod in_process;
mod origin_bound;
mod pages;
mod pin_states;
#[path = "../../../ecpa-serve/testing/raw_client.rs"]
mod raw_client;
mod real_guards;
mod real_limits;
mod real_token;
mod security;
mod softhsm;
mod softhsm_login;
mod verify;
