//! End to end in real headless Chromium: the real agent over SoftHSM2, the real
//! portal on SQLite, the release build of the SPA. Driven only through the page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod skeleton;
mod support;
