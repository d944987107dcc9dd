//! Origin-bound signing: a site cannot relay an ECPA challenge. The portal's
//! challenge text names the portal's origin (`ecpa_wire::challenge`); the agent
//! signs a text in that format only for the page at that origin, so a trusted
//! site that fetched a portal challenge server-side cannot get it signed.

use axum::http::{HeaderMap, header};
use ecpa_wire::challenge::{ChallengeText, HEADER};

use crate::{AgentError, AgentState, Origin};

/// The header the popup bridge (an agent page) names its opener's origin in.
/// Only the agent's own pages are believed: a browser never lets another page
/// send the agent's origin as its `Origin`.
pub const OPENER_ORIGIN: &str = "x-ecpa-opener-origin";

/// The origin of the page asking: the request's `Origin`, or, for the agent's
/// own bridge, the opener it names.
pub(super) fn asking_origin(state: &AgentState, headers: &HeaderMap) -> String {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let origin = text(header::ORIGIN);
    if state.own_origins().contains(&origin) {
        let opener = text(header::HeaderName::from_static(OPENER_ORIGIN));
        if !opener.is_empty() {
            return opener;
        }
    }
    origin
}

/// Refuses `tbs` in the ECPA challenge format (its first line) unless its
/// `origin=` is `asking`; any other text passes unchanged.
pub(super) fn check_challenge_origin(tbs: &[u8], asking: &str) -> Result<(), AgentError> {
    if !tbs.starts_with(HEADER.as_bytes()) {
        return Ok(());
    }
    let named = std::str::from_utf8(tbs)
        .ok()
        .and_then(ChallengeText::parse)
        .and_then(|challenge| Origin::parse_header(&challenge.origin));
    let asking_parsed = Origin::parse_header(asking);
    match (named, asking_parsed) {
        (Some(named), Some(asking)) if named == asking => Ok(()),
        (named, _) => {
            tracing::warn!(
                asking,
                named = named.as_ref().map_or("", Origin::as_str),
                "refused to sign another site's ECPA challenge"
            );
            Err(AgentError::OriginMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecpa_wire::api::ChallengePurpose;
    use ecpa_wire::challenge::tbs_text;
    use ecpa_wire::ids::Nonce;

    fn challenge(origin: &str) -> Vec<u8> {
        tbs_text(ChallengePurpose::Login, origin, &Nonce::from_bytes([3; 32])).into_bytes()
    }

    #[test]
    fn only_the_named_origin_may_sign_a_challenge() {
        let portal = challenge("https://ecpa.dgpa.gov.tw");
        assert!(check_challenge_origin(&portal, "https://ecpa.dgpa.gov.tw").is_ok());
        assert!(check_challenge_origin(&portal, "HTTPS://ECPA.dgpa.gov.tw:443").is_ok());
        for other in ["https://b.example", "http://ecpa.dgpa.gov.tw", "", "null"] {
            assert!(check_challenge_origin(&portal, other).is_err(), "{other}");
        }
        // A text that starts like a challenge but does not parse is not signed either.
        let mut broken = portal.clone();
        broken.extend_from_slice(b"\nextra");
        assert!(check_challenge_origin(&broken, "https://ecpa.dgpa.gov.tw").is_err());
        // Ordinary texts are unchanged.
        assert!(check_challenge_origin(b"hello", "https://b.example").is_ok());
    }
}
