//! The portal as a process of its own (the release build Cargo made for this bench),
//! its CPU time from `/proc/PID/stat`, and the machine's RSA-2048 verify time.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The Origin the portal is configured with and every request sends.
pub const ORIGIN: &str = "http://localhost:8080";

pub struct Portal {
    child: Child,
    pub base: String,
}

impl Portal {
    /// Starts `ecpa-portal serve` on a free loopback port.
    pub fn start(database_url: &str, anchors: &Path, dist: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecpa-portal"))
            .arg("serve")
            .env("ECPA_LISTEN", "127.0.0.1:0")
            .env("ECPA_PUBLIC_ORIGIN", ORIGIN)
            .env("ECPA_DATABASE_URL", database_url)
            .env("ECPA_TRUST_ANCHORS", anchors)
            .env("ECPA_CRLS", "")
            // Every simulated user comes from 127.0.0.1: no per-address budget here.
            .env("ECPA_CHALLENGES_PER_MINUTE", u32::MAX.to_string())
            .env("ECPA_DIST_DIR", dist)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line.contains("portal ready"))
            .expect("portal did not start");
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

    /// User plus system CPU time the portal process has used so far.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
            .split_whitespace()
            .collect();
        // Fields 14 and 15 of proc(5), counted from the state (field 3).
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64)
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// One RSA-2048 verify on one core, by `openssl speed -seconds 2 rsa2048`.
pub fn openssl_verify_time() -> Option<Duration> {
    let output = Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    let per_second: f64 = line.split_whitespace().last()?.parse().ok()?;
    Some(Duration::from_secs_f64(1.0 / per_second))
}
