//! The portal's REST API (SPEC §7): request and answer bodies, and error codes.

use serde::{Deserialize, Serialize};

use crate::ids::{AgencyCode, Nonce};

/// Which card a certificate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// 自然人憑證 (MOICA).
    Citizen,
    /// 機關憑證 (GCA).
    Organization,
}

impl CardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CardKind::Citizen => "citizen",
            CardKind::Organization => "organization",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "citizen" => Some(CardKind::Citizen),
            "organization" => Some(CardKind::Organization),
            _ => None,
        }
    }

    /// 「自然人憑證」 or 「機關憑證」.
    pub fn name_zh(self) -> &'static str {
        match self {
            CardKind::Citizen => "自然人憑證",
            CardKind::Organization => "機關憑證",
        }
    }
}

/// What a challenge will be used for; it is part of the signed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengePurpose {
    Login,
    Register,
}

impl ChallengePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengePurpose::Login => "login",
            ChallengePurpose::Register => "register",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "login" => Some(ChallengePurpose::Login),
            "register" => Some(ChallengePurpose::Register),
            _ => None,
        }
    }
}

/// `POST /api/session/password`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLogin {
    pub account: String,
    pub password: String,
}

impl core::fmt::Debug for PasswordLogin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PasswordLogin")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// How the current session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    Password,
    Certificate,
    /// A passkey added after a certificate login (`/api/passkeys/…`).
    Passkey,
}

/// Who is logged in (`GET /api/me` and every login answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Principal {
    /// A person, logged in with a password or a citizen card.
    Employee {
        name: String,
        /// `A12345****`: enough to recognise, not to expose.
        national_id_masked: String,
        agency_code: String,
        agency_name: Option<String>,
        is_personnel_officer: bool,
        login_method: LoginMethod,
        /// Whether this session may add a passkey now: opened by a certificate login
        /// within the last 5 minutes (step-up); a password or passkey login never may.
        #[serde(default)]
        can_add_passkey: bool,
    },
    /// An organization card: the agency's personnel-only area (人事專用應用管理系統).
    Organization {
        agency_code: String,
        agency_name: Option<String>,
        /// The personnel officer who registered the card.
        officer_name: String,
        /// The organization card this session was opened with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<Registration>,
    },
}

/// `POST /api/challenges`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    pub purpose: ChallengePurpose,
}

/// A challenge to be signed by the card; `tbs` is exactly what the card signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub nonce: Nonce,
    pub tbs: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// `POST /api/certificates/status`: `certificate` is base64 DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatusRequest {
    pub certificate: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatus {
    pub registered: bool,
    pub kind: CardKind,
}

/// `POST /api/session/certificate`: base64 certificate and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateLogin {
    pub nonce: Nonce,
    pub certificate: String,
    pub signature: String,
}

/// `POST /api/registrations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRequest {
    pub nonce: Nonce,
    pub certificate: String,
    pub signature: String,
    /// The card type the page asked for.
    pub kind: CardKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<AgencyCode>,
}

/// A registered certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: i64,
    pub kind: CardKind,
    /// Lower-case hex, no leading zero byte.
    pub serial: String,
    /// `C=TW, CN=王大明, serialNumber=…` in stored order.
    pub subject: String,
    pub issuer: String,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<String>,
    pub registered_at: String,
}

/// `GET /api/agencies/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}

/// `GET /api/agencies/{code}` answered to a signed-in employee: the agency, and whether
/// they may register its organization card (absent for anyone else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyLookup {
    #[serde(flatten)]
    pub agency: Agency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Eligibility>,
}

/// `GET /api/me/eligibility`: whether the signed-in employee may register a card of a
/// kind now; when not, the error code and message registration would answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub eligible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Eligibility {
    /// Eligible, or refused with `code`'s name and zh-TW message.
    pub fn from_refusal(refusal: Option<ErrorCode>) -> Self {
        Self {
            eligible: refusal.is_none(),
            error: refusal.map(|c| c.as_str().to_owned()),
            message: refusal.map(|c| c.message_zh().to_owned()),
        }
    }
}

/// `POST /api/passkeys/registration/finish`: the browser's answer to the creation
/// options from `…/registration/start`, and an optional name (1–64 characters; the portal
/// names it 「通行密鑰 N」 when absent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasskeyRegistrationFinish {
    pub credential: webauthn_rs_proto::RegisterPublicKeyCredential,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A stored passkey: `GET /api/me/passkeys` lists them, registration answers one (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passkey {
    pub id: i64,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
}

/// `PATCH /api/me/passkeys/{id}`: a new name, 1–64 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRename {
    pub name: String,
}

