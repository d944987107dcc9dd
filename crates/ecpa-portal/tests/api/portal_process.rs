//! `ecpa-portal serve` as a process of its own on a free loopback port, and an
//! employee registering a card with it over HTTP. Shared by the crash test and the
//! load benchmark (`benches/portal_load`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use serde_json::{Value, json};

/// The portal's public origin (its default), sent as `Origin` by every request.
pub const ORIGIN: &str = "http://localhost:8080";

pub struct Portal {
    pub child: Child,
    pub base: String,
}

impl Portal {
    /// Starts the portal on `database_url`, trusting the CAs in `anchors` with the CRLs
    /// in `crls`, and without a challenge budget.
    pub fn start(database_url: &str, anchors: &Path, crls: &Path, dist: &Path) -> Self {
        Self::start_with(database_url, anchors, crls, dist, &[])
    }

    /// As [`Portal::start`], with the environment variables `settings` added.
    pub fn start_with(
        database_url: &str,
        anchors: &Path,
        crls: &Path,
        dist: &Path,
        settings: &[(&str, &str)],
    ) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecpa-portal"))
            .arg("serve")
            .env("ECPA_LISTEN", "127.0.0.1:0")
            .env("ECPA_PUBLIC_ORIGIN", ORIGIN)
            .env("ECPA_DATABASE_URL", database_url)
            .env("ECPA_TRUST_ANCHORS", anchors)
            .env("ECPA_CRLS", crls)
            .env("ECPA_CHALLENGES_PER_MINUTE", u32::MAX.to_string())
            .env("ECPA_DIST_DIR", dist)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(settings.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line.contains("portal ready"))
            .unwrap_or_else(|| panic!("the portal did not start"));
        // Keeps reading its log, so the portal never writes into a closed pipe.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        let listen = ready
            .split_whitespace()
            .find_map(|word| word.strip_prefix("listen="))
            .unwrap()
            .to_owned();
        Self {
            child,
            base: format!("http://{listen}"),
        }
    }
}

impl Drop for Portal {
    /// A test or bench that fails half way leaves no portal running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> reqwest::Result<(u16, Value)> {
    let response = client
        .post(url)
        .header("Origin", ORIGIN)
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Logs in as `account` with `password` and registers `card` as a citizen card: the
/// registration's status, or an error when the portal went away before answering.
pub async fn register_card(
    base: &str,
    account: &str,
    password: &str,
    card: &SoftwareCard,
) -> reqwest::Result<u16> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = json!({"account": account, "password": password});
    let (status, _) = post(&client, format!("{base}/api/session/password"), login).await?;
    assert_eq!(status, 200);
    let purpose = json!({"purpose": "register"});
    let (_, challenge) = post(&client, format!("{base}/api/challenges"), purpose).await?;
    let tbs = challenge["tbs"].as_str().unwrap_or_default();
    let body = json!({
        "nonce": challenge["nonce"],
        "certificate": STANDARD.encode(&card.signing_cert_der),
        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
        "kind": "citizen",
    });
    Ok(post(&client, format!("{base}/api/registrations"), body)
        .await?
        .0)
}
