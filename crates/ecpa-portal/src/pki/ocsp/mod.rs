//! OCSP (RFC 6960): where a card's authorityInfoAccess names a responder, the portal
//! asks it (2 s at most), relies only on answers signed by the card's CA or by a
//! responder the CA authorised, and keeps good answers until their nextUpdate. No
//! answer it can rely on leaves the decision to the CRL.

mod cache;
mod request;
mod response;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cache::GoodAnswers;
pub use request::responder_url;
use response::Answer;

use super::ParsedCert;
use crate::PortalError;

/// Longest wait for a responder, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// Allowed difference between the responder's clock and the portal's, in seconds.
pub const CLOCK_SKEW_SECONDS: i64 = 5 * 60;

/// What an OCSP responder said about a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcspVerdict {
    Good,
    /// Revoked, or unknown to its CA's responder.
    Revoked,
}

/// Asks OCSP responders and remembers their good answers.
#[derive(Debug)]
pub struct OcspClient {
    http: reqwest::Client,
    good: GoodAnswers,
    /// Requests sent (answered or not).
    sent: AtomicU64,
}

impl OcspClient {
    pub fn new() -> Result<Self, PortalError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PortalError::Config(format!("OCSP client: {e}")))?;
        Ok(Self {
            http,
            good: GoodAnswers::default(),
            sent: AtomicU64::new(0),
        })
    }

    /// How many requests went to responders.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The status of `cert` (issued by `issuer`, whose signature on it was checked) at
    /// `now`, from a cached good answer still before its nextUpdate, else from the
    /// responder its authorityInfoAccess names. `None`: no responder named, or no
    /// answer that can be relied on (logged); the CRL decides.
    pub async fn verdict(
        &self,
        cert: &ParsedCert,
        issuer: &ParsedCert,
        now: i64,
    ) -> Option<OcspVerdict> {
        let url = responder_url(cert)?;
        let id = request::cert_id(cert, issuer).ok()?;
        let key = cache::key(&id)?;
        if self.good.holds(&key, now) {
            return Some(OcspVerdict::Good);
        }
        let body = match self.ask(&url, &id).await {
            Ok(body) => body,
            Err(error) => {
                tracing::warn!(%url, %error, "OCSP responder did not answer; the CRL decides");
                return None;
            }
        };
        match response::read(&body, &id, issuer, now, CLOCK_SKEW_SECONDS) {
            Ok(Answer::Good { next_update }) => {
                if let Some(until) = next_update {
                    self.good.put(key, until);
                }
                Some(OcspVerdict::Good)
            }
            Ok(Answer::Revoked) => Some(OcspVerdict::Revoked),
            Err(error) => {
                tracing::warn!(%url, %error, "OCSP answer not relied on; the CRL decides");
                None
            }
        }
    }

    async fn ask(&self, url: &str, id: &x509_ocsp::CertId) -> Result<Vec<u8>, String> {
        let body = request::request_der(id).map_err(|e| e.to_string())?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        let answer = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
            .body(body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let bytes = answer.bytes().await.map_err(|e| e.to_string())?;
        Ok(bytes.to_vec())
    }
}
