//! The whole system for one scenario: demo PKI, SoftHSM2 tokens, the agent and the
//! portal on free ports, all under one temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ecpa_devcard::softhsm;
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;

use crate::process::{ChildProcess, free_port, program_path, wait_for_port};

/// What differs between scenarios.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// Leave the portal out of the agent's trusted sites (the 「加入信任的網站」 case).
    pub portal_untrusted: bool,
    /// Runs the portal's clock this many days ahead ("works tomorrow"), from its
    /// start at noon of the run's date ([`crate::portal_clock_start`]).
    pub clock_offset_days: i64,
}

/// A card put on its own SoftHSM2 token.
#[derive(Debug, Clone)]
pub struct Card {
    pub label: String,
    pub pin: String,
}

/// The running system. Dropping it stops every process it started.
pub struct Stack {
    dir: TempDir,
    pub portal_origin: String,
    pub agent_origin: String,
    portal_port: u16,
    agent_port: u16,
    options: StackOptions,
    portal: Option<ChildProcess>,
    agent: Option<ChildProcess>,
}

impl Stack {
    /// Makes the PKI and an empty token store; starts nothing yet.
    pub fn new(options: StackOptions) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("ecpa-e2e-").tempdir()?;
        let portal_port = free_port()?;
        let agent_port = free_port()?;
        let stack = Self {
            portal_origin: format!("http://localhost:{portal_port}"),
            agent_origin: format!("http://127.0.0.1:{agent_port}"),
            dir,
            portal_port,
            agent_port,
            options,
            portal: None,
            agent: None,
        };
        softhsm::create_token_store(stack.dir.path())?;
        let trusted = if stack.options.portal_untrusted {
            String::new()
        } else {
            format!("{}\n", stack.portal_origin)
        };
        std::fs::write(stack.path("trusted-sites.txt"), trusted)?;
        stack.devcard(&["pki", "--dir", &stack.path("pki").display().to_string()])?;
        Ok(stack)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The port of `portal_origin` (a trusted site of the agent), for a test that
    /// serves its own pages there instead of starting the portal.
    pub fn portal_port(&self) -> u16 {
        self.portal_port
    }

