//! What makes a CRL a complete list the portal can rely on, and its CRL number.

use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, asn1::Uint};
use x509_cert::crl::TbsCertList;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber};

use super::cert::strip_zero;

/// issuingDistributionPoint: the CRL covers only part of the CA's certificates.
const ISSUING_DISTRIBUTION_POINT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
/// deltaCRLIndicator: the CRL lists only changes since a base CRL.
const DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
/// issuerAltName: a critical one changes nothing the portal relies on.
const ISSUER_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.18");

/// Why `tbs` is not a complete CRL of its issuer (None: it is): a partitioned or a
/// delta CRL, or one with a critical extension the portal does not understand.
pub(super) fn incomplete(tbs: &TbsCertList) -> Option<String> {
    let understood = [AuthorityKeyIdentifier::OID, CrlNumber::OID, ISSUER_ALT_NAME];
    tbs.crl_extensions.iter().flatten().find_map(|ext| {
        if ext.extn_id == ISSUING_DISTRIBUTION_POINT {
            Some("it has an issuingDistributionPoint (a partial CRL)".to_owned())
        } else if ext.extn_id == DELTA_CRL_INDICATOR {
            Some("it is a delta CRL".to_owned())
        } else if ext.critical && !understood.contains(&ext.extn_id) {
            Some(format!("unknown critical extension {}", ext.extn_id))
        } else {
            None
        }
    })
}

/// The CRL number (big-endian, no leading zero), when present.
pub(super) fn number(tbs: &TbsCertList) -> Option<Vec<u8>> {
    let ext = tbs
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == CrlNumber::OID)?;
    let number = Uint::from_der(ext.extn_value.as_bytes()).ok()?;
    Some(strip_zero(number.as_bytes()))
}

/// Whether CRL number `a` is lower than `b` (both big-endian without leading zeros).
pub(super) fn older(a: &[u8], b: &[u8]) -> bool {
    (a.len(), a) < (b.len(), b)
}
