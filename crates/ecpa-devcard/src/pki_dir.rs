//! The demo PKI's folder: CA certificates and keys, trust anchors, the revoked
//! serials and the CRL the portal reads, and a second, untrusted PKI.
//!
//! ```text
//! DIR/root.pem moica.pem gca.pem (+ .key)  trust-anchors.pem  crl.pem  revoked.txt
//! DIR/untrusted/…                           (same names; never in trust-anchors.pem)
//! ```

use std::path::Path;

use rsa::rand_core::CryptoRngCore;
use time::{Duration, OffsetDateTime};

use crate::{Ca, DemoPki, DevcardError, RootAlgorithm};

/// Which CA issues a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerChoice {
    Moica,
    Gca,
    /// The MOICA- or GCA-shaped CA of a PKI the portal does not trust.
    Untrusted,
}

/// How long a written CRL stays current.
pub const CRL_LIFETIME_DAYS: i64 = 30;

/// Loads the PKI in `dir`, or makes and saves one; then (re)writes the CRL.
pub fn open_or_create(
    dir: &Path,
    root: RootAlgorithm,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<DemoPki, DevcardError> {
    let pki = load_or_generate(dir, root, "ECPA Demo", now, rng)?;
    write_crl(dir, &pki, now)?;
    Ok(pki)
}

/// The untrusted PKI under `dir/untrusted` (made on first use).
pub fn untrusted(
    dir: &Path,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<DemoPki, DevcardError> {
    load_or_generate(
        &dir.join("untrusted"),
        RootAlgorithm::Rsa2048,
        "Untrusted",
        now,
        rng,
    )
}

fn load_or_generate(
    dir: &Path,
    root: RootAlgorithm,
    label: &str,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<DemoPki, DevcardError> {
    if dir.join("root.pem").is_file() {
        return Ok(DemoPki::load(dir)?);
    }
    let pki = DemoPki::generate(root, label, now, rng)?;
    pki.save(dir)?;
    Ok(pki)
}

/// Adds a serial (lower-case hex) of the trusted MOICA or GCA CA to `revoked.txt`
/// and rewrites the CRL.
pub fn revoke(
    dir: &Path,
    pki: &DemoPki,
    issuer: IssuerChoice,
    serial: &[u8],
    now: OffsetDateTime,
) -> Result<(), DevcardError> {
    let name = match issuer {
        IssuerChoice::Moica => "moica",
        IssuerChoice::Gca => "gca",
        IssuerChoice::Untrusted => return Ok(()),
    };
    let file = dir.join("revoked.txt");
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    text.push_str(&format!("{name} {}\n", hex::encode(serial)));
    std::fs::write(&file, text).map_err(DevcardError::io(&file))?;
    write_crl(dir, pki, now)
}

/// `crl.pem`: one CRL from MOICA and one from the GCA, listing `revoked.txt`.
pub fn write_crl(dir: &Path, pki: &DemoPki, now: OffsetDateTime) -> Result<(), DevcardError> {
    let revoked = std::fs::read_to_string(dir.join("revoked.txt")).unwrap_or_default();
    let serials_of = |ca: &str| -> Vec<Vec<u8>> {
        revoked
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(issuer, _)| *issuer == ca)
            .filter_map(|(_, serial)| hex::decode(serial.trim()).ok())
            .collect()
    };
    let next = now + Duration::days(CRL_LIFETIME_DAYS);
    let crl = |ca: &Ca, name: &str| ca.crl_pem(&serials_of(name), now, next);
    let text = format!("{}{}", crl(&pki.moica, "moica")?, crl(&pki.gca, "gca")?);
    let file = dir.join("crl.pem");
    std::fs::write(&file, text).map_err(DevcardError::io(&file))
}
