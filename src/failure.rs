//! Everything that can go wrong for the user, from the card, the agent, the portal or
//! the network, in one enum so that every case gets its own message.

use ecpa_wire::agent::AgentFailure;
use ecpa_wire::api::{ApiError, Eligibility};
use ecpa_wire::{CardKind, ErrorCode, IdError};

/// A failure the user sees; [`crate::messages::failure_text`] words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `window.open` returned nothing: the browser blocked the agent's window.
    PopupBlocked,
    /// The agent's window never said `getTbs`: the agent is not running.
    AgentNotRunning,
    /// The agent answered with something that is not its protocol.
    AgentGarbled,
    /// The agent refused or the card failed (`ret_code`/`last_error`), or its
    /// answer shows no reader ([`AgentFailure::NoReader`]) or no card
    /// ([`AgentFailure::NoCard`]).
    Agent(AgentFailure),
    /// The card holds no certificate for signing (keyUsage digitalSignature).
    NoSigningCertificate,
    /// The certificate on the card could not be parsed.
    CertificateUnreadable,
    /// This page takes another card type (e.g. an organization card in 我的專區).
    WrongCardType { expected: CardKind },
    /// What the user typed was refused before anything was sent.
    Input(IdError),
    /// The portal answered with one of its stable error codes.
    Api(ErrorCode),
    /// The portal answered with a code this page does not know; its own message.
    ApiOther { code: String, message: String },
    /// The portal could not be reached, or its answer was unreadable.
    Network,
    /// The browser's passkey prompt ended without a passkey.
    Passkey(BrowserPasskey),
    /// A passkey name that is empty or longer than 64 characters.
    PasskeyName,
}

/// Why the browser gave no passkey, from the `DOMException` that
/// `navigator.credentials` rejected with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserPasskey {
    /// `NotAllowedError`: the prompt was cancelled, timed out, or no passkey was chosen.
    Cancelled,
    /// No WebAuthn in this browser, or not on this address (`SecurityError`).
    Unsupported,
    /// `NotSupportedError`, `ConstraintError`: no authenticator here can hold a
    /// passkey that verifies its user.
    NoAuthenticator,
    /// `InvalidStateError` when creating: this authenticator already holds one.
    AlreadyRegistered,
    /// Any other refusal (`UnknownError`, …).
    Failed,
}

impl BrowserPasskey {
    /// The refusal a `DOMException` name stands for; `None` for `AbortError`, which
    /// the page itself caused (a passkey autofill stopped for a button).
    pub fn from_exception(name: &str) -> Option<Self> {
        Some(match name {
            "AbortError" => return None,
            "NotAllowedError" => Self::Cancelled,
            "SecurityError" => Self::Unsupported,
            "NotSupportedError" | "ConstraintError" => Self::NoAuthenticator,
            "InvalidStateError" => Self::AlreadyRegistered,
            _ => Self::Failed,
        })
    }
}

impl Failure {
    /// Maps a portal error body; unknown codes keep the portal's own sentence.
    pub fn from_api_error(error: ApiError) -> Self {
        match ErrorCode::parse(&error.error) {
            Some(code) => Failure::Api(code),
            None => Failure::ApiOther {
                code: error.error,
                message: error.message,
            },
        }
    }

    /// The refusal in an eligibility answer; `None` when the answer is yes.
    pub fn from_eligibility(answer: Eligibility) -> Option<Self> {
        if answer.eligible {
            return None;
        }
        Some(Self::from_api_error(ApiError {
            error: answer.error.unwrap_or_else(|| "NOT_ELIGIBLE".to_owned()),
            message: answer.message.unwrap_or_default(),
        }))
    }

    /// Maps an agent `ret_code`/`last_error` pair; `None` when it says success.
    pub fn from_agent_codes(ret_code: u32, last_error: u32) -> Option<Self> {
        AgentFailure::from_codes(ret_code, last_error).map(Failure::Agent)
    }