    /// The port the agent listens on.
    pub fn agent_port(&self) -> u16 {
        self.agent_port
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn softhsm_conf(&self) -> PathBuf {
        self.path(softhsm::CONF_FILE)
    }

    fn database_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.path("portal.db").display())
    }

    /// Runs `ecpa-devcard` with this stack's PKI and token store.
    pub fn devcard(&self, args: &[&str]) -> Result<String> {
        let mut command = Command::new(program_path("ecpa-devcard")?);
        command.args(args).env("SOFTHSM2_CONF", self.softhsm_conf());
        run(command, "ecpa-devcard")
    }

    /// Puts a card on a fresh token: `extra` are `ecpa-devcard card` options
    /// (`--kind`, `--name`, `--national-id`, `--agency-oid`, …).
    pub fn add_card(&self, label: &str, pin: &str, extra: &[&str]) -> Result<Card> {
        let pki = self.path("pki").display().to_string();
        let conf = self.softhsm_conf().display().to_string();
        let mut args = vec![
            "card",
            "--pki",
            &pki,
            "--softhsm-conf",
            &conf,
            "--label",
            label,
            "--pin",
            pin,
        ];
        args.extend_from_slice(extra);
        self.devcard(&args)?;
        Ok(Card {
            label: label.to_owned(),
            pin: pin.to_owned(),
        })
    }

    /// `ecpa-portal import KIND` of a CSV text (header row included).
    pub fn import(&self, kind: &str, csv: &str) -> Result<()> {
        let file = self.path(&format!("{kind}.csv"));
        std::fs::write(&file, csv)?;
        let mut command = Command::new(program_path("ecpa-portal")?);
        command
            .args(["import", kind])
            .arg(&file)
            .env("ECPA_DATABASE_URL", self.database_url());
        run(command, "ecpa-portal import").map(drop)
    }

    /// Starts (or restarts) the card agent over SoftHSM2.
    pub fn start_agent(&mut self) -> Result<()> {
        self.stop_agent();
        let mut command = Command::new(program_path("ecpa-agent")?);
        command
            .arg("serve")
            .arg("--module")
            .arg(softhsm_module()?)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.agent_port))
            .arg("--trusted-sites")
            .arg(self.path("trusted-sites.txt"))
            .env("SOFTHSM2_CONF", self.softhsm_conf())
            .env("RUST_LOG", "info");
        let mut agent = ChildProcess::spawn("ecpa-agent", command, &self.path("agent.log"))?;
        wait_for_port(self.agent_port, Duration::from_secs(20))
            .and_then(|()| agent.ensure_running())?;
        self.agent = Some(agent);
        Ok(())
    }

    pub fn stop_agent(&mut self) {
        if let Some(mut agent) = self.agent.take() {
            agent.stop();
        }
    }

    /// Takes every card out: the agent is restarted over an empty token store
    /// (SoftHSM2 reads its tokens when the module is loaded).
    pub fn remove_cards(&mut self) -> Result<()> {
        self.stop_agent();
        let tokens = self.path("tokens");
        std::fs::remove_dir_all(&tokens)?;
        std::fs::create_dir_all(&tokens)?;
        self.start_agent()
    }

    /// Starts (or restarts) the portal serving the release SPA, its clock started
    /// at noon of the run's date.
    pub fn start_portal(&mut self) -> Result<()> {
        if let Some(mut portal) = self.portal.take() {
            portal.stop();
        }
        let pki = self.path("pki");
        let mut command = Command::new(program_path("ecpa-portal")?);
        command
            .arg("serve")
            .env("ECPA_LISTEN", format!("127.0.0.1:{}", self.portal_port))
            .env("ECPA_PUBLIC_ORIGIN", &self.portal_origin)
            .env("ECPA_AGENT_ORIGIN", &self.agent_origin)
            .env("ECPA_DATABASE_URL", self.database_url())
            .env("ECPA_TRUST_ANCHORS", pki.join("trust-anchors.pem"))
            .env("ECPA_CRLS", pki.join("crl.pem"))
            .env("ECPA_CITIZEN_CAS", pki.join("moica.pem"))
            .env("ECPA_ORGANIZATION_CAS", pki.join("gca.pem"))
            .env("ECPA_DIST_DIR", dist_dir()?)
            .env(
                "ECPA_CLOCK_OFFSET_DAYS",
                self.options.clock_offset_days.to_string(),
            )
            .env("ECPA_CLOCK_START", clock_start()?)
            .env("RUST_LOG", "info");
        let mut portal = ChildProcess::spawn("ecpa-portal", command, &self.path("portal.log"))?;
        wait_for_port(self.portal_port, Duration::from_secs(20))
            .and_then(|()| portal.ensure_running())?;
        self.portal = Some(portal);
        Ok(())
    }

    /// Restarts the portal with its clock `days` ahead.
    pub fn shift_portal_clock(&mut self, days: i64) -> Result<()> {
        self.options.clock_offset_days = days;
        self.start_portal()
    }

    /// Everything the agent and the portal logged so far.
    pub fn logs(&self) -> String {
        ["agent.log", "portal.log"]
            .iter()
            .map(|name| std::fs::read_to_string(self.path(name)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop_agent();
        if let Some(mut portal) = self.portal.take() {
            portal.stop();
        }
    }
}

/// Runs a command to completion; its output on success, the output in the error otherwise.
fn run(mut command: Command, what: &str) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

/// Where the portal's clock starts, as `ECPA_CLOCK_START` takes it.
fn clock_start() -> Result<String> {
    crate::portal_clock_start()
        .format(&Rfc3339)
        .context("formatting the portal's clock start")
}

/// SoftHSM2's PKCS#11 module.
fn softhsm_module() -> Result<PathBuf> {
    softhsm::installed_module().context("SoftHSM2 is not installed (scripts/setup.sh installs it)")
}

/// The release build of the SPA: `ECPA_E2E_DIST_DIR`, or `dist/` at the repository root.
pub fn dist_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os("ECPA_E2E_DIST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"),
    };
    if !dir.join("index.html").is_file() {
        bail!(
            "{} has no index.html: build the SPA first (trunk build --release --offline)",
            dir.display()
        );
    }
    Ok(dir)
}
