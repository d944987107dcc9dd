//! Every word on the page, zh-TW first with an English switch: each text's zh-TW
//! and English side by side in one table, and a message with a next step for every
//! failure (SPEC §4) in [`failures`].

mod failures;

use ecpa_wire::CardKind;
use serde::{Deserialize, Serialize};

pub use failures::{FailureText, NextAction, failure_text};

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

    /// One of a `[zh-TW, English]` pair.
    pub fn pick<T>(self, [zh, en]: [T; 2]) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

macro_rules! texts {
    ($( $(#[$doc:meta])* $key:ident = $zh:literal, $en:literal; )*) => {
        /// The fixed texts of the page.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $( $(#[$doc])* $key, )* }

        impl Text {
            /// The text in `lang`: one look-up in one table.
            pub fn get(self, lang: Lang) -> &'static str {
                match self { $( Text::$key => lang.pick([$zh, $en]), )* }
            }
        }
    };
}

texts! {
    SiteTitle = "ECPA 人事服務網", "ECPA Personnel Service";
    /// The service's owner, above the site's name.
    SiteOwner = "行政院人事行政總處", "Directorate-General of Personnel Administration, Executive Yuan";
    BreadcrumbLabel = "導覽路徑", "Breadcrumb";
    YouAreHere = "現在位置：", "You are here: ";
    Home = "首頁", "Home";
    LoginCrumb = "登入", "Log in";
    FooterLabel = "網站資訊", "About this site";
    Contact = "聯絡我們", "Contact us";
    ContactText = "行政院人事行政總處　地址：100 臺北市中正區濟南路一段 2 之 2 號　電話：(02) 2397-9298　服務時間：週一至週五 8:30–17:30", "Directorate-General of Personnel Administration, Executive Yuan · No. 2-2, Sec. 1, Jinan Rd., Zhongzheng Dist., Taipei 100 · Phone +886 2 2397 9298 · Mon–Fri 8:30–17:30";
    Privacy = "隱私權保護政策", "Privacy policy";
    PrivacyText = "本網站僅為辦理憑證註冊與登入，蒐集您的 ECPA 帳號、身分證統一編號及憑證資料，不作其他用途；註冊與登入紀錄依規定保存以供稽核。", "This site collects your ECPA account, national ID number and certificate data only to register certificates and log you in; registration and login records are kept for audit as required.";
    AccessibilityStatement = "無障礙聲明", "Accessibility statement";
    AccessibilityText = "本網站依網站無障礙規範設計：每個畫面皆可只用鍵盤操作，錯誤訊息會即時朗讀，並以 axe-core 自動檢測。使用上若有困難，請來電告知。", "This site follows the accessibility guidelines: every screen works with the keyboard alone, errors are announced, and pages are checked with axe-core. If something is hard to use, please call us.";
    /// The switch's label names the other language.
    SwitchLang = "English", "中文";
    Loading = "載入中…", "Loading…";
    LoginHeading = "請輸入帳號密碼登入", "Log in with your ECPA account and password";
    /// The wizard's password page (Method 1 without a session), by card type.
    CitizenLoginHeading = "自然人憑證上傳：請輸入帳號密碼登入", "Citizen certificate upload: log in with your ECPA account and password";
    OrganizationLoginHeading = "機關憑證上傳：請輸入帳號密碼登入", "Organization certificate upload: log in with your ECPA account and password";
    Account = "ECPA 帳號", "ECPA account";
    Password = "ECPA 密碼", "ECPA password";
    Login = "登入", "Log in";
    CertLogin = "使用憑證登入", "Log in with a certificate";
    /// Before the first certificate login, beside 「使用憑證登入」.
    TrustFirst = "第一次使用憑證登入前，請先將 ECPA 網站加入讀卡元件的信任網站：", "Before your first certificate login, add the ECPA site to the card agent's trusted sites: ";
    ChooseCard = "偵測到多張卡片，請選擇要使用的卡片", "Several cards were found; choose the one to use";
    PinPrompt = "請輸入您的 PIN Code", "Enter your PIN code";
    PinLabel = "憑證密碼", "Card PIN";
    PinHint = "6 至 8 個字元", "6 to 8 characters";
    Ok = "確定", "OK";
    Cancel = "取消", "Cancel";
    Working = "處理中，請稍候…", "Working, please wait…";
    NotRegistered = "找不到對應的憑證資訊，請依下列步驟完成憑證上傳作業", "No registration was found for this certificate; follow the steps below to upload it";
    WizardTitle = "憑證註冊精靈導引", "Certificate registration wizard";
    StepLabel = "註冊步驟", "Registration steps";
    Step1 = "步驟一. 憑證檢測", "Step 1. Check the certificate";
    Step2 = "步驟二. 將憑證註冊到 ECPA", "Step 2. Register it with ECPA";
    Step3 = "步驟三. 上傳結果", "Step 3. Result";
    Vetting = "正在確認您是否可以註冊此類憑證…", "Checking whether you may register this kind of certificate…";
    Refused = "您目前無法註冊此憑證", "You cannot register this certificate now";
    CheckIntro = "系統會使用您的憑證做簽章驗證", "The system verifies a signature made with your certificate";
    CitizenCardPicture = "插入讀卡機的自然人憑證 IC 卡", "A citizen certificate card inserted in a card reader";
    OrganizationCardPicture = "插入讀卡機的機關憑證 IC 卡", "An organization certificate card inserted in a card reader";
    /// `{kind}` is replaced by the card type.
    CheckPrompt = "請插入「{kind}」，輸入憑證密碼，然後按下一步", "Insert your {kind}, enter the card PIN, then press Next";
    Next = "下一步", "Next";
    Back = "上一步", "Back";
    Upload = "確認上傳", "Upload";
    Signing = "卡片簽章中，請勿移除智慧卡…", "The card is signing; do not remove it…";
    CertType = "憑證類型", "Certificate type";
    CertSerial = "憑證序號", "Serial number";
    AgencyOid = "機關 OID", "Agency OID";
    CertSubject = "憑證主旨", "Subject";
    NotBefore = "憑證啓始日", "Valid from";
    NotAfter = "憑證到期日", "Valid until";
    ConfirmData = "請確認憑證資料是否正確", "Please check that the certificate data is correct";
    KeepCard = "智慧卡請勿移除", "Do not remove the smart card";
    AgencyPrompt = "請輸入此機關憑證要對應的機關代碼", "Enter the agency code this organization certificate belongs to";
    AgencyCode = "機關代碼", "Agency code";
    AgencyLookup = "查詢機關名稱", "Look up agency name";
    AgencyName = "機關名稱", "Agency name";
    AgencyUnknown = "查無此機關代碼", "Unknown agency code";
    LookingUp = "查詢中…", "Looking up…";
    UploadOk = "憑證上傳成功，您可以使用憑證登入 ECPA 了", "The certificate was uploaded; you can now log in to ECPA with it";
    UploadFailed = "憑證上傳失敗", "The upload failed";
    Retry = "重新操作", "Try again";
    ToMyArea = "回我的專區", "Back to My area";
    ToLogin = "回登入頁", "Back to the login page";
    MyArea = "我的專區", "My area";
    Name = "姓名", "Name";
    Agency = "服務機關", "Agency";
    PersonnelOfficer = "人事人員", "Personnel officer";
    Yes = "是", "Yes";
    No = "否", "No";
    UploadCitizen = "自然人憑證上傳", "Upload citizen certificate";
    UploadCitizenNote = "註冊您的自然人憑證後，即可使用憑證登入 ECPA。", "Register your citizen certificate to log in to ECPA with it.";
    UploadOrganization = "機關憑證上傳", "Upload organization certificate";
    UploadOrganizationNote = "人事人員可註冊所服務機關的機關憑證，供登入人事專用應用管理系統。", "Personnel officers register the organization certificate of an agency they serve, to open its personnel-only area.";
    MyFunctions = "我的專區功能", "My area functions";
    MyData = "我的資料", "My data";
    CertificateUpload = "憑證上傳", "Certificate upload";
    MyCertificates = "我已註冊的憑證", "My registered certificates";
    NoCertificates = "尚未註冊任何憑證", "No certificates registered yet";
    Withdraw = "註銷", "Withdraw";
    Logout = "登出", "Log out";
    OrgArea = "人事專用應用管理系統", "Personnel-only management area";
    OrgOfficer = "註冊此機關憑證的人事人員", "Registered by personnel officer";
    OrgIntro = "本區僅供人事人員以機關憑證辦理所服務機關的人事業務。", "This area is for personnel officers working for their agency with its organization certificate.";
    OrgCard = "登入使用的機關憑證", "Organization certificate in use";
    RegisteredAt = "註冊時間", "Registered on";
    NextStep = "下一步：", "Next step: ";
    AddSite = "將 ECPA 網站加入信任的網站", "Trust the ECPA site";
    CardLabel = "卡片憑證：", "Card certificate: ";
    PasskeyLogin = "使用通行密鑰登入", "Log in with a passkey";
    Passkeys = "通行密鑰", "Passkeys";
    PasskeysIntro = "通行密鑰讓您不用插卡，就能以這個裝置的指紋、臉部辨識或螢幕鎖定登入 ECPA；它沿用您的自然人憑證確認過的身分。", "A passkey lets you log in to ECPA without your card, with this device's fingerprint, face or screen lock; it carries the identity your citizen card confirmed.";
    /// 步驟三 after a citizen card was uploaded.
    PasskeyOffer = "下次想不插卡就登入嗎？可以新增通行密鑰。", "Want to log in without the card next time? Add a passkey.";
    PasskeyAdd = "新增通行密鑰", "Add a passkey";
    PasskeyStepUp = "新增通行密鑰前，請先使用憑證登入：通行密鑰只能在憑證登入後 5 分鐘內新增，以確認是您本人。", "To add a passkey, log in with your card first: a passkey can be added only within 5 minutes of a card login, which confirms it is you.";
    PasskeyAdding = "請依瀏覽器的提示建立通行密鑰…", "Follow the browser's prompt to create the passkey…";
    /// `{name}` is the passkey's name.
    PasskeyAdded = "已新增通行密鑰「{name}」，下次可以直接用它登入。", "Passkey “{name}” was added; next time you can log in with it.";
    MyPasskeys = "我的通行密鑰", "My passkeys";
    NoPasskeys = "尚未新增通行密鑰", "No passkeys yet";
    PasskeyCreated = "新增於", "Added";
    PasskeyLastUsed = "上次使用", "Last used";
    PasskeyNeverUsed = "尚未使用", "Not used yet";
    Rename = "重新命名", "Rename";
    PasskeyName = "通行密鑰名稱", "Passkey name";
    Save = "儲存", "Save";
    Remove = "移除", "Remove";
    /// `{name}` is the passkey's name.
    PasskeyRemoveQuestion = "確定要移除通行密鑰「{name}」嗎？移除後就不能再用它登入。", "Remove passkey “{name}”? You will no longer be able to log in with it.";
    ConfirmRemove = "確定移除", "Remove it";
}

impl Text {
    /// The wizard step's name (`步驟一. 憑證檢測`, …), `n` from 1 to 3.
    pub fn step(n: u8) -> Self {
        match n {
            1 => Text::Step1,
            2 => Text::Step2,
            _ => Text::Step3,
        }
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
    Text::CheckPrompt.get(lang).replace("{kind}", name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn step_one_prompt_names_the_card() {
        assert_eq!(
            check_prompt(CardKind::Citizen, Lang::Zh),
            "請插入「自然人憑證」，輸入憑證密碼，然後按下一步"
        );
        assert_eq!(
            check_prompt(CardKind::Organization, Lang::Zh),
            "請插入「機關憑證」，輸入憑證密碼，然後按下一步"
        );
        assert!(check_prompt(CardKind::Organization, Lang::En).contains("organization"));
    }

    #[test]
    fn zh_tw_quotes_are_corner_brackets() {
        for kind in [CardKind::Citizen, CardKind::Organization] {
            let prompt = check_prompt(kind, Lang::Zh);
            assert!(!prompt.contains('『') && !prompt.contains('』'), "{prompt}");
        }
    }

    #[test]
    fn language_switch() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::Zh.other(), Lang::En);
        assert_eq!(Lang::En.tag(), "en");
        assert_eq!(Text::step(1).get(Lang::Zh), "步驟一. 憑證檢測");
        assert_eq!(Text::step(3).get(Lang::En), "Step 3. Result");
        assert_eq!(Text::SwitchLang.get(Lang::Zh), "English");
    }
}
