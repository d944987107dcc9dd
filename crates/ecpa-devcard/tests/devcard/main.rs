//! ecpa-devcard's integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cards_on_tokens;
mod pki;
