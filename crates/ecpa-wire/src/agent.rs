//! The HiPKI Local Server protocol (SPEC §6), as Chunghwa Telecom's agent speaks it.
//! Field names follow the real agent's JSON exactly so the SPA works with either agent.

use serde::{Deserialize, Serialize};

/// The agent's fixed loopback port.
pub const DEFAULT_PORT: u16 = 61161;

/// The HiPKI Local Server protocol level an agent implements, as `serverVersion`.
/// Deployed clients refuse an agent below it: ChtICToken.js (API R1.0.0.53)
/// compares `"1.3.4.103328".localeCompare(serverVersion) > 0`, so it must sort
/// as text, not only as numbers.
pub const PROTOCOL_VERSION: &str = "1.3.4.103328";

/// `ret_code` and `last_error` values (32-bit; a client adds 2^32 to a negative one).
pub mod ret {
    pub const OK: u32 = 0;
    pub const NO_CARD: u32 = 0x7600_0006;
    pub const BAD_JSON: u32 = 0x7600_000B;
    pub const BAD_PARAMETER: u32 = 0x7600_000C;
    /// 不支援的方法: a function or algorithm the agent does not offer.
    pub const UNSUPPORTED: u32 = 0x7600_000E;
    pub const SITE_NOT_TRUSTED: u32 = 0x7600_0031;
    /// An ECPA challenge whose `origin=` is not the page asking to sign it (this
    /// agent's own code; HiPKI's agent does not check).
    pub const ORIGIN_MISMATCH: u32 = 0x7600_0032;
    pub const NO_PIN: u32 = 0x7600_0998;
    pub const CANCELLED: u32 = 0x7600_0999;
    pub const NO_READER: u32 = 0x7610_0003;
    pub const CARD_LOGIN_FAILED: u32 = 0x7610_0006;
    pub const CERT_NOT_YET_VALID: u32 = 0x7650_0001;
    pub const CERT_EXPIRED: u32 = 0x7650_0002;

    /// `last_error` with [`CARD_LOGIN_FAILED`].
    pub const PIN_INCORRECT: u32 = 0xA0;
    pub const PIN_LEN_RANGE: u32 = 0xA2;
    pub const PIN_LOCKED: u32 = 0xA4;
    pub const PIN_INCORRECT_1_LEFT: u32 = 0x8000_0001;
    pub const PIN_INCORRECT_2_LEFT: u32 = 0x8000_0002;
}

/// Reads a JSON number as the agent's 32-bit code, normalising negatives.
pub fn normalise_code(value: i64) -> u32 {
    if value < 0 {
        (value + (1i64 << 32)) as u32
    } else {
        value as u32
    }
}

/// What a `ret_code` (and `last_error`) means to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentFailure {
    NoCard,
    NoReader,
    BadRequest,
    SiteNotTrusted,
    /// The page asked to sign another site's ECPA challenge.
    OriginMismatch,
    NoPin,
    Cancelled,
    WrongPin {
        tries_left: Option<u8>,
    },
    PinLength,
    PinLocked,
    CertNotYetValid,
    CertExpired,
    Other(u32),
}

impl AgentFailure {
    /// `None` for `ret_code` 0.
    pub fn from_codes(ret_code: u32, last_error: u32) -> Option<Self> {
        use ret::*;
        Some(match ret_code {
            OK => return None,
            NO_CARD => Self::NoCard,
            NO_READER => Self::NoReader,
            BAD_JSON | BAD_PARAMETER => Self::BadRequest,
            SITE_NOT_TRUSTED => Self::SiteNotTrusted,
            ORIGIN_MISMATCH => Self::OriginMismatch,
            NO_PIN => Self::NoPin,
            CANCELLED => Self::Cancelled,
            CERT_NOT_YET_VALID => Self::CertNotYetValid,
            CERT_EXPIRED => Self::CertExpired,
            CARD_LOGIN_FAILED => match last_error {
                PIN_INCORRECT => Self::WrongPin { tries_left: None },
                PIN_INCORRECT_1_LEFT => Self::WrongPin {
                    tries_left: Some(1),
                },
                PIN_INCORRECT_2_LEFT => Self::WrongPin {
                    tries_left: Some(2),
                },
                PIN_LEN_RANGE => Self::PinLength,
                PIN_LOCKED => Self::PinLocked,
                _ => Self::WrongPin { tries_left: None },
            },
            other => Self::Other(other),
        })
    }
}

