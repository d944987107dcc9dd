/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("憑證內容無法解析（不是有效的 DER 編碼）")]
    Der,
    #[error("憑證檔案無法解析（不是有效的 PEM 編碼）")]
    Pem,
    #[error("憑證的 {0} 欄位內容不正確")]
    Field(&'static str),
}

impl CertError {
    /// Stable code for logs and API mapping.
    pub fn code(&self) -> &'static str {
        match self {
            CertError::Der => "CERT_DER",
            CertError::Pem => "CERT_PEM",
            CertError::Field(_) => "CERT_FIELD",
        }
    }
}
