//! End to end in real headless Chromium: the real agent over SoftHSM2, the real
//! portal on SQLite, the release build of the SPA. Driven only through the page
//! (the personnel data and the cards are arranged with the programs' own commands).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod keyboard;
mod layout;
mod method1;
mod method2;
mod passkeys;
mod refusals;
mod security;
mod skeleton;
mod support;
mod troubles;