/// `GET /pkcs11info[?withcert=true]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pkcs11Info {
    /// `pkcs11info` when the answer comes through the popup bridge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub func: Option<String>,
    #[serde(deserialize_with = "code")]
    pub ret_code: u32,
    #[serde(rename = "serverVersion", default)]
    pub server_version: String,
    #[serde(default)]
    pub slots: Vec<SlotInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotInfo {
    #[serde(rename = "slotDescription")]
    pub slot_description: String,
    #[serde(default)]
    pub token: Option<TokenInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    #[serde(rename = "serialNumber")]
    pub serial_number: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub certs: Vec<CertInfo>,
}

/// One certificate on a card. Times are `YYYYMMDDhhmmssZ` (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    pub label: String,
    /// `digitalSignature` for the signing certificate, `keyEncipherment` for the other.
    pub usage: String,
    #[serde(rename = "subjectDN")]
    pub subject_dn: String,
    #[serde(rename = "subjectCN", default)]
    pub subject_cn: String,
    /// The ID last-4 of a citizen card, where present.
    #[serde(rename = "subjectID", default)]
    pub subject_id: String,
    #[serde(rename = "issuerDN")]
    pub issuer_dn: String,
    /// Serial number, lower-case hex.
    pub sn: String,
    #[serde(rename = "notBeforeT")]
    pub not_before_t: String,
    #[serde(rename = "notAfterT")]
    pub not_after_t: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certb64: Option<String>,
    /// CKA_ID, hex.
    pub id: String,
}

impl CertInfo {
    pub fn is_signing(&self) -> bool {
        self.usage.split('|').any(|u| u == "digitalSignature")
    }
}

/// How `tbs` is encoded in a [`TbsPackage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TbsEncoding {
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "base64")]
    Base64,
}

/// The JSON in `POST /sign`'s `tbsPackage` form field, and what the popup bridge
/// receives from its opener.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TbsPackage {
    /// `MakeSignature`.
    pub func: String,
    #[serde(rename = "signatureType")]
    pub signature_type: String,
    pub tbs: String,
    #[serde(rename = "tbsEncoding")]
    pub tbs_encoding: TbsEncoding,
    #[serde(rename = "hashAlgorithm")]
    pub hash_algorithm: String,
    #[serde(default)]
    pub pin: String,
    #[serde(
        rename = "slotDescription",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub slot_description: Option<String>,
    /// `true` asks the agent to include `certb64`; the real agent names it `withCardSN` too.
    #[serde(
        rename = "withCardSN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub with_card_sn: Option<String>,
}

impl TbsPackage {
    /// A PKCS#1 v1.5 SHA-256 signature over `tbs` as UTF-8 text.
    pub fn make_signature(tbs: String, pin: String, slot_description: Option<String>) -> Self {
        Self {
            func: "MakeSignature".into(),
            signature_type: "PKCS1".into(),
            tbs,
            tbs_encoding: TbsEncoding::None,
            hash_algorithm: "SHA256".into(),
            pin,
            slot_description,
            with_card_sn: Some("true".into()),
        }
    }

    /// The package as the popup bridge hands it on. The HiPKI bridge parses the
    /// text as JSON (to read `func`) and posts it as a raw `tbsPackage=` form body,
    /// which the agent URL-decodes once. So the JSON text is written with `%`,
    /// `+` and `&` percent-encoded (ChtICToken.js writes `+` as `%2B`), and with
    /// non-ASCII text as `%XX` UTF-8 bytes (as `encodeURIComponent` writes the
    /// sample pages' Chinese tbs): still JSON, and one decoding gives back exactly
    /// this package, with HiPKI's agent and with ours. (Escaping each value with
    /// `encodeURIComponent` instead would turn a `\n` in the tbs into a raw
    /// newline inside a JSON string after the decoding.)
    pub fn to_bridge_text(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut out = String::with_capacity(json.len());
        for byte in json.bytes() {
            if matches!(byte, b'%' | b'+' | b'&') || !(0x20..0x80).contains(&byte) {
                out.push_str(&format!("%{byte:02X}"));
            } else {
                out.push(char::from(byte));
            }
        }
        out
    }
}

/// JavaScript's `encodeURIComponent` for a UTF-8 string.
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl core::fmt::Debug for TbsPackage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TbsPackage")
            .field("func", &self.func)
            .field("signature_type", &self.signature_type)
            .field("tbs_encoding", &self.tbs_encoding)
            .field("hash_algorithm", &self.hash_algorithm)
            .field("slot_description", &self.slot_description)
            .finish_non_exhaustive()
    }
}

