//! A real OCSP responder for tests: `openssl ocsp` serving an index of certificates,
//! signing as the CA itself or as a delegated responder.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::Ca;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use time::OffsetDateTime;

/// What the index says about a serial; a serial not in it is `unknown`.
#[derive(Clone, Copy)]
pub enum Entry {
    Valid,
    Revoked,
}

/// Who signs the responses.
pub enum Signer {
    /// The CA's own key.
    Ca,
    /// A certificate the CA issued for a key of the responder, with or without the
    /// id-kp-OCSPSigning extended key usage.
    Delegated { ocsp_signing_eku: bool },
}

/// A running `openssl ocsp`; stopped when dropped.
pub struct Responder {
    child: Child,
    _dir: tempfile::TempDir,
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The responder URL a card names for loopback `port`.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/")
}

/// A loopback port nobody listens on (just released), never handed out before in
/// this process: two `bind(0)` calls in a row may return the same port.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap();
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if handed_out.insert(port) {
            return port;
        }
    }
}

impl Responder {
    /// Serves, on loopback `port`, `entries` (serials, big-endian) of `ca`'s
    /// certificates, each answer valid for `minutes` (its nextUpdate).
    pub fn start(
        port: u16,
        ca: &Ca,
        signer: Signer,
        entries: &[(Vec<u8>, Entry)],
        minutes: u32,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        let expiry = "351231235959Z";
        let index: String = entries
            .iter()
            .map(|(serial, entry)| {
                let serial = hex::encode_upper(serial);
                match entry {
                    Entry::Valid => format!("V\t{expiry}\t\t{serial}\tunknown\t/CN=card\n"),
                    Entry::Revoked => {
                        format!("R\t{expiry}\t250101000000Z\t{serial}\tunknown\t/CN=card\n")
                    }
                }
            })
            .collect();
        std::fs::write(path("index.txt"), index).unwrap();
        std::fs::write(path("ca.pem"), ca.cert_pem()).unwrap();
        let (signer_pem, key_pem) = match signer {
            Signer::Ca => (ca.cert_pem(), ca.key().to_pkcs8_pem().unwrap()),
            Signer::Delegated { ocsp_signing_eku } => {
                let mut rng = rand::thread_rng();
                let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
                let spki = key.to_public_key().to_public_key_der().unwrap();
                let now = OffsetDateTime::now_utc();
                let cert = ca
                    .issue_ocsp_responder(
                        spki.as_bytes(),
                        "OCSP 回應者",
                        (
                            now - time::Duration::days(1),
                            now + time::Duration::days(30),
                        ),
                        ocsp_signing_eku,
                        &mut rng,
                    )
                    .unwrap();
                let key_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
                (pem("CERTIFICATE", &cert), key_pem)
            }
        };
        std::fs::write(path("signer.pem"), signer_pem).unwrap();
        std::fs::write(path("signer.key"), key_pem).unwrap();
        let mut child = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(path("index.txt"))
            .args(["-port", &port.to_string()])
            .arg("-CA")
            .arg(path("ca.pem"))
            .arg("-rsigner")
            .arg(path("signer.pem"))
            .arg("-rkey")
            .arg(path("signer.key"))
            .args([
                "-rmd",
                "sha256",
                "-nmin",
                &minutes.to_string(),
                "-ignore_err",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl");
        // Ready once it says so (a connection made only to probe it would hold up the
        // responder, which serves one connection at a time).
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|line| line.contains("waiting for OCSP client connections"));
        assert!(ready, "openssl ocsp did not start");
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        Self { child, _dir: dir }
    }

    /// Stops the responder: its URL then refuses connections.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop();
    }
}
