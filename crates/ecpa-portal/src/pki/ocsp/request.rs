//! Which certificate an OCSP request asks about, the request itself, and where it goes.

use der::asn1::{Ia5String, OctetString};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Any, Decode, Encode};
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::ext::pkix::name::GeneralName;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};

use crate::pki::ParsedCert;

/// SHA-1, the CertID hash every responder answers (RFC 5019); a CertID is a name,
/// not a signature.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-ad-ocsp in authorityInfoAccess.
const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// The CertID of `cert`, issued by `issuer`: hashes of the issuer's name (as the
/// certificate names it) and of its key, and the serial number.
pub fn cert_id(cert: &ParsedCert, issuer: &ParsedCert) -> der::Result<CertId> {
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: SHA1,
            parameters: Some(Any::null()),
        },
        issuer_name_hash: OctetString::new(Sha1::digest(&cert.issuer_der).to_vec())?,
        issuer_key_hash: OctetString::new(
            Sha1::digest(issuer.spki().subject_public_key.raw_bytes()).to_vec(),
        )?,
        serial_number: cert.cert.tbs_certificate.serial_number.clone(),
    })
}

/// An unsigned request for one CertID, without a nonce (answers are cached, and their
/// freshness is judged by thisUpdate and nextUpdate).
pub fn request_der(id: &CertId) -> der::Result<Vec<u8>> {
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
}

/// The first `http://` OCSP responder named in `cert`'s authorityInfoAccess.
pub fn responder_url(cert: &ParsedCert) -> Option<String> {
    let extension = cert
        .cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == AuthorityInfoAccessSyntax::OID)?;
    let access = AuthorityInfoAccessSyntax::from_der(extension.extn_value.as_bytes()).ok()?;
    access
        .0
        .iter()
        .filter(|d| d.access_method == AD_OCSP)
        .find_map(|d| match &d.access_location {
            GeneralName::UniformResourceIdentifier(uri) => http_url(uri),
            _ => None,
        })
}

fn http_url(uri: &Ia5String) -> Option<String> {
    let text = uri.as_str();
    text.get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| text.to_owned())
}
