//! A real SoftHSM2 token store per test, and the real `ecpa-agent` binary serving it.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` once per process, so each test gets its own
//! config and token directory and talks to its own agent process. Keys are made
//! on the token (`pkcs11-tool --keypairgen`); certificates go on with the key's CKA_ID.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ecpa_wire::agent::{Pkcs11Info, SignResult};
use tempfile::TempDir;

use crate::certs::CardCert;

pub const SO_PIN: &str = "87654321";

/// SoftHSM2's PKCS#11 module.
pub fn module() -> PathBuf {
    ecpa_devcard::softhsm::installed_module()
        .expect("SoftHSM2 is not installed (scripts/setup.sh installs it)")
}

pub struct SoftHsm {
    dir: TempDir,
}

/// What a provisioned card holds.
pub struct Provisioned {
    pub signing_der: Vec<u8>,
    pub encryption_der: Vec<u8>,
}

impl SoftHsm {
    /// An empty token store: SoftHSM2 then shows one slot with no usable token.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("ecpa-agent-hsm-")
            .tempdir()
            .unwrap();
        ecpa_devcard::softhsm::create_token_store(dir.path()).unwrap();
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let output = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    fn pkcs11_tool(&self, label: &str, args: &[&str]) -> Vec<u8> {
        let module = module();
        let mut all = vec!["--module", module.to_str().unwrap(), "--token-label", label];
        all.extend_from_slice(args);
        self.run("pkcs11-tool", &all)
    }

    /// A fresh token `label` with an RSA-2048 key pair made on it (CKA_ID `id`);
    /// returns the public key (SubjectPublicKeyInfo DER).
    fn key_pair(&self, label: &str, pin: &str, id: &str) -> Vec<u8> {
        self.pkcs11_tool(
            label,
            &[
                "--login",
                "--pin",
                pin,
                "--keypairgen",
                "--key-type",
                "rsa:2048",
                "--id",
                id,
                "--label",
                &format!("key {id}"),
            ],
        );
        let out = self.path(&format!("{label}-{id}.pub.der"));
        self.pkcs11_tool(
            label,
            &[
                "--read-object",
                "--type",
                "pubkey",
                "--id",
                id,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out).unwrap()
    }

    fn put_cert(&self, label: &str, pin: &str, id: &str, cert_label: &str, der: &[u8]) {
        let file = self.path(&format!("{label}-{id}.crt.der"));
        std::fs::write(&file, der).unwrap();
        self.pkcs11_tool(
            label,
            &[
                "--login",
                "--pin",
                pin,
                "--write-object",
                file.to_str().unwrap(),
                "--type",
                "cert",
                "--id",
                id,
                "--label",
                cert_label,
            ],
        );
    }

    /// A citizen card on a new token: signing key `01` and encryption key `02`, each
    /// with its certificate, both valid from `not_before` to `not_after`.
    pub fn add_card(&self, label: &str, pin: &str, not_before: u64, not_after: u64) -> Provisioned {
        self.run(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                SO_PIN,
                "--pin",
                pin,
            ],
        );
        let cert = |signing: bool, serial: u64, spki: &[u8]| {
            crate::certs::issue(
                spki,
                &CardCert {
                    name: "王大明",
                    id_last4: Some("6789"),
                    signing,
                    serial,
                    not_before,
                    not_after,
                },
            )
        };
        let signing_der = cert(true, 0x0abc_def1, &self.key_pair(label, pin, "01"));
        self.put_cert(label, pin, "01", "signature", &signing_der);
        let encryption_der = cert(false, 0x0abc_def2, &self.key_pair(label, pin, "02"));
        self.put_cert(label, pin, "02", "encryption", &encryption_der);
        Provisioned {
            signing_der,
            encryption_der,
        }
    }

    /// Starts `ecpa-agent serve` over this store on a free port.
    pub fn start_agent(&self, trusted: &[&str]) -> RunningAgent {
        let sites = self.path("trusted-sites.txt");
        std::fs::write(&sites, trusted.join("\n")).unwrap();
        let mut command = self.agent_command();
        command.arg("--trusted-sites").arg(&sites);
        self.spawn_agent(command)
    }

    /// `ecpa-agent serve` over this store on a free port, without `--trusted-sites`.
    pub fn agent_command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ecpa-agent"));
        command
            .arg("serve")
            .arg("--module")
            .arg(module())
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("ECPA_AGENT_TRUSTED_SITES")
            .env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .env("RUST_LOG", "debug");
        command
    }

    /// Starts `command` and waits for the port it prints.
    pub fn spawn_agent(&self, mut command: Command) -> RunningAgent {
        let log = std::fs::File::create(self.path("agent.log")).unwrap();
        let mut child = command.stdout(Stdio::piped()).stderr(log).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}: {}", self.agent_log()));
        RunningAgent {
            child,
            port,
            client: reqwest::Client::new(),
        }
    }

    pub fn agent_log(&self) -> String {
        std::fs::read_to_string(self.path("agent.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// The agent process; killed when dropped.
pub struct RunningAgent {
    child: Child,
    pub port: u16,
    client: reqwest::Client,
}

impl RunningAgent {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn pkcs11info(&self, with_cert: bool, origin: &str) -> Pkcs11Info {
        let path = if with_cert {
            "/pkcs11info?withcert=true"
        } else {
            "/pkcs11info"
        };
        let response = self
            .client
            .get(self.url(path))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn sign(&self, package: &str, origin: &str) -> SignResult {
        self.post("/sign", package, origin).await
    }

    /// `POST /sign` as the popup bridge sends it for a page at `opener`.
    pub async fn sign_from_bridge(&self, package: &str, opener: &str) -> SignResult {
        let request = self
            .client
            .post(self.url("/sign"))
            .header("Origin", self.url(""))
            .header("X-ECPA-Opener-Origin", opener);
        Self::answer(request.form(&[("tbsPackage", package)])).await
    }

    /// `POST path` with the form field `tbsPackage` = `package`, from `origin`.
    pub async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        package: &str,
        origin: &str,
    ) -> T {
        let request = self.client.post(self.url(path)).header("Origin", origin);
        Self::answer(request.form(&[("tbsPackage", package)])).await
    }

    async fn answer<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

impl Drop for RunningAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
