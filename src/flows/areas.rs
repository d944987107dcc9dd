//! 我的專區's list of registered certificates.

use ecpa_wire::api::Registration;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AppState;
use crate::api;

/// Loads my certificates into `list` (`None` while loading).
pub fn load_my_certificates(app: AppState, list: RwSignal<Option<Vec<Registration>>>) {
    spawn_local(async move {
        match api::my_certificates().await {
            Ok(certificates) => list.set(Some(certificates)),
            Err(failure) => app.show(failure),
        }
    });
}

/// 「註銷」 certificate `id`, then loads the list again.
pub fn withdraw(app: AppState, list: RwSignal<Option<Vec<Registration>>>, id: i64) {
    spawn_local(async move {
        match api::withdraw(id).await {
            Ok(()) => load_my_certificates(app, list),
            Err(failure) => app.show(failure),
        }
    });
}
