//! The text a card signs. The portal writes it, stores the nonce, and later checks a
//! signature against its own copy, never against text a client sends back.

use crate::api::ChallengePurpose;
use crate::ids::Nonce;

/// First line of every challenge; a version lets the text change safely.
pub const HEADER: &str = "ECPA certificate challenge v1";

/// The exact text to be signed: purpose, the portal's public origin and the nonce,
/// one `key=value` a line, ASCII only (the HiPKI agent signs `tbs` as given).
pub fn tbs_text(purpose: ChallengePurpose, origin: &str, nonce: &Nonce) -> String {
    format!(
        "{HEADER}\npurpose={}\norigin={origin}\nnonce={}",
        purpose.as_str(),
        nonce.to_hex()
    )
}

/// The parts of a challenge text, for a client that wants to show or check them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeText {
    pub purpose: ChallengePurpose,
    pub origin: String,
    pub nonce: Nonce,
}

impl ChallengeText {
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.split('\n');
        if lines.next()? != HEADER {
            return None;
        }
        let purpose = ChallengePurpose::parse(lines.next()?.strip_prefix("purpose=")?)?;
        let origin = lines.next()?.strip_prefix("origin=")?.to_owned();
        let nonce = Nonce::parse(lines.next()?.strip_prefix("nonce=")?).ok()?;
        if lines.next().is_some() {
            return None;
        }
        Some(Self {
            purpose,
            origin,
            nonce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let nonce = Nonce::from_bytes([7; 32]);
        let text = tbs_text(ChallengePurpose::Register, "http://localhost:8080", &nonce);
        assert_eq!(
            text,
            format!(
                "{HEADER}\npurpose=register\norigin=http://localhost:8080\nnonce={}",
                "07".repeat(32)
            )
        );
        let parsed = ChallengeText::parse(&text);
        assert_eq!(
            parsed,
            Some(ChallengeText {
                purpose: ChallengePurpose::Register,
                origin: "http://localhost:8080".into(),
                nonce
            })
        );
        assert_eq!(ChallengeText::parse(&format!("{text}\nextra")), None);
    }
}
