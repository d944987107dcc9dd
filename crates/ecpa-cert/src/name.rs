//! Distinguished names shown as stored, with string types decoded.

use der::{Any, Tag, Tagged};
use serde::{Deserialize, Serialize};
use x509_cert::name::Name;

/// One attribute of a name, e.g. `("OU", "人事行政局")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameAttribute {
    /// `C`, `CN`, `O`, `OU`, `L`, `ST`, `serialNumber`, `emailAddress`, or a dotted OID.
    pub key: String,
    /// Decoded text (PrintableString, UTF8String, BMPString, IA5String, TeletexString).
    pub value: String,
}

/// A name as stored in the certificate: RDNs in order, attributes in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DistinguishedName {
    pub attributes: Vec<NameAttribute>,
}

impl DistinguishedName {
    /// `C=TW, O=行政院, OU=人事行政局`: stored order, comma-separated.
    pub fn display(&self) -> String {
        self.attributes
            .iter()
            .map(|a| format!("{}={}", a.key, a.value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// First value of an attribute, by key (`CN`, `O`, …).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }

    /// Reads an x509-cert name, RDN by RDN, as stored. A value of a non-string type
    /// shows as `#` and its DER in hex (RFC 4514); `None` when a string value is not
    /// valid in its own encoding.
    pub(crate) fn from_name(name: &Name) -> Option<Self> {
        let mut attributes = Vec::new();
        for rdn in name.0.iter() {
            for atv in rdn.0.iter() {
                attributes.push(NameAttribute {
                    key: attribute_key(&atv.oid.to_string()),
                    value: display_value(&atv.value)?,
                });
            }
        }
        Some(DistinguishedName { attributes })
    }
}

/// Short names of the attribute types GPKI certificates use; other types stay dotted.
fn attribute_key(oid: &str) -> String {
    let short = match oid {
        "2.5.4.6" => "C",
        "2.5.4.3" => "CN",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.5" => "serialNumber",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => other,
    };
    short.to_owned()
}

fn display_value(value: &Any) -> Option<String> {
    if is_string_tag(value.tag()) {
        return decode_string(value);
    }
    let der = der::Encode::to_der(value).ok()?;
    Some(format!("#{}", ecpa_wire::hex::lower_hex(&der)))
}

fn is_string_tag(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::Utf8String
            | Tag::PrintableString
            | Tag::Ia5String
            | Tag::VisibleString
            | Tag::BmpString
            | Tag::TeletexString
    )
}

/// Decodes a directory string by its tag: PrintableString, UTF8String, BMPString
/// (UTF-16BE), IA5String, VisibleString and TeletexString (read as Latin-1, as
/// issuers use it in practice). `None` for other tags or invalid contents.
pub(crate) fn decode_string(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String => core::str::from_utf8(bytes).ok().map(str::to_owned),
        Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            if bytes.is_ascii() {
                core::str::from_utf8(bytes).ok().map(str::to_owned)
            } else {
                None
            }
        }
        Tag::BmpString => decode_utf16be(bytes),
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

fn decode_utf16be(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn any(tag: Tag, bytes: &[u8]) -> Any {
        Any::new(tag, bytes).unwrap()
    }

    #[test]
    fn decodes_each_string_type() {
        assert_eq!(
            decode_string(&any(Tag::PrintableString, b"TW")).as_deref(),
            Some("TW")
        );
        assert_eq!(
            decode_string(&any(Tag::Utf8String, "行政院".as_bytes())).as_deref(),
            Some("行政院")
        );
        // 人事行政局 in UTF-16BE.
        let bmp = [0x4e, 0xba, 0x4e, 0x8b, 0x88, 0x4c, 0x65, 0x3f, 0x5c, 0x40];
        assert_eq!(
            decode_string(&any(Tag::BmpString, &bmp)).as_deref(),
            Some("人事行政局")
        );
        assert_eq!(
            decode_string(&any(Tag::Ia5String, b"test@cht.com.tw")).as_deref(),
            Some("test@cht.com.tw")
        );
        assert_eq!(
            decode_string(&any(Tag::TeletexString, &[0x4d, 0xfc, 0x6c, 0x6c])).as_deref(),
            Some("Müll")
        );
    }

    #[test]
    fn rejects_broken_contents() {
        // Odd length and an unpaired surrogate are not UTF-16.
        assert_eq!(decode_string(&any(Tag::BmpString, &[0x4e])), None);
        assert_eq!(decode_string(&any(Tag::BmpString, &[0xd8, 0x00])), None);
        assert_eq!(decode_string(&any(Tag::Utf8String, &[0xff, 0xfe])), None);
        assert_eq!(decode_string(&any(Tag::PrintableString, &[0xe4])), None);
        assert_eq!(decode_string(&any(Tag::Integer, &[1])), None);
    }

    #[test]
    fn non_string_values_show_as_hex_der() {
        assert_eq!(
            display_value(&any(Tag::Integer, &[0x01, 0xff])).as_deref(),
            Some("#020201ff")
        );
        assert_eq!(display_value(&any(Tag::Utf8String, &[0xc3])), None);
    }

    #[test]
    fn display_keeps_stored_order() {
        let dn = DistinguishedName {
            attributes: vec![
                NameAttribute {
                    key: "C".into(),
                    value: "TW".into(),
                },
                NameAttribute {
                    key: "O".into(),
                    value: "行政院".into(),
                },
            ],
        };
        assert_eq!(dn.display(), "C=TW, O=行政院");
        assert_eq!(dn.get("O"), Some("行政院"));
        assert_eq!(dn.get("OU"), None);
    }
}
