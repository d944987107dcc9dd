//! Origin-bound signing on a real SoftHSM2 token through the real binary: a
//! trusted site cannot get another site's ECPA challenge signed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_wire::agent::{AgentFailure, SignResult, TbsEncoding, TbsPackage, ret};
use ecpa_wire::api::ChallengePurpose;
use ecpa_wire::challenge::tbs_text;
use ecpa_wire::ids::Nonce;

use crate::certs::{DAY, now_unix};
use crate::in_process::PORTAL;
use crate::softhsm::SoftHsm;
use crate::verify::verify_with_cert;

const PIN: &str = "135790";
const SITE_B: &str = "https://b.example.gov.tw";

fn package(tbs: &str, base64: bool) -> String {
    let mut package = if base64 {
        TbsPackage::make_signature(STANDARD.encode(tbs), PIN.into(), None)
    } else {
        TbsPackage::make_signature(tbs.into(), PIN.into(), None)
    };
    if base64 {
        package.tbs_encoding = TbsEncoding::Base64;
    }
    serde_json::to_string(&package).unwrap()
}

fn refused(result: &SignResult) {
    assert_eq!(result.ret_code, ret::ORIGIN_MISMATCH);
    assert_eq!(
        AgentFailure::from_codes(result.ret_code, result.last_error),
        Some(AgentFailure::OriginMismatch)
    );
    assert!(result.signature.is_empty() && result.certb64.is_empty());
}

#[tokio::test]
async fn a_trusted_site_cannot_get_the_portals_challenge_signed() {
    let hsm = SoftHsm::new();
    let now = now_unix();
    hsm.add_card("citizen-wang", PIN, now - 10 * DAY, now + 700 * DAY);
    let agent = hsm.start_agent(&[PORTAL, SITE_B]);
    let challenge = tbs_text(ChallengePurpose::Login, PORTAL, &Nonce::from_bytes([9; 32]));

    // Site B relays the portal's challenge: refused, as text and as base64, by
    // a direct post and through the popup bridge.
    for base64 in [false, true] {
        refused(&agent.sign(&package(&challenge, base64), SITE_B).await);
        refused(
            &agent
                .sign_from_bridge(&package(&challenge, base64), SITE_B)
                .await,
        );
    }
    // The bridge without an opener is the agent's own origin: not the portal's either.
    refused(
        &agent
            .sign(&package(&challenge, false), &agent.url(""))
            .await,
    );

    // The portal's own page signs its challenge, directly and through the bridge.
    for base64 in [false, true] {
        let result = agent.sign(&package(&challenge, base64), PORTAL).await;
        assert_eq!(result.ret_code, ret::OK, "{}", hsm.agent_log());
        verify_with_cert(&result.certb64, challenge.as_bytes(), &result.signature);
        let result = agent
            .sign_from_bridge(&package(&challenge, base64), PORTAL)
            .await;
        assert_eq!(result.ret_code, ret::OK, "{}", hsm.agent_log());
    }

    // Site B's ordinary signing is unchanged.
    let text = "B 機關公文簽核\nnonce=1234";
    let result = agent.sign(&package(text, false), SITE_B).await;
    assert_eq!(result.ret_code, ret::OK);
    verify_with_cert(&result.certb64, text.as_bytes(), &result.signature);
    let result = agent.sign_from_bridge(&package(text, true), SITE_B).await;
    assert_eq!(result.ret_code, ret::OK);
}
