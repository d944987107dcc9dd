//! A message with a next step for every failure (SPEC §4): each failure's zh-TW
//! and English side by side. The portal's codes carry their own words
//! ([`ErrorCode::message_zh`], [`ErrorCode::message_en`]).

use ecpa_wire::agent::AgentFailure;
use ecpa_wire::{CardKind, ErrorCode, IdError};

use super::Lang;
use crate::failure::{BrowserPasskey, Failure};

/// What the page offers as the way forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAction {
    /// Open the agent's `addDomain` page for this site.
    AddTrustedSite,
    /// Log in again (session missing or expired).
    LogIn,
}

/// A failure in words: what happened, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureText {
    pub message: String,
    pub next: Option<String>,
    pub action: Option<NextAction>,
}

/// What happened and what to do next, each as `[zh-TW, English]`. `{n}` in the
/// message stands for the detail the failure carries ([`detail`]): tries left, the
/// agent's code, or the input check's own zh-TW words.
struct Said {
    message: [&'static str; 2],
    next: [&'static str; 2],
}

const fn said(
    zh: &'static str,
    en: &'static str,
    next_zh: &'static str,
    next_en: &'static str,
) -> Said {
    Said {
        message: [zh, en],
        next: [next_zh, next_en],
    }
}

/// Words for a failure in the page's language.
pub fn failure_text(failure: &Failure, lang: Lang) -> FailureText {
    let action = match failure {
        Failure::Agent(AgentFailure::SiteNotTrusted) => Some(NextAction::AddTrustedSite),
        Failure::Api(ErrorCode::UNAUTHENTICATED) => Some(NextAction::LogIn),
        _ => None,
    };
    let (message, next) = match failure {
        Failure::Api(code) => (
            lang.pick([code.message_zh(), code.message_en()]).to_owned(),
            None,
        ),
        Failure::ApiOther { message, .. } => (message.clone(), None),
        other => {
            let said = words(other);
            let message = lang.pick(said.message).replace("{n}", &detail(other));
            (message, Some(lang.pick(said.next).to_owned()))
        }
    };
    FailureText {
        message,
        next,
        action,
    }
}

/// The number or text a failure's message shows in place of `{n}`.
fn detail(failure: &Failure) -> String {
    match failure {
        Failure::Agent(AgentFailure::WrongPin {
            tries_left: Some(n),
        }) => n.to_string(),
        Failure::Agent(AgentFailure::Other(code)) => format!("{code:08X}"),
        Failure::Input(e) => e.to_string(),
        _ => String::new(),
    }
}

/// The table: one failure a line pair, zh-TW then English.
#[rustfmt::skip]
fn words(failure: &Failure) -> Said {
    const TRY_AGAIN_CARD: [&str; 2] = ["請插入卡片後再試一次。", "Insert your card and try again."];
    const PIN_AGAIN: [&str; 2] = ["請確認密碼後重新輸入；錯誤次數過多卡片將被鎖住。", "Check the PIN and enter it again; too many wrong tries lock the card."];
    const CARD_TYPES: [&str; 2] = ["請確認插入的是自然人憑證或機關憑證。", "Check that you inserted a citizen or an organization card."];
    let with = |[zh, en]: [&'static str; 2], [next_zh, next_en]: [&'static str; 2]| said(zh, en, next_zh, next_en);
    match failure {
        Failure::PopupBlocked => said("瀏覽器阻擋了讀卡元件的視窗。", "The browser blocked the card component's window.",
            "請允許本網站開啟彈出式視窗後，再按一次。", "Allow pop-up windows for this site, then press the button again."),
        Failure::AgentNotRunning => said("無法連線到讀卡元件（HiPKI 跨平台網頁元件），元件可能未啟動或未安裝。", "The card reader component (HiPKI Local Server) could not be reached; it may not be running or installed.",
            "請安裝並啟動讀卡元件後，再按一次。", "Install and start the card component, then press the button again."),
        Failure::AgentGarbled => said("讀卡元件回傳的資料無法辨識。", "The card component sent an answer that cannot be read.",
            "請更新讀卡元件後再試一次。", "Update the card component and try again."),
        Failure::NoSigningCertificate => with(["卡片中找不到簽章用憑證。", "The card holds no signing certificate."], CARD_TYPES),
        Failure::CertificateUnreadable => with(["卡片上的憑證無法解析。", "The certificate on the card cannot be read."], CARD_TYPES),
        Failure::WrongCardType { expected: CardKind::Citizen } => said("此功能僅供自然人憑證上傳，您插入的卡片不是自然人憑證。", "This page uploads citizen certificates only; the card inserted is not one.",
            "請插入自然人憑證；機關憑證請由登入頁的「使用憑證登入」上傳。", "Insert your citizen card; upload an organization card from the login page (Log in with a certificate)."),
        Failure::WrongCardType { expected: CardKind::Organization } => said("您插入的卡片不是機關憑證。", "The card inserted is not an organization card.",
            "請插入機關憑證後再試一次。", "Insert the organization card and try again."),
        Failure::Input(e @ (IdError::PinLength | IdError::PinCharacters)) => with(["{n}", e.message_en()], ["請重新輸入憑證密碼。", "Enter the PIN again."]),
        Failure::Input(e @ IdError::AgencyCode) => with(["{n}", e.message_en()], ["請確認後重新輸入。", "Check the code and enter it again."]),
        Failure::Input(e) => with(["{n}", e.message_en()], ["請確認後重新輸入。", "Check it and enter it again."]),
        Failure::Network => said("無法連線到 ECPA 網站。", "The ECPA site cannot be reached.",
            "請檢查網路連線後再試一次。", "Check your network connection and try again."),
        Failure::Passkey(refusal) => match refusal {
            BrowserPasskey::Cancelled => said("通行密鑰的操作已取消或逾時。", "The passkey prompt was cancelled or timed out.",
                "如要繼續，請再按一次並依瀏覽器的提示操作；也可以改用憑證登入。", "Press the button again and follow the browser's prompt, or log in with your card."),
            BrowserPasskey::Unsupported => said("此瀏覽器無法在這個網址使用通行密鑰。", "This browser cannot use passkeys on this address.",
                "請以最新版的 Chrome、Edge、Safari 或 Firefox 開啟 ECPA 網站的正式網址；或改用憑證登入。", "Open the ECPA site's own address in a current Chrome, Edge, Safari or Firefox, or log in with your card."),
            BrowserPasskey::NoAuthenticator => said("找不到可以保存通行密鑰的裝置（須能驗證使用者，例如指紋、臉部辨識或螢幕鎖定）。", "No authenticator that can hold a passkey was found (it must verify you: fingerprint, face or screen lock).",
                "請在裝置上設定螢幕鎖定，或接上安全金鑰後再試一次；也可以繼續使用憑證登入。", "Set up a screen lock on this device or plug in a security key, then try again; you can keep logging in with your card."),
            BrowserPasskey::AlreadyRegistered => said("這個裝置上已經有您的 ECPA 通行密鑰。", "This device already holds your ECPA passkey.",
                "可以直接用它登入；如要換一把，請先在清單中移除舊的通行密鑰。", "Log in with it; to replace it, first remove the old passkey from the list."),
            BrowserPasskey::Failed => said("瀏覽器無法完成通行密鑰的操作。", "The browser could not complete the passkey request.",
                "請重新整理頁面後再試一次；若持續發生，請改用憑證登入。", "Reload the page and try again; if this persists, log in with your card."),
        },
        Failure::PasskeyName => said("通行密鑰名稱須為 1 至 64 個字元。", "A passkey name has 1 to 64 characters.",
            "請重新輸入名稱。", "Enter the name again."),
        // Worded by the portal (see `failure_text`).
        Failure::Api(_) | Failure::ApiOther { .. } => said("", "", "", ""),
        Failure::Agent(agent) => match agent {
            AgentFailure::SiteNotTrusted => said("請先將 ECPA 網站加入信任的網站", "Add the ECPA site to the card component's trusted sites first",
                "按下方按鈕，在讀卡元件的視窗中確認後，再操作一次。", "Press the button below, confirm in the card component's window, then try again."),
            AgentFailure::NoCard => with(["讀卡機中沒有卡片。", "There is no card in the reader."], TRY_AGAIN_CARD),
            AgentFailure::NoReader => said("找不到讀卡機。", "No card reader was found.",
                "請接上讀卡機後再試一次。", "Connect a card reader and try again."),
            AgentFailure::WrongPin { tries_left: Some(_) } => with(["憑證密碼錯誤，還可以再試 {n} 次。", "Wrong card PIN; {n} tries left."], PIN_AGAIN),
            AgentFailure::WrongPin { tries_left: None } => with(["憑證密碼錯誤。", "Wrong card PIN."], PIN_AGAIN),
            AgentFailure::PinLength => said("憑證密碼長度不符。", "The card refused the PIN's length.",
                "憑證密碼為 6 至 8 個字元，請重新輸入。", "The PIN has 6 to 8 characters; enter it again."),
            AgentFailure::PinLocked => said("卡片已被鎖住（密碼錯誤次數過多）。", "The card is locked (too many wrong PINs).",
                "請向發卡的憑證管理中心辦理卡片解鎖。", "Ask the certificate authority that issued the card to unlock it."),
            AgentFailure::NoPin => said("未輸入憑證密碼。", "No PIN was given.",
                "請輸入憑證密碼後再試一次。", "Enter the card PIN and try again."),
            AgentFailure::Cancelled => said("操作已取消。", "The operation was cancelled.",
                "如要繼續，請再操作一次。", "Start again to continue."),
            AgentFailure::CertNotYetValid => said("卡片上的憑證尚未生效。", "The certificate on the card is not valid yet.",
                "請於憑證啓始日之後再操作。", "Try again after its start date."),
            AgentFailure::CertExpired => said("卡片上的憑證已過期。", "The certificate on the card has expired.",
                "請向憑證管理中心申請新卡。", "Apply for a new card at the certificate authority."),
            AgentFailure::BadRequest => said("讀卡元件無法處理此要求。", "The card component could not handle the request.",
                "請重新整理頁面後再試一次。", "Reload the page and try again."),
            AgentFailure::OriginMismatch => said("讀卡元件拒絕簽章：這份登入挑戰屬於另一個網站，不能由此網頁要求簽署。", "The card component refused to sign: this challenge belongs to another site.",
                "請直接在 ECPA 網站上操作，不要透過其他網站。", "Use the ECPA site itself, not another site."),
            AgentFailure::Other(_) => said("讀卡元件回報錯誤（代碼 0x{n}）。", "The card component reported an error (code 0x{n}).",
                "請重新插入卡片後再試一次。", "Re-insert the card and try again."),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Every failure SPEC §4 names, as the page meets it.
    fn spec_failures() -> Vec<Failure> {
        let agent = [
            AgentFailure::SiteNotTrusted,
            AgentFailure::OriginMismatch,
            AgentFailure::NoReader,
            AgentFailure::NoCard,
            AgentFailure::WrongPin {
                tries_left: Some(2),
            },
            AgentFailure::PinLocked,
            AgentFailure::CertExpired,
            AgentFailure::CertNotYetValid,
        ];
        let portal = [
            ErrorCode::CERT_EXPIRED,
            ErrorCode::CERT_NOT_YET_VALID,
            ErrorCode::UNTRUSTED_ISSUER,
            ErrorCode::NOT_CURRENT_EMPLOYEE,
            ErrorCode::NOT_PERSONNEL_OFFICER,
            ErrorCode::NOT_YET_EFFECTIVE,
            ErrorCode::CERT_ALREADY_REGISTERED,
            ErrorCode::CHALLENGE_EXPIRED,
            ErrorCode::AGENCY_UNKNOWN,
            ErrorCode::UNAUTHENTICATED,
        ];
        let page = [
            Failure::AgentNotRunning,
            Failure::PopupBlocked,
            Failure::Network,
            Failure::WrongCardType {
                expected: CardKind::Citizen,
            },
        ];
        let agent = agent.into_iter().map(Failure::Agent);
        let portal = portal.into_iter().map(Failure::Api);
        page.into_iter().chain(agent).chain(portal).collect()
    }

    #[test]
    fn every_spec_failure_has_its_own_message_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for failure in spec_failures() {
                let t = failure_text(&failure, lang);
                assert!(!t.message.is_empty(), "{failure:?}");
                assert!(
                    seen.insert(t.message.clone()),
                    "{failure:?} shares a message"
                );
            }
        }
    }

    #[test]
    fn every_passkey_failure_has_its_own_message_and_a_next_step() {
        use BrowserPasskey::*;
        let browser = [
            Cancelled,
            Unsupported,
            NoAuthenticator,
            AlreadyRegistered,
            Failed,
        ]
        .map(Failure::Passkey);
        let portal = [
            ErrorCode::PASSKEY_STEP_UP_REQUIRED,
            ErrorCode::PASSKEY_UNKNOWN,
            ErrorCode::PASSKEY_CEREMONY_EXPIRED,
            ErrorCode::PASSKEY_REJECTED,
        ]
        .map(Failure::Api);
        for lang in [Lang::Zh, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for failure in browser.iter().chain(&portal).chain([&Failure::PasskeyName]) {
                let t = failure_text(failure, lang);
                assert!(
                    seen.insert(t.message.clone()),
                    "{failure:?} shares a message"
                );
                // The portal's own words name the next step in the message itself.
                let next = t.next.unwrap_or_else(|| t.message.clone());
                let says_what_to_do = match lang {
                    Lang::Zh => next.contains('請') || next.contains("可以"),
                    Lang::En => {
                        let next = next.to_lowercase();
                        next.contains("log in") || next.contains("again")
                    }
                };
                assert!(says_what_to_do, "{failure:?}: {next}");
            }
        }
        let cancelled = failure_text(&Failure::Passkey(Cancelled), Lang::Zh);
        assert_eq!(cancelled.message, "通行密鑰的操作已取消或逾時。");
        assert!(cancelled.next.is_some_and(|n| n.contains("憑證登入")));
    }

    #[test]
    fn site_not_trusted_uses_the_spec_wording_and_offers_add_domain() {
        let t = failure_text(&Failure::Agent(AgentFailure::SiteNotTrusted), Lang::Zh);
        assert_eq!(t.message, "請先將 ECPA 網站加入信任的網站");
        assert_eq!(t.action, Some(NextAction::AddTrustedSite));
    }

    #[test]
    fn wrong_pin_says_how_many_tries_are_left() {
        let t = failure_text(
            &Failure::Agent(AgentFailure::WrongPin {
                tries_left: Some(1),
            }),
            Lang::Zh,
        );
        assert!(t.message.contains("還可以再試 1 次"), "{}", t.message);
        let t = failure_text(
            &Failure::Agent(AgentFailure::WrongPin {
                tries_left: Some(2),
            }),
            Lang::En,
        );
        assert!(t.message.contains("2 tries left"), "{}", t.message);
    }

    #[test]
    fn details_fill_the_message() {
        let t = failure_text(&Failure::Agent(AgentFailure::Other(0x7600_0123)), Lang::Zh);
        assert_eq!(t.message, "讀卡元件回報錯誤（代碼 0x76000123）。");
        let t = failure_text(&Failure::Input(IdError::PinLength), Lang::Zh);
        assert_eq!(t.message, "憑證密碼須為 6 至 8 個字元");
        assert_eq!(t.next.as_deref(), Some("請重新輸入憑證密碼。"));
        let t = failure_text(&Failure::Input(IdError::AgencyCode), Lang::En);
        assert_eq!(t.message, "The agency code is not in the right format.");
    }

    #[test]
    fn portal_messages_are_the_portal_wording_and_session_expiry_asks_to_log_in() {
        let t = failure_text(&Failure::Api(ErrorCode::NOT_YET_EFFECTIVE), Lang::Zh);
        assert_eq!(t.message, ErrorCode::NOT_YET_EFFECTIVE.message_zh());
        let t = failure_text(&Failure::Api(ErrorCode::UNAUTHENTICATED), Lang::En);
        assert_eq!(t.action, Some(NextAction::LogIn));
        assert_eq!(t.next, None);
        for code in ErrorCode::ALL {
            assert_eq!(
                failure_text(&Failure::Api(*code), Lang::En).message,
                code.message_en()
            );
        }
        let other = Failure::ApiOther {
            code: "SOMETHING_NEW".into(),
            message: "新的錯誤".into(),
        };
        assert_eq!(failure_text(&other, Lang::En).message, "新的錯誤");
    }
}
