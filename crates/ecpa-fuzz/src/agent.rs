//! The card agent's `/sign` form and the `tbsPackage` JSON in it.

use ecpa_agent::http::check_sign_form;
use ecpa_wire::agent::TbsPackage;

/// The page that asks in these targets.
const ASKING_ORIGIN: &str = "https://ecpa.example.gov.tw";

/// A raw `/sign` body.
pub fn agent_sign_form(data: &[u8]) {
    let _ = check_sign_form(data, ASKING_ORIGIN);
}

/// A `tbsPackage` JSON text. One the wire type reads must come back unchanged through
/// the popup bridge's text and the agent's one URL decoding.
pub fn tbs_package(data: &[u8]) {
    let mut form = b"tbsPackage=".to_vec();
    form.extend_from_slice(data);
    let _ = check_sign_form(&form, ASKING_ORIGIN);
    let Ok(package) = serde_json::from_slice::<TbsPackage>(data) else {
        return;
    };
    let bridged = format!("tbsPackage={}", package.to_bridge_text());
    let decoded = form_value(bridged.as_bytes());
    let again = serde_json::from_str::<TbsPackage>(&decoded);
    assert!(
        again.as_ref().is_ok_and(|p| *p == package),
        "the bridge text does not decode to the same package"
    );
}

/// The `tbsPackage` value as the agent decodes a form body.
fn form_value(body: &[u8]) -> String {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == "tbsPackage")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}
