//! A certificate authority: its certificate and key; issues card certificates and CRLs.

use std::path::Path;

use der::asn1::{OctetString, Uint};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, CrlNumber, ExtendedKeyUsage,
    KeyUsage, KeyUsages, SubjectKeyIdentifier, certpolicy::PolicyInformation,
};
use x509_cert::name::Name;
use x509_cert::{Certificate, TbsCertificate};

use super::encoding::{
    COMMON_NAME, extension, key_id, pem, random_serial, serial_number, sign_certificate,
    single_attribute, utf8, validity, x509_time,
};
use super::leaf::{LeafSpec, leaf_extensions};
use super::{CaKey, PkiError};

/// GPKI certificate policy of CA and card certificates here (`.3.3`, as MOICA's and the
/// GCA's production certificates carry; `.3.0` would mark test certificates).
pub const DEMO_POLICY: &str = "2.16.886.101.0.3.3";

/// A certificate authority: certificate, private key, subject name and key identifier.
#[derive(Debug)]
pub struct Ca {
    pub cert_der: Vec<u8>,
    key: CaKey,
    name: Name,
    key_id: Vec<u8>,
}

/// What a new CA certificate says about itself.
pub(crate) struct CaProfile<'a> {
    pub name: Name,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// `None` for a self-signed root; issuing CAs get pathLen 0 and the GPKI policy.
    pub issuer: Option<&'a Ca>,
}

impl Ca {
    /// Makes a CA certificate for `key`, self-signed or signed by `profile.issuer`.
    pub(crate) fn create(
        key: CaKey,
        profile: CaProfile<'_>,
        rng: &mut impl rsa::rand_core::CryptoRngCore,
    ) -> Result<Self, PkiError> {
        let spki = key.public_key_info()?;
        let own_key_id = key_id(&spki);
        let (issuer_name, signer, issuer_key_id) = match profile.issuer {
            Some(ca) => (ca.name.clone(), &ca.key, ca.key_id.clone()),
            None => (profile.name.clone(), &key, own_key_id.clone()),
        };
        let mut extensions = Vec::new();
        if profile.issuer.is_some() {
            extensions.push(authority_key_id(&issuer_key_id)?);
        }
        extensions.push(subject_key_id(&own_key_id)?);
        extensions.push(extension(
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            true,
        )?);
        extensions.push(extension(
            &BasicConstraints {
                ca: true,
                path_len_constraint: profile.issuer.map(|_| 0),
            },
            true,
        )?);
        if profile.issuer.is_some() {
            extensions.push(policies()?);
        }
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(&random_serial(rng))?,
            signature: signer.signature_algorithm(),
            issuer: issuer_name,
            validity: validity(profile.not_before, profile.not_after)?,
            subject: profile.name.clone(),
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        let cert_der = sign_certificate(tbs, signer)?;
        Ok(Ca {
            cert_der,
            key,
            name: profile.name,
            key_id: own_key_id,
        })
    }

