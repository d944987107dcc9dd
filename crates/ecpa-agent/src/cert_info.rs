//! Token certificates as the protocol describes them (`pkcs11info`'s `certs`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecpa_cert::CertProfile;
use ecpa_wire::agent::CertInfo;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::AgentError;
use crate::card::TokenCertificate;

/// A certificate on a token together with what it says.
#[derive(Debug, Clone)]
pub struct ReadCertificate {
    pub object: TokenCertificate,
    pub profile: CertProfile,
}

impl ReadCertificate {
    /// Parses a token's certificate object; `None` (logged) when it is not a certificate.
    pub fn read(object: &TokenCertificate) -> Option<Self> {
        match ecpa_cert::parse_der(&object.der) {
            Ok(profile) => Some(Self {
                object: object.clone(),
                profile,
            }),
            Err(e) => {
                tracing::warn!(label = %object.label, error = %e, "skipping an unreadable certificate");
                None
            }
        }
    }

    /// `usage` as the HiPKI agent writes it.
    pub fn usage(&self) -> &'static str {
        if self.profile.is_signing() {
            "digitalSignature"
        } else {
            "keyEncipherment"
        }
    }

    pub fn cert_b64(&self) -> String {
        STANDARD.encode(&self.object.der)
    }

    /// The protocol's description; `certb64` only when asked for.
    pub fn info(&self, with_cert: bool) -> CertInfo {
        let profile = &self.profile;
        CertInfo {
            label: self.object.label.clone(),
            usage: self.usage().into(),
            subject_dn: profile.subject.display(),
            subject_cn: profile.common_name().unwrap_or_default().into(),
            subject_id: profile.id_last4.clone().unwrap_or_default(),
            issuer_dn: profile.issuer.display(),
            sn: profile.serial_hex.clone(),
            not_before_t: agent_time(profile.not_before),
            not_after_t: agent_time(profile.not_after),
            certb64: with_cert.then(|| self.cert_b64()),
            id: hex::encode(&self.object.id),
        }
    }

    /// Refuses a certificate outside its validity at `now`.
    pub fn check_validity(&self, now: OffsetDateTime) -> Result<(), AgentError> {
        let now = now.unix_timestamp();
        if now < self.profile.not_before {
            Err(AgentError::CertificateNotYetValid)
        } else if now > self.profile.not_after {
            Err(AgentError::CertificateExpired)
        } else {
            Ok(())
        }
    }
}

/// The signing certificate among a token's certificates (keyUsage digitalSignature).
pub fn signing_certificate(objects: &[TokenCertificate]) -> Option<ReadCertificate> {
    objects
        .iter()
        .filter_map(ReadCertificate::read)
        .find(|c| c.profile.is_signing())
}

/// `YYYYMMDDhhmmssZ` in UTC.
pub fn agent_time(unix: i64) -> String {
    let format = format_description!("[year][month][day][hour][minute][second]Z");
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_the_agent_writes_them() {
        assert_eq!(agent_time(1_720_408_903), "20240708032143Z");
        assert_eq!(agent_time(0), "19700101000000Z");
    }
}