/// `GET /api/config`: what the SPA needs before anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// The card agent's origin, e.g. `http://127.0.0.1:61161`.
    pub agent_origin: String,
    /// The portal's public origin (written into every challenge).
    pub public_origin: String,
}

/// Every error answer: `{"error": "STABLE_CODE", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    pub message: String,
}

macro_rules! error_codes {
    ($( $variant:ident = $status:literal, $zh:literal, $en:literal; )*) => {
        /// The portal's stable error codes, with their HTTP status and their message in
        /// zh-TW (what the portal sends) and in English (the SPA's language switch).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            /// `SCREAMING_SNAKE` name sent as `error` (the variant's own name).
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => stringify!($variant), )* }
            }

            pub fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// The message a clerk reads: what happened and what to do next.
            pub fn message_zh(self) -> &'static str {
                match self { $( ErrorCode::$variant => $zh, )* }
            }

            /// [`Self::message_zh`] in English.
            pub fn message_en(self) -> &'static str {
                match self { $( ErrorCode::$variant => $en, )* }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

error_codes! {
    MALFORMED_REQUEST = 400,
        "送出的資料格式不正確，請重新整理頁面後再試一次。",
        "The data sent was malformed; reload the page and try again.";
    PAYLOAD_TOO_LARGE = 413,
        "送出的資料過大，請重新操作。",
        "The data sent was too large; try again.";
    INVALID_CREDENTIALS = 401,
        "帳號或密碼錯誤，請重新輸入。",
        "Wrong account or password; enter them again.";
    TOO_MANY_ATTEMPTS = 429,
        "密碼錯誤次數過多，請稍候 1 分鐘再試；同一網路錯誤過多時請 15 分鐘後再試。",
        "Too many wrong passwords; wait a minute and try again (15 minutes when many came from the same network).";
    TOO_MANY_REQUESTS = 429,
        "短時間內的操作次數過多，請稍候 1 分鐘再試。",
        "Too many requests in a short time; wait a minute and try again.";
    UNAUTHENTICATED = 401,
        "您尚未登入或登入已逾時，請重新登入。",
        "You are not logged in or your session expired; log in again.";
    FORBIDDEN_ORIGIN = 403,
        "此要求並非來自 ECPA 網站，已拒絕處理。",
        "This request did not come from the ECPA site and was refused.";
    NOT_CURRENT_EMPLOYEE = 403,
        "人事資料庫中查無您的現職資料，無法上傳憑證。請洽服務機關人事單位確認資料。",
        "The personnel database has no current record of you, so the certificate cannot be uploaded. Ask your agency's personnel office to check your record.";
    NOT_PERSONNEL_OFFICER = 403,
        "機關憑證限人事人員上傳；依人事資料您目前不是人事人員。請洽服務機關人事單位確認資料。",
        "Only personnel officers may upload organization certificates, and your personnel record does not say you are one. Ask your agency's personnel office to check your record.";
    NOT_YET_EFFECTIVE = 403,
        "您的人事資料今日才入檔，明天起生效，請於明天再上傳憑證。",
        "Your personnel record was filed today and takes effect tomorrow; upload the certificate tomorrow.";
    CERT_EXPIRED = 422,
        "此憑證已過期，請向憑證管理中心申請新卡後再上傳。",
        "This certificate has expired; apply for a new card, then upload it.";
    CERT_NOT_YET_VALID = 422,
        "此憑證尚未生效，請於憑證啓始日之後再上傳。",
        "This certificate is not valid yet; upload it after its start date.";
    CERT_REVOKED = 422,
        "此憑證已被廢止，請向憑證管理中心申請新卡。",
        "This certificate has been revoked; apply for a new card.";
    REVOCATION_UNKNOWN = 503,
        "目前無法確認此憑證是否已被廢止，請稍後再試；若持續發生，請洽系統管理者。",
        "Whether this certificate has been revoked cannot be confirmed right now; try again later, and if this persists, contact the system administrator.";
    UNTRUSTED_ISSUER = 422,
        "此憑證不是由 ECPA 信任的憑證管理中心所簽發，請改用內政部自然人憑證或政府機關憑證。",
        "This certificate was not issued by a certificate authority ECPA trusts; use a MOICA citizen card or a government organization card.";
    CERT_KEY_USAGE = 422,
        "此憑證不是簽章用憑證，請使用卡片上的簽章憑證。",
        "This is not a signing certificate; use the signing certificate on the card.";
    CERT_TEST_POLICY = 422,
        "此憑證為測試用憑證（政府憑證測試政策），本系統不接受，請改用正式的自然人憑證或機關憑證。",
        "This is a test certificate (GPKI test-assurance policy), which ECPA does not accept; use a real citizen or organization card.";
    UNSUPPORTED_CERT = 422,
        "無法辨識此憑證的類型，請改用自然人憑證或機關憑證。",
        "This certificate type is not recognised; use a citizen or an organization card.";
    BAD_SIGNATURE = 422,
        "憑證簽章驗證失敗，請確認插入的是同一張卡片後重新操作。",
        "The signature did not verify; check that the same card is inserted and try again.";
    CHALLENGE_EXPIRED = 410,
        "驗證碼已逾時（5 分鐘），請重新操作一次。",
        "The challenge expired (5 minutes); start again.";
    CHALLENGE_UNKNOWN = 400,
        "驗證碼無效或已使用過，請重新操作一次。",
        "The challenge is invalid or already used; start again.";
    CERT_ALREADY_REGISTERED = 409,
        "此憑證已由其他人註冊，無法重複上傳。若有疑問請洽服務機關人事單位。",
        "This certificate is already registered to someone else and cannot be uploaded again. Ask your agency's personnel office if in doubt.";
    CERT_NOT_REGISTERED = 404,
        "找不到對應的憑證資訊，請依下列步驟完成憑證上傳作業。",
        "No registration was found for this certificate; follow the steps below to upload it.";
    WRONG_CERT_TYPE = 422,
        "卡片種類與此功能不符，請插入正確的卡片。",
        "This card type does not fit this page; insert the right card.";
    ID_MISMATCH = 403,
        "憑證上的身分資料與您的帳號不符，請插入您本人的自然人憑證。",
        "The identity on the certificate does not match your account; insert your own citizen card.";
    AGENCY_UNKNOWN = 404,
        "查無此機關代碼，請確認後重新輸入。",
        "Unknown agency code; check it and enter it again.";
    AGENCY_NOT_YOURS = 403,
        "此機關代碼不是您服務的機關，請輸入您服務機關的代碼。",
        "This agency code is not your agency's; enter the code of the agency you serve.";
    AGENCY_OID_UNKNOWN = 403,
        "ECPA 尚未登錄此機關的機關 OID，無法核對機關憑證。請洽系統管理者補登機關資料後再上傳。",
        "ECPA has no OID on file for this agency, so its organization card cannot be checked; ask the system administrator to add the agency's data, then upload again.";
    PASSKEY_STEP_UP_REQUIRED = 403,
        "新增通行密鑰前，請先使用憑證登入（5 分鐘內有效），再新增通行密鑰。",
        "Before adding a passkey, log in with your card (valid for 5 minutes), then add the passkey.";
    PASSKEY_UNKNOWN = 401,
        "此通行密鑰未在 ECPA 登錄或已被移除，請改用憑證或帳號密碼登入。",
        "This passkey is not registered with ECPA or was removed; log in with your card or your account and password.";
    PASSKEY_CEREMONY_EXPIRED = 410,
        "通行密鑰的操作已逾時或已使用過，請重新操作。",
        "The passkey request timed out or was already used; start again.";
    PASSKEY_REJECTED = 401,
        "通行密鑰驗證失敗，請重新操作；若持續發生，請改用憑證登入。",
        "The passkey could not be verified; try again, and if this persists, log in with your card.";
    NOT_FOUND = 404,
        "找不到您要的資料。",
        "The requested data was not found.";
    INTERNAL = 500,
        "系統暫時無法處理，請稍後再試。",
        "The system cannot handle this right now; try again later.";
    SERVICE_UNAVAILABLE = 503,
        "系統資料庫暫時無法連線，請稍候 1 分鐘再試。",
        "The system's database cannot be reached right now; try again in a minute.";
    STORAGE_FULL = 507,
        "系統儲存空間已滿，這次的資料沒有保存；請稍後再試，並通知系統管理人員。",
        "The system's storage is full and nothing was saved; try again later and tell the system administrator.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        assert_eq!(
            ErrorCode::CERT_ALREADY_REGISTERED.as_str(),
            "CERT_ALREADY_REGISTERED"
        );
        assert_eq!(ErrorCode::CERT_ALREADY_REGISTERED.http_status(), 409);
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(!code.message_zh().is_empty());
            assert!(!code.message_en().is_empty());
        }
    }

    #[test]
    fn principal_shape() {
        let p = Principal::Organization {
            agency_code: "3230000".into(),
            agency_name: Some("行政院人事行政總處".into()),
            officer_name: "王大明".into(),
            card: None,
        };
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(json["type"], "organization");
        assert_eq!(json["agency_code"], "3230000");
    }
}
