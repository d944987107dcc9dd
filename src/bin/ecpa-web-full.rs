//! The full SPA, every screen: loaded by the login page's module when the page first
//! needs a screen after the login page, which then calls [`take_over`].

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    console_error_panic_hook::set_once();
}

/// Draws the page from the login page's handover (JSON, [`ecpa_web::handover`]).
#[wasm_bindgen]
pub fn take_over(handover: String) {
    ecpa_web::handover::take_over(&handover);
}
