//! Why the demo PKI could not make, read or write something.

use std::path::PathBuf;

/// Errors of the demo PKI, with stable codes and zh-TW messages.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("金鑰產生或讀取失敗")]
    Key,
    #[error("CA 憑證與私鑰不相符：{0}")]
    KeyMismatch(String),
    #[error("公開金鑰內容不正確（不是有效的 SubjectPublicKeyInfo）")]
    PublicKey,
    #[error("憑證主體資料不正確：{0}")]
    Subject(&'static str),
    #[error("憑證序號不正確（須為 1 至 20 位元組的正整數）")]
    Serial,
    #[error("憑證效期不正確：{0}")]
    Validity(&'static str),
    #[error("憑證或廢止清冊編碼失敗")]
    Encode,
    #[error("簽章失敗")]
    Sign,
    #[error("檔案內容不正確：{0}")]
    Pem(PathBuf),
    #[error("無法讀寫檔案：{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl PkiError {
    /// Stable code for logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            PkiError::Key => "PKI_KEY",
            PkiError::KeyMismatch(_) => "PKI_KEY_MISMATCH",
            PkiError::PublicKey => "PKI_PUBLIC_KEY",
            PkiError::Subject(_) => "PKI_SUBJECT",
            PkiError::Serial => "PKI_SERIAL",
            PkiError::Validity(_) => "PKI_VALIDITY",
            PkiError::Encode => "PKI_ENCODE",
            PkiError::Sign => "PKI_SIGN",
            PkiError::Pem(_) => "PKI_PEM",
            PkiError::Io { .. } => "PKI_IO",
        }
    }

    /// Logs the underlying cause and gives the error to return.
    pub(crate) fn logged(self, cause: &dyn std::fmt::Display) -> Self {
        tracing::warn!(code = self.code(), %cause, "demo PKI: {self}");
        self
    }
}
