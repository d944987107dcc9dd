//! Everything that can go wrong in the agent, with the HiPKI `ret_code`/`last_error`
//! each failure is answered with (SPEC §6).

use ecpa_wire::agent::ret;

/// `ret_code` for a card failure the protocol has no own code for.
pub const CARD_ERROR: u32 = 0x7610_0001;

/// One agent failure. The message is for people; clients see only the codes.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("找不到讀卡機")]
    NoReader,
    #[error("找不到卡片，請插入卡片")]
    NoCard,
    #[error("卡片上沒有簽章用憑證")]
    NoSigningCertificate,
    #[error("要求的格式不正確")]
    BadJson,
    #[error("要求的參數不正確：{0}")]
    BadParameter(&'static str),
    #[error("讀卡元件不支援此功能：{0}")]
    Unsupported(&'static str),
    #[error("此網站不在信任的網站清單中")]
    SiteNotTrusted,
    #[error("此網頁不能要求簽署其他網站的登入挑戰")]
    OriginMismatch,
    #[error("請輸入卡片密碼")]
    NoPin,
    #[error("卡片密碼錯誤")]
    PinIncorrect { tries_left: Option<u8> },
    #[error("卡片密碼長度不正確")]
    PinLength,
    #[error("卡片已鎖住")]
    PinLocked,
    #[error("憑證尚未生效")]
    CertificateNotYetValid,
    #[error("憑證已過期")]
    CertificateExpired,
    #[error("卡片操作失敗")]
    Card(String),
    #[error("信任的網站清單無法寫入")]
    TrustedSitesFile(#[source] std::io::Error),
}

impl AgentError {
    /// Stable code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoReader => "NO_READER",
            Self::NoCard => "NO_CARD",
            Self::NoSigningCertificate => "NO_SIGNING_CERTIFICATE",
            Self::BadJson => "BAD_JSON",
            Self::BadParameter(_) => "BAD_PARAMETER",
            Self::Unsupported(_) => "UNSUPPORTED",
            Self::SiteNotTrusted => "SITE_NOT_TRUSTED",
            Self::OriginMismatch => "ORIGIN_MISMATCH",
            Self::NoPin => "NO_PIN",
            Self::PinIncorrect { .. } => "PIN_INCORRECT",
            Self::PinLength => "PIN_LENGTH",
            Self::PinLocked => "PIN_LOCKED",
            Self::CertificateNotYetValid => "CERTIFICATE_NOT_YET_VALID",
            Self::CertificateExpired => "CERTIFICATE_EXPIRED",
            Self::Card(_) => "CARD_ERROR",
            Self::TrustedSitesFile(_) => "TRUSTED_SITES_FILE",
        }
    }

    /// The protocol's `ret_code`.
    pub fn ret_code(&self) -> u32 {
        match self {
            Self::NoReader => ret::NO_READER,
            Self::NoCard | Self::NoSigningCertificate => ret::NO_CARD,
            Self::BadJson => ret::BAD_JSON,
            Self::BadParameter(_) => ret::BAD_PARAMETER,
            Self::Unsupported(_) => ret::UNSUPPORTED,
            Self::SiteNotTrusted => ret::SITE_NOT_TRUSTED,
            Self::OriginMismatch => ret::ORIGIN_MISMATCH,
            Self::NoPin => ret::NO_PIN,
            Self::PinIncorrect { .. } | Self::PinLength | Self::PinLocked => ret::CARD_LOGIN_FAILED,
            Self::CertificateNotYetValid => ret::CERT_NOT_YET_VALID,
            Self::CertificateExpired => ret::CERT_EXPIRED,
            Self::Card(_) | Self::TrustedSitesFile(_) => CARD_ERROR,
        }
    }

    /// The protocol's `last_error` (0 when it adds nothing).
    pub fn last_error(&self) -> u32 {
        match self {
            Self::PinIncorrect {
                tries_left: Some(1),
            } => ret::PIN_INCORRECT_1_LEFT,
            Self::PinIncorrect {
                tries_left: Some(2),
            } => ret::PIN_INCORRECT_2_LEFT,
            Self::PinIncorrect { .. } => ret::PIN_INCORRECT,
            Self::PinLength => ret::PIN_LEN_RANGE,
            Self::PinLocked => ret::PIN_LOCKED,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecpa_wire::agent::AgentFailure;

    /// Every failure reads back as the same meaning on the SPA's side.
    #[test]
    fn codes_round_trip_through_the_wire_reading() {
        let cases = [
            (AgentError::NoReader, AgentFailure::NoReader),
            (AgentError::NoCard, AgentFailure::NoCard),
            (AgentError::SiteNotTrusted, AgentFailure::SiteNotTrusted),
            (AgentError::OriginMismatch, AgentFailure::OriginMismatch),
            (AgentError::NoPin, AgentFailure::NoPin),
            (AgentError::PinLocked, AgentFailure::PinLocked),
            (AgentError::PinLength, AgentFailure::PinLength),
            (
                AgentError::PinIncorrect { tries_left: None },
                AgentFailure::WrongPin { tries_left: None },
            ),
            (
                AgentError::PinIncorrect {
                    tries_left: Some(1),
                },
                AgentFailure::WrongPin {
                    tries_left: Some(1),
                },
            ),
            (
                AgentError::PinIncorrect {
                    tries_left: Some(2),
                },
                AgentFailure::WrongPin {
                    tries_left: Some(2),
                },
            ),
            (AgentError::CertificateExpired, AgentFailure::CertExpired),
            (
                AgentError::CertificateNotYetValid,
                AgentFailure::CertNotYetValid,
            ),
            (AgentError::BadJson, AgentFailure::BadRequest),
            (
                AgentError::Unsupported("SHA1"),
                AgentFailure::Other(ret::UNSUPPORTED),
            ),
        ];
        for (error, meaning) in cases {
            assert_eq!(
                AgentFailure::from_codes(error.ret_code(), error.last_error()),
                Some(meaning),
                "{}",
                error.code()
            );
        }
    }
}