/// The answer to `POST /sign` and to the popup bridge's signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignResult {
    pub func: String,
    #[serde(deserialize_with = "code")]
    pub ret_code: u32,
    #[serde(deserialize_with = "code", default)]
    pub last_error: u32,
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub certb64: String,
    #[serde(rename = "cardSN", default)]
    pub card_sn: String,
}

/// The answer to `DecryptData` (`POST /decrypt`): `func` is `decrypt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecryptResult {
    pub func: String,
    #[serde(deserialize_with = "code")]
    pub ret_code: u32,
    #[serde(deserialize_with = "code", default)]
    pub last_error: u32,
    #[serde(default)]
    pub plain: String,
}

/// The answer to a card command (`changeUserPINCode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCommandResult {
    pub func: String,
    #[serde(deserialize_with = "code")]
    pub ret_code: u32,
    #[serde(deserialize_with = "code", default)]
    pub last_error: u32,
}

/// What the opener posts to the popup bridge to read the cards (no PIN):
/// `{"func":"pkcs11info","withcert":"true"}`. The bridge answers with [`Pkcs11Info`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pkcs11InfoRequest {
    pub func: String,
    #[serde(default)]
    pub withcert: String,
}

impl Pkcs11InfoRequest {
    pub const FUNC: &'static str = "pkcs11info";

    pub fn with_certs() -> Self {
        Self {
            func: Self::FUNC.into(),
            withcert: "true".into(),
        }
    }
}

/// The bridge page's first message to its opener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetTbs {
    pub func: String,
}

impl GetTbs {
    pub const FUNC: &'static str = "getTbs";
}

fn code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let value = i64::deserialize(d)?;
    if !(-(1i64 << 31)..(1i64 << 32)).contains(&value) {
        return Err(serde::de::Error::custom("code out of 32-bit range"));
    }
    Ok(normalise_code(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_codes_are_normalised() {
        let json = r#"{"func":"sign","ret_code":1980760070,"last_error":-2147483647}"#;
        let result: Result<SignResult, _> = serde_json::from_str(json);
        let result = result.map_err(|e| e.to_string());
        assert_eq!(
            result.as_ref().map(|r| r.ret_code),
            Ok(ret::CARD_LOGIN_FAILED)
        );
        assert_eq!(
            result.map(|r| AgentFailure::from_codes(r.ret_code, r.last_error)),
            Ok(Some(AgentFailure::WrongPin {
                tries_left: Some(1)
            }))
        );
    }

    #[test]
    fn tries_left_and_locked() {
        assert_eq!(
            AgentFailure::from_codes(ret::CARD_LOGIN_FAILED, ret::PIN_INCORRECT_1_LEFT),
            Some(AgentFailure::WrongPin {
                tries_left: Some(1)
            })
        );
        assert_eq!(
            AgentFailure::from_codes(ret::CARD_LOGIN_FAILED, ret::PIN_LOCKED),
            Some(AgentFailure::PinLocked)
        );
        assert_eq!(AgentFailure::from_codes(ret::OK, 0), None);
    }

    #[test]
    fn tbs_package_field_names() {
        let p = TbsPackage::make_signature("hello".into(), "123456".into(), None);
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(json["func"], "MakeSignature");
        assert_eq!(json["signatureType"], "PKCS1");
        assert_eq!(json["tbsEncoding"], "NONE");
        assert_eq!(json["hashAlgorithm"], "SHA256");
        assert!(!format!("{p:?}").contains("123456"));
    }

    /// `application/x-www-form-urlencoded` decoding, once, as the agent reads a body.
    fn form_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or_default());
                    i += 2;
                }
                other => out.push(other),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn bridge_text_survives_one_url_decoding_unchanged() {
        let tbs = "a+b/c%2B d=e&f?\n中文「簽章」\u{1F600}";
        let package =
            TbsPackage::make_signature(tbs.into(), "Pw+%&=#1".into(), Some("Reader +1 %".into()));
        let text = package.to_bridge_text();
        assert!(text.is_ascii(), "{text}");
        for raw in ['+', '&', '\n'] {
            assert!(!text.contains(raw), "{raw:?} in {text}");
        }
        // Still JSON: the bridge reads `func` from it before posting it on.
        let seen: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(seen["func"], "MakeSignature");
        let decoded: Result<TbsPackage, _> = serde_json::from_str(&form_decode(&text));
        assert_eq!(decoded.map_err(|e| e.to_string()), Ok(package));
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(encode_uri_component("123456"), "123456");
        assert_eq!(
            encode_uri_component("http://localhost:8080"),
            "http%3A%2F%2Flocalhost%3A8080"
        );
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
        assert_eq!(encode_uri_component("人 +"), "%E4%BA%BA%20%2B");
    }
}
