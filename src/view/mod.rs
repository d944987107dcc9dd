//! Leptos components. Plain logic lives outside `view`, tested natively.

pub mod app;
pub mod areas;
pub mod common;
pub mod frame;
pub mod login;
pub mod passkeys;
pub mod wizard;
