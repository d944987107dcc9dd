//! A certificate with what chain building needs read out once.

use der::{Decode, Encode, Reader, SliceReader, oid::AssociatedOid};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    SubjectKeyIdentifier,
};

/// A parsed certificate and the facts about it that checks use.
#[derive(Debug, Clone)]
pub struct ParsedCert {
    pub der: Vec<u8>,
    pub cert: Certificate,
    /// The signed part exactly as received (never re-encoded).
    pub tbs_der: Vec<u8>,
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub is_ca: bool,
    pub key_usage: Option<KeyUsage>,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    /// SHA-256 of the DER.
    pub fingerprint: [u8; 32],
    /// SHA-256 of the signed part: the certificate's identity, the same for every
    /// encoding of what the CA signed.
    pub identity: [u8; 32],
}

/// The first element inside the outer SEQUENCE: the to-be-signed part, as encoded.
pub fn signed_part(der: &[u8]) -> der::Result<Vec<u8>> {
    let mut reader = SliceReader::new(der)?;
    let _outer = der::Header::decode(&mut reader)?;
    Ok(reader.tlv_bytes()?.to_vec())
}

fn extension<T: AssociatedOid + for<'a> Decode<'a>>(cert: &Certificate) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == T::OID)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

pub fn unix(time: x509_cert::time::Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

impl ParsedCert {
    /// Refuses a certificate whose outer signatureAlgorithm differs from the one inside
    /// the signed part (RFC 5280 §4.1.1.2): the outer one is not covered by the signature,
    /// so changing it (e.g. dropping its NULL parameters) would give new bytes, a new
    /// fingerprint, and still a valid signature.
    pub fn parse(der: &[u8]) -> der::Result<Self> {
        let cert = Certificate::from_der(der)?;
        if cert.signature_algorithm != cert.tbs_certificate.signature {
            return Err(der::Tag::Sequence.value_error());
        }
        let tbs = &cert.tbs_certificate;
        let tbs_der = signed_part(der)?;
        Ok(Self {
            identity: Sha256::digest(&tbs_der).into(),
            tbs_der,
            subject_der: tbs.subject.to_der()?,
            issuer_der: tbs.issuer.to_der()?,
            subject_key_id: extension::<SubjectKeyIdentifier>(&cert)
                .map(|s| s.0.as_bytes().to_vec()),
            authority_key_id: extension::<AuthorityKeyIdentifier>(&cert)
                .and_then(|a| a.key_identifier)
                .map(|k| k.as_bytes().to_vec()),
            is_ca: extension::<BasicConstraints>(&cert).is_some_and(|b| b.ca),
            key_usage: extension::<KeyUsage>(&cert),
            not_before: unix(tbs.validity.not_before),
            not_after: unix(tbs.validity.not_after),
            fingerprint: Sha256::digest(der).into(),
            der: der.to_vec(),
            cert,
        })
    }

    pub fn fingerprint_hex(&self) -> String {
        hex::encode(self.fingerprint)
    }

    pub fn identity_hex(&self) -> String {
        hex::encode(self.identity)
    }

    /// Signature bytes of this certificate.
    pub fn signature(&self) -> &[u8] {
        self.cert.signature.raw_bytes()
    }

    pub fn spki(&self) -> &spki::SubjectPublicKeyInfoOwned {
        &self.cert.tbs_certificate.subject_public_key_info
    }

    /// Whether `issuer`'s key made this certificate's signature.
    pub fn is_signed_by(&self, issuer: &ParsedCert) -> bool {
        super::verify_signed(
            &self.cert.signature_algorithm.oid,
            &self.tbs_der,
            self.signature(),
            issuer.spki(),
        )
    }

    /// Self-issued and verified with its own key (a cross certificate is self-issued
    /// by name but signed by another key).
    pub fn is_self_signed(&self) -> bool {
        self.subject_der == self.issuer_der && self.is_signed_by(self)
    }

    /// Whether the certificatePolicies extension lists `policy`.
    pub fn has_policy(&self, policy: &der::oid::ObjectIdentifier) -> bool {
        extension::<CertificatePolicies>(&self.cert)
            .is_some_and(|p| p.0.iter().any(|i| i.policy_identifier == *policy))
    }

    /// Whether the extendedKeyUsage extension lists `purpose`.
    pub fn has_extended_key_usage(&self, purpose: &der::oid::ObjectIdentifier) -> bool {
        extension::<ExtendedKeyUsage>(&self.cert).is_some_and(|e| e.0.contains(purpose))
    }

    /// The key identifier: the subjectKeyIdentifier, else the SHA-1 of the public key
    /// bits (RFC 5280 §4.2.1.2, method 1), as CAs derive it.
    pub fn key_id(&self) -> Vec<u8> {
        self.subject_key_id.clone().unwrap_or_else(|| {
            use sha1::Digest as _;
            sha1::Sha1::digest(self.spki().subject_public_key.raw_bytes()).to_vec()
        })
    }

    /// An RSA key under 2048 bits: refused on a card and on every CA of its path.
    pub fn weak_key(&self) -> bool {
        super::signature::rsa_key_too_short(self.spki())
    }

    pub fn signed_with_sha1(&self) -> bool {
        super::signature::is_sha1(&self.cert.signature_algorithm.oid)
    }

    /// A CA certificate whose SHA-1 signature a path would rely on: SHA-1 is trusted
    /// only on a root's own certificates (its self-signature, and the self-issued
    /// certificate with which an old root key certifies its successor, as GRCA G1 did
    /// for G2 until 2032).
    pub fn sha1_below_anchor(&self) -> bool {
        self.signed_with_sha1() && self.subject_der != self.issuer_der
    }

    /// May sign certificates: basicConstraints cA, and keyCertSign when keyUsage is present.
    pub fn may_sign_certificates(&self) -> bool {
        self.is_ca && self.key_usage.is_none_or(|k| k.key_cert_sign())
    }

    pub fn may_sign_crls(&self) -> bool {
        self.is_ca && self.key_usage.is_none_or(|k| k.crl_sign())
    }

    pub fn valid_at(&self, now: i64) -> Result<(), TimeProblem> {
        if now < self.not_before {
            Err(TimeProblem::NotYetValid)
        } else if now > self.not_after {
            Err(TimeProblem::Expired)
        } else {
            Ok(())
        }
    }

    /// Serial number bytes without a leading zero byte.
    pub fn serial_bytes(&self) -> Vec<u8> {
        strip_zero(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    /// Lower-case hex serial.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.serial_bytes())
    }
}

pub fn strip_zero(bytes: &[u8]) -> Vec<u8> {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest.to_vec(),
        other => other.to_vec(),
    }
}

/// Outside a validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    NotYetValid,
    Expired,
}
