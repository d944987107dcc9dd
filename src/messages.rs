//! Every word on the page, zh-TW first with an English switch, and a message with a
//! next step for every failure (SPEC §4).

use ecpa_wire::agent::AgentFailure;
use ecpa_wire::{CardKind, ErrorCode, IdError};

use crate::failure::Failure;

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-TW",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn text(self) -> &'static Strings {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Fixed texts of the page.
#[derive(Debug)]
pub struct Strings {
    pub site_title: &'static str,
    /// The switch's label names the other language.
    pub switch_lang: &'static str,
    pub loading: &'static str,
    pub login_heading: &'static str,
    pub account: &'static str,
    pub password: &'static str,
    pub login: &'static str,
    pub cert_login: &'static str,
    pub reading_card: &'static str,
    pub choose_card: &'static str,
    pub use_this_card: &'static str,
    pub pin_prompt: &'static str,
    pub pin_label: &'static str,
    pub pin_hint: &'static str,
    pub ok: &'static str,
    pub cancel: &'static str,
    pub working: &'static str,
    pub not_registered: &'static str,
    pub wizard_title: &'static str,
    pub step_label: &'static str,
    pub steps: [&'static str; 3],
    pub check_intro: &'static str,
    /// `{kind}` is replaced by the card type.
    pub check_prompt: &'static str,
    pub next: &'static str,
    pub back: &'static str,
    pub upload: &'static str,
    pub signing: &'static str,
    pub cert_type: &'static str,
    pub cert_serial: &'static str,
    pub agency_oid: &'static str,
    pub cert_subject: &'static str,
    pub not_before: &'static str,
    pub not_after: &'static str,
    pub confirm_data: &'static str,
    pub keep_card: &'static str,
    pub agency_prompt: &'static str,
    pub agency_code: &'static str,
    pub agency_lookup: &'static str,
    pub agency_name: &'static str,
    pub agency_unknown: &'static str,
    pub looking_up: &'static str,
    pub upload_ok: &'static str,
    pub upload_failed: &'static str,
    pub retry: &'static str,
    pub to_my_area: &'static str,
    pub to_login: &'static str,
    pub my_area: &'static str,
    pub name: &'static str,
    pub agency: &'static str,
    pub personnel_officer: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub upload_citizen: &'static str,
    pub my_certificates: &'static str,
    pub no_certificates: &'static str,
    pub registered_at: &'static str,
    pub withdraw: &'static str,
    pub logout: &'static str,
    pub org_area: &'static str,
    pub org_officer: &'static str,
    pub next_step: &'static str,
    pub add_site: &'static str,
    pub error_heading: &'static str,
    pub card_label: &'static str,
}

pub static ZH: Strings = Strings {
    site_title: "ECPA 人事服務網",
    switch_lang: "English",
    loading: "載入中…",
    login_heading: "請輸入帳號密碼登入",
    account: "帳號",
    password: "密碼",
    login: "登入",
    cert_login: "使用憑證登入",
    reading_card: "正在讀取卡片，請稍候…",
    choose_card: "偵測到多張卡片，請選擇要使用的卡片",
    use_this_card: "使用這張卡片",
    pin_prompt: "請輸入您的 PIN Code",
    pin_label: "憑證密碼",
    pin_hint: "6 至 8 個字元",
    ok: "確定",
    cancel: "取消",
    working: "處理中，請稍候…",
    not_registered: "找不到對應的憑證資訊，請依下列步驟完成憑證上傳作業",
    wizard_title: "憑證註冊精靈導引",
    step_label: "註冊步驟",
    steps: [
        "步驟一. 憑證檢測",
        "步驟二. 將憑證註冊到 ECPA",
        "步驟三. 上傳結果",
    ],
    check_intro: "系統會使用您的憑證做簽章驗證",
    check_prompt: "請插入『{kind}』，輸入憑證密碼，然後按下一步",
    next: "下一步",
    back: "上一步",
    upload: "確認上傳",
    signing: "卡片簽章中，請勿移除智慧卡…",
    cert_type: "憑證類型",
    cert_serial: "憑證序號",
    agency_oid: "機關 OID",
    cert_subject: "憑證主旨",
    not_before: "憑證啓始日",
    not_after: "憑證到期日",
    confirm_data: "請確認憑證資料是否正確",
    keep_card: "智慧卡請勿移除",
    agency_prompt: "請輸入此機關憑證要對應的機關代碼",
    agency_code: "機關代碼",
    agency_lookup: "查詢機關名稱",
    agency_name: "機關名稱",
    agency_unknown: "查無此機關代碼",
    looking_up: "查詢中…",
    upload_ok: "憑證上傳成功，您可以使用憑證登入 ECPA 了",
    upload_failed: "憑證上傳失敗",
    retry: "重新操作",
    to_my_area: "回我的專區",
    to_login: "回登入頁",
    my_area: "我的專區",
    name: "姓名",
    agency: "服務機關",
    personnel_officer: "人事人員",
    yes: "是",
    no: "否",
    upload_citizen: "自然人憑證上傳",
    my_certificates: "我已註冊的憑證",
    no_certificates: "尚未註冊任何憑證",
    registered_at: "註冊時間",
    withdraw: "註銷",
    logout: "登出",
    org_area: "人事專用應用管理系統",
    org_officer: "註冊此機關憑證的人事人員",
    next_step: "下一步：",
    add_site: "將 ECPA 網站加入信任的網站",
    error_heading: "無法完成操作",
    card_label: "卡片憑證：",
};

pub static EN: Strings = Strings {
    site_title: "ECPA Personnel Service",
    switch_lang: "中文",
    loading: "Loading…",
    login_heading: "Log in with your ECPA account and password",
    account: "Account",
    password: "Password",
    login: "Log in",
    cert_login: "Log in with a certificate",
    reading_card: "Reading the card, please wait…",
    choose_card: "Several cards were found; choose the one to use",
    use_this_card: "Use this card",
    pin_prompt: "Enter your PIN code",
    pin_label: "Card PIN",
    pin_hint: "6 to 8 characters",
    ok: "OK",
    cancel: "Cancel",
    working: "Working, please wait…",
    not_registered: "No registration was found for this certificate; follow the steps below to upload it",
    wizard_title: "Certificate registration wizard",
    step_label: "Registration steps",
    steps: [
        "Step 1. Check the certificate",
        "Step 2. Register it with ECPA",
        "Step 3. Result",
    ],
    check_intro: "The system verifies a signature made with your certificate",
    check_prompt: "Insert your {kind}, enter the card PIN, then press Next",
    next: "Next",
    back: "Back",
    upload: "Upload",
    signing: "The card is signing; do not remove it…",
    cert_type: "Certificate type",
    cert_serial: "Serial number",
    agency_oid: "Agency OID",
    cert_subject: "Subject",
    not_before: "Valid from",
    not_after: "Valid until",
    confirm_data: "Please check that the certificate data is correct",
    keep_card: "Do not remove the smart card",
    agency_prompt: "Enter the agency code this organization certificate belongs to",
    agency_code: "Agency code",
    agency_lookup: "Look up agency name",
    agency_name: "Agency name",
    agency_unknown: "Unknown agency code",
    looking_up: "Looking up…",
    upload_ok: "The certificate was uploaded; you can now log in to ECPA with it",
    upload_failed: "The upload failed",
    retry: "Try again",
    to_my_area: "Back to My area",
    to_login: "Back to the login page",
    my_area: "My area",
    name: "Name",
    agency: "Agency",
    personnel_officer: "Personnel officer",
    yes: "Yes",
    no: "No",
    upload_citizen: "Upload citizen certificate",
    my_certificates: "My registered certificates",
    no_certificates: "No certificates registered yet",
    registered_at: "Registered",
    withdraw: "Withdraw",
    logout: "Log out",
    org_area: "Personnel-only management area",
    org_officer: "Registered by personnel officer",
    next_step: "Next step: ",
    add_site: "Trust the ECPA site",
    error_heading: "This could not be completed",
    card_label: "Card certificate: ",
};

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

fn text(message: impl Into<String>, next: impl Into<String>) -> FailureText {
    FailureText {
        message: message.into(),
        next: Some(next.into()),
        action: None,
    }
}

/// The step-1 prompt for a card type.
pub fn check_prompt(kind: CardKind, lang: Lang) -> String {
    let name = match lang {
        Lang::Zh => kind.name_zh(),
        Lang::En => match kind {
            CardKind::Citizen => "citizen digital certificate",
            CardKind::Organization => "organization certificate",
        },
    };
    lang.text().check_prompt.replace("{kind}", name)
}

/// Words for a failure in the page's language.
pub fn failure_text(failure: &Failure, lang: Lang) -> FailureText {
    match lang {
        Lang::Zh => failure_zh(failure),
        Lang::En => failure_en(failure),
    }
}

fn failure_zh(failure: &Failure) -> FailureText {
    match failure {
        Failure::PopupBlocked => text(
            "瀏覽器阻擋了讀卡元件的視窗。",
            "請允許本網站開啟彈出式視窗後，再按一次。",
        ),
        Failure::AgentNotRunning => text(
            "無法連線到讀卡元件（HiPKI 跨平台網頁元件），元件可能未啟動或未安裝。",
            "請安裝並啟動讀卡元件後，再按一次。",
        ),
        Failure::AgentGarbled => text("讀卡元件回傳的資料無法辨識。", "請更新讀卡元件後再試一次。"),
        Failure::Agent(agent) => agent_zh(*agent),
        Failure::NoReader => text("找不到讀卡機。", "請接上讀卡機後再試一次。"),
        Failure::NoCard => text("讀卡機中沒有卡片。", "請插入卡片後再試一次。"),
        Failure::NoSigningCertificate => text(
            "卡片中找不到簽章用憑證。",
            "請確認插入的是自然人憑證或機關憑證。",
        ),
        Failure::CertificateUnreadable => text(
            "卡片上的憑證無法解析。",
            "請確認插入的是自然人憑證或機關憑證。",
        ),
        Failure::WrongCardType {
            expected: CardKind::Citizen,
        } => text(
            "此功能僅供自然人憑證上傳，您插入的卡片不是自然人憑證。",
            "請插入自然人憑證；機關憑證請由登入頁的「使用憑證登入」上傳。",
        ),
        Failure::WrongCardType {
            expected: CardKind::Organization,
        } => text("您插入的卡片不是機關憑證。", "請插入機關憑證後再試一次。"),
        Failure::Input(e @ (IdError::PinLength | IdError::PinCharacters)) => {
            text(e.to_string(), "請重新輸入憑證密碼。")
        }
        Failure::Input(e) => text(e.to_string(), "請確認後重新輸入。"),
        Failure::Api(code) => FailureText {
            message: code.message_zh().into(),
            next: None,
            action: api_action(*code),
        },
        Failure::ApiOther { message, .. } => FailureText {
            message: message.clone(),
            next: None,
            action: None,
        },
        Failure::Network => text("無法連線到 ECPA 網站。", "請檢查網路連線後再試一次。"),
    }
}

fn agent_zh(agent: AgentFailure) -> FailureText {
    match agent {
        AgentFailure::SiteNotTrusted => FailureText {
            message: "請先將 ECPA 網站加入信任的網站".into(),
            next: Some("按下方按鈕，在讀卡元件的視窗中確認後，再操作一次。".into()),
            action: Some(NextAction::AddTrustedSite),
        },
        AgentFailure::NoCard => text("讀卡機中沒有卡片。", "請插入卡片後再試一次。"),
        AgentFailure::NoReader => text("找不到讀卡機。", "請接上讀卡機後再試一次。"),
        AgentFailure::WrongPin {
            tries_left: Some(n),
        } => text(
            format!("憑證密碼錯誤，還可以再試 {n} 次。"),
            "請確認密碼後重新輸入；錯誤次數過多卡片將被鎖住。",
        ),
        AgentFailure::WrongPin { tries_left: None } => text(
            "憑證密碼錯誤。",
            "請確認密碼後重新輸入；錯誤次數過多卡片將被鎖住。",
        ),
        AgentFailure::PinLength => text(
            "憑證密碼長度不符。",
            "憑證密碼為 6 至 8 個字元，請重新輸入。",
        ),
        AgentFailure::PinLocked => text(
            "卡片已被鎖住（密碼錯誤次數過多）。",
            "請向發卡的憑證管理中心辦理卡片解鎖。",
        ),
        AgentFailure::NoPin => text("未輸入憑證密碼。", "請輸入憑證密碼後再試一次。"),
        AgentFailure::Cancelled => text("操作已取消。", "如要繼續，請再操作一次。"),
        AgentFailure::CertNotYetValid => {
            text("卡片上的憑證尚未生效。", "請於憑證啓始日之後再操作。")
        }
        AgentFailure::CertExpired => text("卡片上的憑證已過期。", "請向憑證管理中心申請新卡。"),
        AgentFailure::BadRequest => text("讀卡元件無法處理此要求。", "請重新整理頁面後再試一次。"),
        AgentFailure::Other(code) => text(
            format!("讀卡元件回報錯誤（代碼 0x{code:08X}）。"),
            "請重新插入卡片後再試一次。",
        ),
    }
}

fn api_action(code: ErrorCode) -> Option<NextAction> {
    (code == ErrorCode::UNAUTHENTICATED).then_some(NextAction::LogIn)
}

fn failure_en(failure: &Failure) -> FailureText {
    match failure {
        Failure::PopupBlocked => text(
            "The browser blocked the card component's window.",
            "Allow pop-up windows for this site, then press the button again.",
        ),
        Failure::AgentNotRunning => text(
            "The card reader component (HiPKI Local Server) could not be reached; it may not be running or installed.",
            "Install and start the card component, then press the button again.",
        ),
        Failure::AgentGarbled => text(
            "The card component sent an answer that cannot be read.",
            "Update the card component and try again.",
        ),
        Failure::Agent(agent) => agent_en(*agent),
        Failure::NoReader => text(
            "No card reader was found.",
            "Connect a card reader and try again.",
        ),
        Failure::NoCard => text(
            "There is no card in the reader.",
            "Insert your card and try again.",
        ),
        Failure::NoSigningCertificate => text(
            "The card holds no signing certificate.",
            "Check that you inserted a citizen or an organization card.",
        ),
        Failure::CertificateUnreadable => text(
            "The certificate on the card cannot be read.",
            "Check that you inserted a citizen or an organization card.",
        ),
        Failure::WrongCardType {
            expected: CardKind::Citizen,
        } => text(
            "This page uploads citizen certificates only; the card inserted is not one.",
            "Insert your citizen card; upload an organization card from the login page (Log in with a certificate).",
        ),
        Failure::WrongCardType {
            expected: CardKind::Organization,
        } => text(
            "The card inserted is not an organization card.",
            "Insert the organization card and try again.",
        ),
        Failure::Input(IdError::PinLength) => text(
            "The card PIN must be 6 to 8 characters.",
            "Enter the PIN again.",
        ),
        Failure::Input(IdError::PinCharacters) => text(
            "The card PIN contains characters that are not allowed.",
            "Enter the PIN again.",
        ),
        Failure::Input(IdError::AgencyCode) => text(
            "The agency code is not in the right format.",
            "Check the code and enter it again.",
        ),
        Failure::Input(_) => text(
            "The input is not in the right format.",
            "Check it and enter it again.",
        ),
        Failure::Api(code) => FailureText {
            message: api_en(*code).into(),
            next: None,
            action: api_action(*code),
        },
        Failure::ApiOther { message, .. } => FailureText {
            message: message.clone(),
            next: None,
            action: None,
        },
        Failure::Network => text(
            "The ECPA site cannot be reached.",
            "Check your network connection and try again.",
        ),
    }
}

fn agent_en(agent: AgentFailure) -> FailureText {
    match agent {
        AgentFailure::SiteNotTrusted => FailureText {
            message: "Add the ECPA site to the card component's trusted sites first".into(),
            next: Some(
                "Press the button below, confirm in the card component's window, then try again."
                    .into(),
            ),
            action: Some(NextAction::AddTrustedSite),
        },
        AgentFailure::NoCard => text(
            "There is no card in the reader.",
            "Insert your card and try again.",
        ),
        AgentFailure::NoReader => text(
            "No card reader was found.",
            "Connect a card reader and try again.",
        ),
        AgentFailure::WrongPin {
            tries_left: Some(n),
        } => text(
            format!("Wrong card PIN; {n} tries left."),
            "Check the PIN and enter it again; too many wrong tries lock the card.",
        ),
        AgentFailure::WrongPin { tries_left: None } => text(
            "Wrong card PIN.",
            "Check the PIN and enter it again; too many wrong tries lock the card.",
        ),
        AgentFailure::PinLength => text(
            "The card refused the PIN's length.",
            "The PIN has 6 to 8 characters; enter it again.",
        ),
        AgentFailure::PinLocked => text(
            "The card is locked (too many wrong PINs).",
            "Ask the certificate authority that issued the card to unlock it.",
        ),
        AgentFailure::NoPin => text("No PIN was given.", "Enter the card PIN and try again."),
        AgentFailure::Cancelled => text("The operation was cancelled.", "Start again to continue."),
        AgentFailure::CertNotYetValid => text(
            "The certificate on the card is not valid yet.",
            "Try again after its start date.",
        ),
        AgentFailure::CertExpired => text(
            "The certificate on the card has expired.",
            "Apply for a new card at the certificate authority.",
        ),
        AgentFailure::BadRequest => text(
            "The card component could not handle the request.",
            "Reload the page and try again.",
        ),
        AgentFailure::Other(code) => text(
            format!("The card component reported an error (code 0x{code:08X})."),
            "Re-insert the card and try again.",
        ),
    }
}

fn api_en(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::MALFORMED_REQUEST => {
            "The data sent was malformed; reload the page and try again."
        }
        ErrorCode::PAYLOAD_TOO_LARGE => "The data sent was too large; try again.",
        ErrorCode::INVALID_CREDENTIALS => "Wrong account or password; enter them again.",
        ErrorCode::TOO_MANY_ATTEMPTS => {
            "Too many wrong passwords; wait a minute and try again (15 minutes when many came from the same network)."
        }
        ErrorCode::TOO_MANY_REQUESTS => {
            "Too many requests in a short time; wait a minute and try again."
        }
        ErrorCode::UNAUTHENTICATED => {
            "You are not logged in or your session expired; log in again."
        }
        ErrorCode::FORBIDDEN_ORIGIN => {
            "This request did not come from the ECPA site and was refused."
        }
        ErrorCode::NOT_CURRENT_EMPLOYEE => {
            "The personnel database has no current record of you, so the certificate cannot be uploaded. Ask your agency's personnel office to check your record."
        }
        ErrorCode::NOT_PERSONNEL_OFFICER => {
            "Only personnel officers may upload organization certificates, and your personnel record does not say you are one. Ask your agency's personnel office to check your record."
        }
        ErrorCode::NOT_YET_EFFECTIVE => {
            "Your personnel record was filed today and takes effect tomorrow; upload the certificate tomorrow."
        }
        ErrorCode::CERT_EXPIRED => {
            "This certificate has expired; apply for a new card, then upload it."
        }
        ErrorCode::CERT_NOT_YET_VALID => {
            "This certificate is not valid yet; upload it after its start date."
        }
        ErrorCode::CERT_REVOKED => "This certificate has been revoked; apply for a new card.",
        ErrorCode::REVOCATION_UNKNOWN => {
            "Whether this certificate has been revoked cannot be confirmed right now; try again later, and if this persists, contact the system administrator."
        }
        ErrorCode::UNTRUSTED_ISSUER => {
            "This certificate was not issued by a certificate authority ECPA trusts; use a MOICA citizen card or a government organization card."
        }
        ErrorCode::CERT_KEY_USAGE => {
            "This is not a signing certificate; use the signing certificate on the card."
        }
        ErrorCode::UNSUPPORTED_CERT => {
            "This certificate type is not recognised; use a citizen or an organization card."
        }
        ErrorCode::BAD_SIGNATURE => {
            "The signature did not verify; check that the same card is inserted and try again."
        }
        ErrorCode::CHALLENGE_EXPIRED => "The challenge expired (5 minutes); start again.",
        ErrorCode::CHALLENGE_UNKNOWN => "The challenge is invalid or already used; start again.",
        ErrorCode::CERT_ALREADY_REGISTERED => {
            "This certificate is already registered to someone else and cannot be uploaded again. Ask your agency's personnel office if in doubt."
        }
        ErrorCode::CERT_NOT_REGISTERED => {
            "No registration was found for this certificate; follow the steps below to upload it."
        }
        ErrorCode::WRONG_CERT_TYPE => {
            "This card type does not fit this page; insert the right card."
        }
        ErrorCode::ID_MISMATCH => {
            "The identity on the certificate does not match your account; insert your own citizen card."
        }
        ErrorCode::AGENCY_UNKNOWN => "Unknown agency code; check it and enter it again.",
        ErrorCode::AGENCY_NOT_YOURS => {
            "This agency code is not your agency's; enter the code of the agency you serve."
        }
        ErrorCode::AGENCY_OID_UNKNOWN => {
            "ECPA has no OID on file for this agency, so its organization card cannot be checked; ask the system administrator to add the agency's data, then upload again."
        }
        ErrorCode::NOT_FOUND => "The requested data was not found.",
        ErrorCode::INTERNAL => "The system cannot handle this right now; try again later.",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Every failure SPEC §4 names, as the page meets it.
    fn spec_failures() -> Vec<Failure> {
        vec![
            Failure::AgentNotRunning,
            Failure::PopupBlocked,
            Failure::Agent(AgentFailure::SiteNotTrusted),
            Failure::NoReader,
            Failure::NoCard,
            Failure::Agent(AgentFailure::WrongPin {
                tries_left: Some(2),
            }),
            Failure::Agent(AgentFailure::PinLocked),
            Failure::Agent(AgentFailure::CertExpired),
            Failure::Agent(AgentFailure::CertNotYetValid),
            Failure::Api(ErrorCode::CERT_EXPIRED),
            Failure::Api(ErrorCode::CERT_NOT_YET_VALID),
            Failure::Api(ErrorCode::UNTRUSTED_ISSUER),
            Failure::Api(ErrorCode::NOT_CURRENT_EMPLOYEE),
            Failure::Api(ErrorCode::NOT_PERSONNEL_OFFICER),
            Failure::Api(ErrorCode::NOT_YET_EFFECTIVE),
            Failure::Api(ErrorCode::CERT_ALREADY_REGISTERED),
            Failure::Api(ErrorCode::CHALLENGE_EXPIRED),
            Failure::Api(ErrorCode::AGENCY_UNKNOWN),
            Failure::Api(ErrorCode::UNAUTHENTICATED),
            Failure::Network,
            Failure::WrongCardType {
                expected: CardKind::Citizen,
            },
        ]
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
    fn portal_messages_are_the_portal_wording_and_session_expiry_asks_to_log_in() {
        let t = failure_text(&Failure::Api(ErrorCode::NOT_YET_EFFECTIVE), Lang::Zh);
        assert_eq!(t.message, ErrorCode::NOT_YET_EFFECTIVE.message_zh());
        let t = failure_text(&Failure::Api(ErrorCode::UNAUTHENTICATED), Lang::En);
        assert_eq!(t.action, Some(NextAction::LogIn));
        for code in ErrorCode::ALL {
            assert!(
                !failure_text(&Failure::Api(*code), Lang::En)
                    .message
                    .is_empty()
            );
        }
    }

    #[test]
    fn step_one_prompt_names_the_card() {
        assert_eq!(
            check_prompt(CardKind::Citizen, Lang::Zh),
            "請插入『自然人憑證』，輸入憑證密碼，然後按下一步"
        );
        assert_eq!(
            check_prompt(CardKind::Organization, Lang::Zh),
            "請插入『機關憑證』，輸入憑證密碼，然後按下一步"
        );
        assert!(check_prompt(CardKind::Organization, Lang::En).contains("organization"));
    }

    #[test]
    fn language_switch() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::Zh.other(), Lang::En);
        assert_eq!(Lang::En.tag(), "en");
        assert_eq!(Lang::Zh.text().steps[0], "步驟一. 憑證檢測");
    }
}
