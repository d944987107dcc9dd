//! The login page's module: mounts [`ecpa_web::LoginApp`] on the page body and keeps
//! it until a later screen is handed to the full module ([`ecpa_web::handover`]).

fn main() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    let mounted = leptos::mount::mount_to(body, ecpa_web::LoginApp);
    ecpa_web::handover::keep_login_page(mounted);
}
