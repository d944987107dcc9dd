//! The portal's CSV imports and REST request bodies.

use ecpa_portal::http::{BODY_ROUTES, check_request_body};
use ecpa_portal::import::{ImportKind, check_text};

const IMPORT_KINDS: [ImportKind; 3] = [
    ImportKind::Personnel,
    ImportKind::Agencies,
    ImportKind::Accounts,
];

/// First byte: which file (personnel, agencies, accounts); the rest: its text.
pub fn csv_import(data: &[u8]) {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let kind = IMPORT_KINDS[usize::from(which) % IMPORT_KINDS.len()];
    if let Ok(text) = std::str::from_utf8(text) {
        let _ = check_text(kind, text);
    }
}

/// First byte: which route ([`BODY_ROUTES`]); the rest: the body.
pub fn rest_body(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let route = BODY_ROUTES[usize::from(which) % BODY_ROUTES.len()];
    let _ = check_request_body(route, body);
}