    /// Reads a CA certificate (PEM) and its PKCS#8 PEM private key, checking that they
    /// belong together.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Self, PkiError> {
        Self::from_pem(&read(cert_path)?, &read(key_path)?, cert_path)
    }

    /// A CA from its certificate and private key (PEM); `source` names the
    /// certificate in errors.
    pub(crate) fn from_pem(cert_pem: &str, key_pem: &str, source: &Path) -> Result<Self, PkiError> {
        let (label, cert_der) = der::pem::decode_vec(cert_pem.as_bytes())
            .map_err(|e| PkiError::Pem(source.to_owned()).logged(&e))?;
        if label != "CERTIFICATE" {
            return Err(PkiError::Pem(source.to_owned()));
        }
        let cert = Certificate::from_der(&cert_der)
            .map_err(|e| PkiError::Pem(source.to_owned()).logged(&e))?;
        let key = CaKey::from_pkcs8_pem(key_pem)?;
        let spki = key.public_key_info()?;
        if spki != cert.tbs_certificate.subject_public_key_info {
            return Err(PkiError::KeyMismatch(source.display().to_string()));
        }
        Ok(Ca {
            cert_der,
            name: cert.tbs_certificate.subject,
            key_id: key_id(&spki),
            key,
        })
    }

    /// The CA certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert_der)
    }

    /// The CA's private key.
    pub fn key(&self) -> &CaKey {
        &self.key
    }

    /// The CA's subject name.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The CA's subject key identifier (SHA-1 of its public key bits).
    pub fn key_id(&self) -> &[u8] {
        &self.key_id
    }

    /// Issues an end-entity card certificate for `public_key_der` (DER SubjectPublicKeyInfo).
    pub fn issue(&self, spec: &LeafSpec, public_key_der: &[u8]) -> Result<Vec<u8>, PkiError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(public_key_der)
            .map_err(|e| PkiError::PublicKey.logged(&e))?;
        let mut extensions = vec![
            authority_key_id(&self.key_id)?,
            subject_key_id(&key_id(&spki))?,
        ];
        extensions.extend(leaf_extensions(spec)?);
        extensions.push(policies()?);
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(&spec.serial)?,
            signature: self.key.signature_algorithm(),
            issuer: self.name.clone(),
            validity: validity(spec.not_before, spec.not_after)?,
            subject: spec.subject.name()?,
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        sign_certificate(tbs, &self.key)
    }

    /// Certifies `public_key_der` (DER SubjectPublicKeyInfo) as this CA's delegated
    /// OCSP responder `CN=<common_name>`: digitalSignature, and the id-kp-OCSPSigning
    /// extended key usage when `ocsp_signing` (without it, clients must not accept its
    /// answers).
    pub fn issue_ocsp_responder(
        &self,
        public_key_der: &[u8],
        common_name: &str,
        validity_period: (OffsetDateTime, OffsetDateTime),
        ocsp_signing: bool,
        rng: &mut impl rsa::rand_core::CryptoRngCore,
    ) -> Result<Vec<u8>, PkiError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(public_key_der)
            .map_err(|e| PkiError::PublicKey.logged(&e))?;
        let mut extensions = vec![
            authority_key_id(&self.key_id)?,
            subject_key_id(&key_id(&spki))?,
            extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
        ];
        if ocsp_signing {
            extensions.push(extension(
                &ExtendedKeyUsage(vec![const_oid::db::rfc5280::ID_KP_OCSP_SIGNING]),
                false,
            )?);
        }
        let mut subject = self.name.clone();
        subject.0.push(single_attribute(
            COMMON_NAME,
            utf8(common_name, "OCSP 回應者名稱")?,
        )?);
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(&random_serial(rng))?,
            signature: self.key.signature_algorithm(),
            issuer: self.name.clone(),
            validity: validity(validity_period.0, validity_period.1)?,
            subject,
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        sign_certificate(tbs, &self.key)
    }

    /// A CRL (DER) listing `revoked` serials (as in `LeafSpec::serial`), revoked at
    /// `this_update`, signed by this CA. Its CRL number is `this_update` in Unix seconds.
    pub fn crl(
        &self,
        revoked: &[Vec<u8>],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<Vec<u8>, PkiError> {
        if next_update <= this_update {
            return Err(PkiError::Validity("下次更新時間必須晚於本次更新時間"));
        }
        let revoked_certificates = revoked
            .iter()
            .map(|serial| {
                Ok(RevokedCert {
                    serial_number: serial_number(serial)?,
                    revocation_date: x509_time(this_update)?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>, PkiError>>()?;
        let crl_number = u64::try_from(this_update.unix_timestamp())
            .map_err(|_| PkiError::Validity("早於 1970 年"))?
            .to_be_bytes();
        let crl_number = Uint::new(&crl_number).map_err(|e| PkiError::Encode.logged(&e))?;
        let tbs = TbsCertList {
            version: Version::V2,
            signature: self.key.signature_algorithm(),
            issuer: self.name.clone(),
            this_update: x509_time(this_update)?,
            next_update: Some(x509_time(next_update)?),
            revoked_certificates: (!revoked_certificates.is_empty())
                .then_some(revoked_certificates),
            crl_extensions: Some(vec![
                authority_key_id(&self.key_id)?,
                extension(&CrlNumber(crl_number), false)?,
            ]),
        };
        let tbs_der = tbs.to_der().map_err(|e| PkiError::Encode.logged(&e))?;
        let signature = self.key.sign(&tbs_der)?;
        CertificateList {
            signature_algorithm: tbs.signature.clone(),
            tbs_cert_list: tbs,
            signature: der::asn1::BitString::from_bytes(&signature)
                .map_err(|e| PkiError::Encode.logged(&e))?,
        }
        .to_der()
        .map_err(|e| PkiError::Encode.logged(&e))
    }

    /// The same CRL as PEM (`X509 CRL`).
    pub fn crl_pem(
        &self,
        revoked: &[Vec<u8>],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<String, PkiError> {
        Ok(pem(
            "X509 CRL",
            &self.crl(revoked, this_update, next_update)?,
        ))
    }
}

pub(crate) fn read(path: &Path) -> Result<String, PkiError> {
    std::fs::read_to_string(path).map_err(|source| PkiError::Io {
        path: path.to_owned(),
        source,
    })
}

fn authority_key_id(id: &[u8]) -> Result<x509_cert::ext::Extension, PkiError> {
    let key_identifier = OctetString::new(id).map_err(|e| PkiError::Encode.logged(&e))?;
    extension(
        &AuthorityKeyIdentifier {
            key_identifier: Some(key_identifier),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
        false,
    )
}

fn subject_key_id(id: &[u8]) -> Result<x509_cert::ext::Extension, PkiError> {
    let id = OctetString::new(id).map_err(|e| PkiError::Encode.logged(&e))?;
    extension(&SubjectKeyIdentifier(id), false)
}

fn policies() -> Result<x509_cert::ext::Extension, PkiError> {
    let policy_identifier =
        der::asn1::ObjectIdentifier::new(DEMO_POLICY).map_err(|e| PkiError::Encode.logged(&e))?;
    extension(
        &CertificatePolicies(vec![PolicyInformation {
            policy_identifier,
            policy_qualifiers: None,
        }]),
        false,
    )
}
