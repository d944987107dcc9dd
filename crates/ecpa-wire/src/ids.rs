//! Newtypes parsed at the edge: once built, they are valid.

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身分證統一編號格式不正確")]
    NationalIdFormat,
    #[error("身分證統一編號檢查碼不正確")]
    NationalIdChecksum,
    #[error("機關代碼格式不正確")]
    AgencyCode,
    #[error("憑證密碼須為 6 至 8 個字元")]
    PinLength,
    #[error("憑證密碼含有不允許的字元")]
    PinCharacters,
    #[error("挑戰碼格式不正確")]
    Nonce,
}

impl IdError {
    /// The message above (zh-TW, the `Display` text) in English.
    pub fn message_en(&self) -> &'static str {
        match self {
            IdError::NationalIdFormat => "The national ID is not in the right format.",
            IdError::NationalIdChecksum => "The national ID's check digit is wrong.",
            IdError::AgencyCode => "The agency code is not in the right format.",
            IdError::PinLength => "The card PIN must be 6 to 8 characters.",
            IdError::PinCharacters => "The card PIN contains characters that are not allowed.",
            IdError::Nonce => "The challenge is not in the right format.",
        }
    }
}

/// 身分證統一編號: one letter, then `1`/`2` (or `8`/`9` for newer resident
/// certificates), seven digits and a check digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId(String);

/// The two-digit value of each leading letter in the checksum.
fn letter_value(letter: u8) -> Option<u32> {
    const TABLE: &[u8; 26] = b"ABCDEFGHJKLMNPQRSTUVXYWZIO";
    TABLE
        .iter()
        .position(|&c| c == letter)
        .map(|i| 10 + i as u32)
}