    /// The stable code shown in `data-code` of the result and used by tests.
    pub fn code(&self) -> String {
        match self {
            Failure::PopupBlocked => "POPUP_BLOCKED".into(),
            Failure::AgentNotRunning => "AGENT_NOT_RUNNING".into(),
            Failure::AgentGarbled => "AGENT_GARBLED".into(),
            Failure::Agent(agent) => match agent {
                AgentFailure::NoCard => "NO_CARD".into(),
                AgentFailure::NoReader => "NO_READER".into(),
                AgentFailure::BadRequest => "AGENT_BAD_REQUEST".into(),
                AgentFailure::SiteNotTrusted => "SITE_NOT_TRUSTED".into(),
                AgentFailure::OriginMismatch => "ORIGIN_MISMATCH".into(),
                AgentFailure::NoPin => "NO_PIN".into(),
                AgentFailure::Cancelled => "CANCELLED".into(),
                AgentFailure::WrongPin { .. } => "WRONG_PIN".into(),
                AgentFailure::PinLength => "PIN_LENGTH".into(),
                AgentFailure::PinLocked => "PIN_LOCKED".into(),
                // The agent refused before the portal saw anything.
                AgentFailure::CertNotYetValid => "CARD_CERT_NOT_YET_VALID".into(),
                AgentFailure::CertExpired => "CARD_CERT_EXPIRED".into(),
                AgentFailure::Other(code) => format!("AGENT_{code:08X}"),
            },
            Failure::NoSigningCertificate => "NO_SIGNING_CERTIFICATE".into(),
            Failure::CertificateUnreadable => "CERTIFICATE_UNREADABLE".into(),
            Failure::WrongCardType { .. } => "WRONG_CERT_TYPE".into(),
            Failure::Input(IdError::PinLength | IdError::PinCharacters) => "PIN_FORMAT".into(),
            Failure::Input(IdError::AgencyCode) => "AGENCY_CODE_FORMAT".into(),
            Failure::Input(_) => "INPUT_FORMAT".into(),
            Failure::Api(code) => code.as_str().into(),
            Failure::ApiOther { code, .. } => code.clone(),
            Failure::Network => "NETWORK".into(),
            Failure::Passkey(refusal) => match refusal {
                BrowserPasskey::Cancelled => "PASSKEY_CANCELLED".into(),
                BrowserPasskey::Unsupported => "PASSKEY_UNSUPPORTED".into(),
                BrowserPasskey::NoAuthenticator => "PASSKEY_NO_AUTHENTICATOR".into(),
                BrowserPasskey::AlreadyRegistered => "PASSKEY_ALREADY_ON_DEVICE".into(),
                BrowserPasskey::Failed => "PASSKEY_BROWSER_FAILED".into(),
            },
            Failure::PasskeyName => "PASSKEY_NAME_FORMAT".into(),
        }
    }

    /// True when the user must log in again (session missing or expired).
    pub fn needs_login(&self) -> bool {
        matches!(self, Failure::Api(ErrorCode::UNAUTHENTICATED))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ecpa_wire::agent::ret;

    #[test]
    fn agent_codes_map_to_card_and_reader_failures() {
        assert_eq!(Failure::from_agent_codes(ret::OK, 0), None);
        let no_card = Failure::from_agent_codes(ret::NO_CARD, 0);
        assert_eq!(no_card, Some(Failure::Agent(AgentFailure::NoCard)));
        assert_eq!(no_card.map(|f| f.code()).as_deref(), Some("NO_CARD"));
        let no_reader = Failure::from_agent_codes(ret::NO_READER, 0);
        assert_eq!(no_reader, Some(Failure::Agent(AgentFailure::NoReader)));
        assert_eq!(no_reader.map(|f| f.code()).as_deref(), Some("NO_READER"));
        assert_eq!(
            Failure::from_agent_codes(ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_2_LEFT),
            Some(Failure::Agent(AgentFailure::WrongPin {
                tries_left: Some(2)
            }))
        );
    }

    #[test]
    fn api_errors_keep_known_codes_and_unknown_messages() {
        let known = ApiError {
            error: "CHALLENGE_EXPIRED".into(),
            message: "x".into(),
        };
        assert_eq!(
            Failure::from_api_error(known),
            Failure::Api(ErrorCode::CHALLENGE_EXPIRED)
        );
        let unknown = ApiError {
            error: "SOMETHING_NEW".into(),
            message: "新的錯誤".into(),
        };
        let failure = Failure::from_api_error(unknown);
        assert_eq!(failure.code(), "SOMETHING_NEW");
        assert!(!failure.needs_login());
        assert!(Failure::Api(ErrorCode::UNAUTHENTICATED).needs_login());
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            Failure::Agent(AgentFailure::SiteNotTrusted).code(),
            "SITE_NOT_TRUSTED"
        );
        assert_eq!(
            Failure::Agent(AgentFailure::Other(0x7600_0123)).code(),
            "AGENT_76000123"
        );
        assert_eq!(Failure::Input(IdError::PinLength).code(), "PIN_FORMAT");
        assert_eq!(
            Failure::from_agent_codes(ret::ORIGIN_MISMATCH, 0).map(|f| f.code()),
            Some("ORIGIN_MISMATCH".into())
        );
        assert_eq!(
            Failure::Agent(AgentFailure::CertExpired).code(),
            "CARD_CERT_EXPIRED"
        );
        assert_eq!(
            Failure::Api(ErrorCode::CERT_ALREADY_REGISTERED).code(),
            "CERT_ALREADY_REGISTERED"
        );
        assert_eq!(
            Failure::Passkey(BrowserPasskey::Cancelled).code(),
            "PASSKEY_CANCELLED"
        );
    }

    #[test]
    fn browser_exceptions_map_to_passkey_refusals_and_an_abort_is_silent() {
        let of = BrowserPasskey::from_exception;
        assert_eq!(of("AbortError"), None);
        assert_eq!(of("NotAllowedError"), Some(BrowserPasskey::Cancelled));
        assert_eq!(of("SecurityError"), Some(BrowserPasskey::Unsupported));
        assert_eq!(
            of("NotSupportedError"),
            Some(BrowserPasskey::NoAuthenticator)
        );
        assert_eq!(of("ConstraintError"), Some(BrowserPasskey::NoAuthenticator));
        assert_eq!(
            of("InvalidStateError"),
            Some(BrowserPasskey::AlreadyRegistered)
        );
        assert_eq!(of("UnknownError"), Some(BrowserPasskey::Failed));
    }
}
