//! Loading and looking up a CRL the size of MOICA G2's (about 412,000 entries, 20 MB):
//! the demo PKI's MOICA-profile CA signs one, the portal's trust store loads it (as at
//! start and on every reload), and card certificates are checked against it.
//! `cargo bench -p ecpa-portal --bench crl_scale` (env `ECPA_BENCH_CRL_ENTRIES`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use ecpa_devcard::pki::random_serial;
use ecpa_devcard::{DemoPki, LeafSpec, LeafSubject, LeafUsage, RootAlgorithm, SoftwareCard};
use ecpa_portal::pki::{CertCheckError, ParsedCert, TrustFiles};
use rand::{SeedableRng, rngs::StdRng};
use time::OffsetDateTime;

const LOADS: usize = 5;
const LOOKUPS: u32 = 100_000;

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn card(pki: &DemoPki, serial: Vec<u8>, now: OffsetDateTime, rng: &mut StdRng) -> ParsedCert {
    let key = rsa::RsaPrivateKey::new(rng, 2048).unwrap();
    let spec = LeafSpec {
        subject: LeafSubject::Citizen {
            name: "王小明".into(),
            card_serial: "1234567890123456".into(),
            id_last4: Some("6789".into()),
        },
        usage: LeafUsage::Signing,
        serial,
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(365),
        ocsp_url: None,
    };
    let card = SoftwareCard::issue_spec(&pki.moica, spec, key, rng).unwrap();
    ParsedCert::parse(&card.signing_cert_der).unwrap()
}

fn per_lookup(check: impl Fn() -> Result<(), CertCheckError>) -> Duration {
    let started = Instant::now();
    for _ in 0..LOOKUPS {
        std::hint::black_box(check()).ok();
    }
    started.elapsed() / LOOKUPS
}

fn main() {
    let entries: usize = std::env::var("ECPA_BENCH_CRL_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(412_000);
    let mut rng = StdRng::seed_from_u64(412);
    let now =
        OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let pki = DemoPki::generate(RootAlgorithm::Rsa2048, "B1", now, &mut rng).unwrap();
    let serials: Vec<Vec<u8>> = (0..entries).map(|_| random_serial(&mut rng)).collect();
    let started = Instant::now();
    let crl = pki
        .moica
        .crl(
            &serials,
            now - time::Duration::hours(1),
            now + time::Duration::days(7),
        )
        .unwrap();
    let made = started.elapsed();
    let dir = tempfile::tempdir().unwrap();
    let (anchors, crl_file) = (dir.path().join("anchors.pem"), dir.path().join("moica.crl"));
    std::fs::write(&anchors, pki.trust_anchors_pem()).unwrap();
    std::fs::write(&crl_file, &crl).unwrap();

    let mut files = TrustFiles::new(vec![anchors], vec![crl_file]);
    let before = resident_kib();
    let mut loads = Vec::new();
    let mut store = None;
    for _ in 0..LOADS {
        drop(store.take());
        let started = Instant::now();
        store = Some(files.load().unwrap());
        loads.push(started.elapsed());
    }
    let store = store.unwrap();
    let held = resident_kib().saturating_sub(before);
    loads.sort();

    let now_s = now.unix_timestamp();
    let good = card(&pki, random_serial(&mut rng), now, &mut rng);
    let revoked = card(&pki, serials[entries / 2].clone(), now, &mut rng);
    assert_eq!(store.check_signing_certificate(&good, now_s), Ok(()));
    assert_eq!(
        store.check_signing_certificate(&revoked, now_s),
        Err(CertCheckError::Revoked)
    );
    let good_lookup = per_lookup(|| store.check_signing_certificate(&good, now_s));
    let revoked_lookup = per_lookup(|| store.check_signing_certificate(&revoked, now_s));

    println!(
        "CRL of {entries} entries, {} bytes DER (made and signed in {made:.2?})",
        crl.len()
    );
    println!(
        "load (read, parse, verify the signature, index the serials): median {:.0?}, min {:.0?}, max {:.0?} over {LOADS}",
        loads[LOADS / 2],
        loads[0],
        loads[LOADS - 1]
    );
    println!("memory held by the loaded store: about {} MiB", held / 1024);
    println!(
        "check of a card (chain proven before): {good_lookup:.2?} not listed, {revoked_lookup:.2?} listed"
    );
}