impl NationalId {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let id = input.trim().to_ascii_uppercase();
        let bytes = id.as_bytes();
        if bytes.len() != 10 || !bytes[1..].iter().all(u8::is_ascii_digit) {
            return Err(IdError::NationalIdFormat);
        }
        if !matches!(bytes[1], b'1' | b'2' | b'8' | b'9') {
            return Err(IdError::NationalIdFormat);
        }
        let letter = letter_value(bytes[0]).ok_or(IdError::NationalIdFormat)?;
        let mut sum = letter / 10 + (letter % 10) * 9;
        for (i, d) in bytes[1..9].iter().enumerate() {
            sum += u32::from(d - b'0') * (8 - i as u32);
        }
        sum += u32::from(bytes[9] - b'0');
        if sum % 10 != 0 {
            return Err(IdError::NationalIdChecksum);
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, as MOICA writes them into citizen certificates.
    pub fn last4(&self) -> &str {
        &self.0[6..]
    }

    /// For screens and logs: `A12345****` keeps the person recognisable, not exposed.
    pub fn masked(&self) -> String {
        format!("{}****", &self.0[..6])
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 機關代碼: 3 to 10 upper-case letters or digits (e.g. `3230000`, `A09000000E`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let code = input.trim().to_ascii_uppercase();
        let ok = (3..=10).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        if ok {
            Ok(Self(code))
        } else {
            Err(IdError::AgencyCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 憑證密碼 (card PIN): 6 to 8 printable ASCII characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub const MIN_LEN: usize = 6;
    pub const MAX_LEN: usize = 8;

    pub fn parse(input: &str) -> Result<Self, IdError> {
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(IdError::PinCharacters);
        }
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&input.len()) {
            return Err(IdError::PinLength);
        }
        Ok(Self(input.to_owned()))
    }

    /// The PIN itself, for the one place that hands it to the card.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(******)")
    }
}

/// A challenge nonce: 32 random bytes, written as 64 lower-case hex digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nonce([u8; 32]);

impl Nonce {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = input.as_bytes();
        if text.len() != 64 {
            return Err(IdError::Nonce);
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in text.chunks(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or(IdError::Nonce)?;
            let lo = hex_value(pair[1]).ok_or(IdError::Nonce)?;
            bytes[i] = hi << 4 | lo;
        }
        Ok(Self(bytes))
    }

    /// Lower-case hex, two digits a byte (the form [`Nonce::parse`] reads).
    pub fn to_hex(&self) -> String {
        crate::hex::lower_hex(&self.0)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({})", self.to_hex())
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

macro_rules! string_serde {
    ($ty:ty, $to:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let to: fn(&$ty) -> String = $to;
                s.serialize_str(&to(self))
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                <$ty>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_serde!(NationalId, |v| v.0.clone());
string_serde!(AgencyCode, |v| v.0.clone());
string_serde!(Nonce, |v| v.to_hex());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_id_checksum() {
        assert!(NationalId::parse("A123456789").is_ok());
        assert!(NationalId::parse("a123456789").is_ok());
        assert_eq!(
            NationalId::parse("A123456788"),
            Err(IdError::NationalIdChecksum)
        );
        assert_eq!(
            NationalId::parse("A323456789"),
            Err(IdError::NationalIdFormat)
        );
        assert_eq!(
            NationalId::parse("A12345678"),
            Err(IdError::NationalIdFormat)
        );
        assert_eq!(
            NationalId::parse("1123456789"),
            Err(IdError::NationalIdFormat)
        );
        let id = NationalId::parse("A123456789").map_err(|e| e.to_string());
        assert_eq!(id.as_ref().map(NationalId::last4), Ok("6789"));
        assert_eq!(id.map(|i| i.masked()), Ok("A12345****".to_owned()));
    }

    #[test]
    fn letters_with_irregular_values() {
        // I = 34: 3*1 + 4*9 = 39; digits 1,0..0 weight 8 → 47; check digit 3 → 50.
        assert!(NationalId::parse("I100000003").is_ok());
        // O = 35: 3 + 45 = 48; +8 = 56; check 4 → 60.
        assert!(NationalId::parse("O100000004").is_ok());
        // W = 32: 3 + 18 = 21; +8 = 29; check 1 → 30.
        assert!(NationalId::parse("W100000001").is_ok());
    }

    #[test]
    fn pin_length_gate() {
        assert_eq!(Pin::parse("12345"), Err(IdError::PinLength));
        assert!(Pin::parse("123456").is_ok());
        assert!(Pin::parse("12345678").is_ok());
        assert_eq!(Pin::parse("123456789"), Err(IdError::PinLength));
        assert_eq!(Pin::parse("1234 67"), Err(IdError::PinCharacters));
        assert_eq!(format!("{:?}", Pin::parse("123456")), "Ok(Pin(******))");
    }

    #[test]
    fn agency_code() {
        assert_eq!(
            AgencyCode::parse(" 3230000 ").map(|c| c.0),
            Ok("3230000".into())
        );
        assert_eq!(
            AgencyCode::parse("a09000000e").map(|c| c.0),
            Ok("A09000000E".into())
        );
        assert_eq!(AgencyCode::parse("32"), Err(IdError::AgencyCode));
        assert_eq!(AgencyCode::parse("323-000"), Err(IdError::AgencyCode));
    }

    #[test]
    fn nonce_hex_is_two_lower_case_digits_a_byte_for_every_byte_value() {
        for first in (0..=255u8).step_by(32) {
            let bytes: [u8; 32] = std::array::from_fn(|i| first + i as u8);
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let nonce = Nonce::from_bytes(bytes);
            assert_eq!(nonce.to_hex(), expected);
            assert_eq!(Nonce::parse(&expected), Ok(nonce));
        }
    }

    #[test]
    fn nonce_round_trip() {
        let nonce = Nonce::from_bytes([0xab; 32]);
        assert_eq!(Nonce::parse(&nonce.to_hex()), Ok(nonce.clone()));
        assert_eq!(
            Nonce::parse(&nonce.to_hex().to_uppercase()),
            Err(IdError::Nonce)
        );
        assert_eq!(Nonce::parse("ab"), Err(IdError::Nonce));
        let json = serde_json::to_string(&nonce).unwrap_or_default();
        assert_eq!(json.len(), 66);
    }
}
