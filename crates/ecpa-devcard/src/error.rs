//! Why a card or the demo set could not be made.

use crate::PkiError;

#[derive(Debug, thiserror::Error)]
pub enum DevcardError {
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error("卡片（PKCS#11）操作失敗：{0}")]
    Token(String),
    #[error("參數不正確：{0}")]
    Options(String),
    #[error("無法讀寫檔案 {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl DevcardError {
    /// Stable code for logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pki(e) => e.code(),
            Self::Token(_) => "DEVCARD_TOKEN",
            Self::Options(_) => "DEVCARD_OPTIONS",
            Self::Io { .. } => "DEVCARD_IO",
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}
