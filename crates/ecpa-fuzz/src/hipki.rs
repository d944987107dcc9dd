//! The HiPKI messages `ecpa-wire` reads (agent answers, bridge requests) and the
//! challenge text.

use ecpa_wire::agent::{
    AgentFailure, CardCommandResult, DecryptResult, GetTbs, Pkcs11Info, Pkcs11InfoRequest,
    SignResult, TbsPackage,
};
use ecpa_wire::challenge::{ChallengeText, tbs_text};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `json` as `T`; what it reads must write and read back equal.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq>(json: &[u8]) -> Option<T> {
    let value = serde_json::from_slice::<T>(json).ok()?;
    let written = serde_json::to_vec(&value).ok()?;
    let again = serde_json::from_slice::<T>(&written).ok();
    assert!(
        again.as_ref() == Some(&value),
        "JSON round trip changed a message"
    );
    Some(value)
}

/// First byte: which message; the rest: its JSON.
pub fn hipki_message(data: &[u8]) {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    let codes = match which % 7 {
        0 => round_trip::<Pkcs11Info>(json).map(|m| (m.ret_code, m.last_error.unwrap_or(0))),
        1 => round_trip::<SignResult>(json).map(|m| (m.ret_code, m.last_error)),
        2 => round_trip::<DecryptResult>(json).map(|m| (m.ret_code, m.last_error)),
        3 => round_trip::<CardCommandResult>(json).map(|m| (m.ret_code, m.last_error)),
        4 => round_trip::<Pkcs11InfoRequest>(json).map(|_| (0, 0)),
        5 => round_trip::<GetTbs>(json).map(|_| (0, 0)),
        _ => round_trip::<TbsPackage>(json).map(|p| {
            let _ = p.to_bridge_text();
            (0, 0)
        }),
    };
    if let Some((ret_code, last_error)) = codes {
        let failure = AgentFailure::from_codes(ret_code, last_error);
        assert_eq!(failure.is_none(), ret_code == 0);
    }
}

/// A challenge text as a client reads it; one it reads is written back the same.
pub fn challenge_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(parsed) = ChallengeText::parse(text) {
        assert_eq!(
            tbs_text(parsed.purpose, &parsed.origin, &parsed.nonce),
            text
        );
    }
}
