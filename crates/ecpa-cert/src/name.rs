//! Distinguished names shown as stored, with string types decoded.

/// One attribute of a name, e.g. `("OU", "人事行政局")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAttribute {
    /// `C`, `CN`, `O`, `OU`, `L`, `ST`, `serialNumber`, `emailAddress`, or a dotted OID.
    pub key: String,
    /// Decoded text (PrintableString, UTF8String, BMPString, IA5String, TeletexString).
    pub value: String,
}

/// A name as stored in the certificate: RDNs in order, attributes in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
}
