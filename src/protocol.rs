//! The popup bridge's messages (SPEC §6), as plain functions over JSON text so
//! that they are tested without a browser.

use ecpa_wire::Pin;
use ecpa_wire::agent::encode_uri_component;
use ecpa_wire::agent::{GetTbs, Pkcs11InfoRequest, TbsPackage, normalise_code};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::failure::Failure;

/// The bridge page's first message: `{"func":"getTbs"}`.
pub fn is_get_tbs(message: &str) -> bool {
    serde_json::from_str::<GetTbs>(message).is_ok_and(|m| m.func == GetTbs::FUNC)
}

/// What the opener posts to read the cards with their certificates.
pub fn read_cards_request() -> String {
    serde_json::to_string(&Pkcs11InfoRequest::with_certs()).unwrap_or_default()
}

/// What the opener posts to sign `tbs` on the card in `slot`: the package
/// written so that the bridge's single URL-decoding gives back `tbs`, the PIN
/// and the slot exactly, with HiPKI's agent and with ours
/// ([`TbsPackage::to_bridge_text`]).
pub fn sign_request(tbs: String, pin: &Pin, slot: Option<String>) -> String {
    TbsPackage::make_signature(tbs, pin.expose().to_owned(), slot).to_bridge_text()
}

/// The agent's page that asks the user to trust this site (`/addDomain`).
pub fn add_site_url(agent_origin: &str, page_origin: &str) -> String {
    format!(
        "{}/addDomain?domain={}",
        agent_origin.trim_end_matches('/'),
        encode_uri_component(page_origin)
    )
}

/// The part every agent answer shares.
#[derive(Deserialize)]
struct Codes {
    ret_code: i64,
    #[serde(default)]
    last_error: Option<i64>,
}

/// Reads an agent answer: its `ret_code` first, then the full message.
pub fn parse_answer<T: DeserializeOwned>(message: &str) -> Result<T, Failure> {
    let codes: Codes = serde_json::from_str(message).map_err(|_| Failure::AgentGarbled)?;
    let ret_code = normalise_code(codes.ret_code);
    let last_error = codes.last_error.map(normalise_code).unwrap_or(0);
    if let Some(failure) = Failure::from_agent_codes(ret_code, last_error) {
        return Err(failure);
    }
    serde_json::from_str(message).map_err(|_| Failure::AgentGarbled)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ecpa_wire::agent::{AgentFailure, Pkcs11Info, SignResult};

    #[test]
    fn get_tbs_is_recognised_and_nothing_else() {
        assert!(is_get_tbs(r#"{"func":"getTbs"}"#));
        assert!(!is_get_tbs(r#"{"func":"sign","ret_code":0}"#));
        assert!(!is_get_tbs("getTbs"));
    }

    #[test]
    fn read_cards_asks_for_certificates() {
        let value: serde_json::Value = serde_json::from_str(&read_cards_request()).unwrap();
        assert_eq!(value["func"], "pkcs11info");
        assert_eq!(value["withcert"], "true");
    }

    /// The package is the wire's bridge text, whose single URL-decoding gives back
    /// tbs, PIN and slot unchanged (tested in `ecpa-wire`, and against the agent
    /// in `ecpa-agent`'s `hipki` tests).
    #[test]
    fn sign_request_survives_one_url_decoding_unchanged() {
        let pin = Pin::parse("ab%1 2&").err();
        assert!(pin.is_some(), "spaces are refused by the PIN type");
        let pin = Pin::parse("a+b%1&2").unwrap();
        let tbs = "ECPA 註冊\nhttp://localhost:8080/a+b/c?x=100%&y=1\n中文「簽章」";
        let json = sign_request(tbs.into(), &pin, Some("Reader +1".into()));
        let expected =
            TbsPackage::make_signature(tbs.into(), "a+b%1&2".into(), Some("Reader +1".into()));
        assert_eq!(json, expected.to_bridge_text());
        assert!(json.is_ascii() && !json.contains(['+', '&']), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["func"], "MakeSignature");
        assert_eq!(value["tbsEncoding"], "NONE");
        assert_eq!(value["hashAlgorithm"], "SHA256");
        assert_eq!(value["signatureType"], "PKCS1");
        assert_eq!(value["pin"], "a%2Bb%251%262");
        assert_eq!(
            value["tbs"],
            "ECPA %E8%A8%BB%E5%86%8A\nhttp://localhost:8080/a%2Bb/c?x=100%25%26y=1\n\
             %E4%B8%AD%E6%96%87%E3%80%8C%E7%B0%BD%E7%AB%A0%E3%80%8D"
        );
    }

    #[test]
    fn add_site_url_names_this_origin() {
        assert_eq!(
            add_site_url("http://127.0.0.1:61161/", "http://localhost:8080"),
            "http://127.0.0.1:61161/addDomain?domain=http%3A%2F%2Flocalhost%3A8080"
        );
    }

    #[test]
    fn answers_with_error_codes_become_failures() {
        let wrong_pin = r#"{"func":"sign","ret_code":1980760070,"last_error":-2147483646}"#;
        assert_eq!(
            parse_answer::<SignResult>(wrong_pin),
            Err(Failure::Agent(AgentFailure::WrongPin {
                tries_left: Some(2)
            }))
        );
        let untrusted = r#"{"ret_code":1979711537}"#;
        assert_eq!(
            parse_answer::<Pkcs11Info>(untrusted),
            Err(Failure::Agent(AgentFailure::SiteNotTrusted))
        );
        assert_eq!(
            parse_answer::<Pkcs11Info>(r#"{"ret_code":1979711494,"slots":[]}"#),
            Err(Failure::Agent(AgentFailure::NoCard))
        );
        assert_eq!(
            parse_answer::<SignResult>("<html>"),
            Err(Failure::AgentGarbled)
        );
    }

    #[test]
    fn successful_sign_answer() {
        let ok = r#"{"func":"sign","ret_code":0,"last_error":0,"signature":"c2ln","certb64":"MIIB","cardSN":"X"}"#;
        let result = parse_answer::<SignResult>(ok).unwrap();
        assert_eq!(result.signature, "c2ln");
        // ret_code 0 but a body that is not a sign answer.
        assert_eq!(
            parse_answer::<SignResult>(r#"{"ret_code":0}"#),
            Err(Failure::AgentGarbled)
        );
    }
}
