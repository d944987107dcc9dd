//! Child processes that never outlive the test that started them.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Lowest port [`free_port`] hands out.
const FIRST_TEST_PORT: u16 = 10_000;

/// A port that was free a moment ago on 127.0.0.1, never handed out before in this
/// process, and below the kernel's ephemeral range: no client connection's local
/// port and no other `bind(0)` can take it before the program it is for binds it
/// (two `bind(0)` calls in a row may return the same port).
pub fn free_port() -> Result<u16> {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let last = ephemeral_range_start().saturating_sub(1);
    if last <= FIRST_TEST_PORT {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding port 0")?;
        return Ok(listener.local_addr()?.port());
    }
    let span = u32::from(last - FIRST_TEST_PORT) + 1;
    let start = random_below(span);
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for step in 0..span {
        let offset = u16::try_from((start + step) % span).context("port offset")?;
        let port = FIRST_TEST_PORT + offset;
        if handed_out.contains(&port) {
            continue;
        }
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            handed_out.insert(port);
            return Ok(port);
        }
    }
    bail!("no free port in {FIRST_TEST_PORT}..={last}")
}

/// First port of `net.ipv4.ip_local_port_range` (Linux's default when unreadable).
fn ephemeral_range_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// A number below `bound`, different from run to run and process to process.
fn random_below(bound: u32) -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    u32::try_from(hasher.finish() % u64::from(bound)).unwrap_or(0)
}

/// Path of a workspace binary built beside the running test (`target/<profile>/NAME`).
pub fn program_path(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test binary")?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("test binary has no target directory")?;
    let path = profile_dir.join(name);
    if !path.is_file() {
        bail!(
            "{} not found: build the workspace binaries first (cargo test --workspace builds them)",
            path.display()
        );
    }
    Ok(path)
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {within:?}")
}

/// A process in its own process group, killed with its whole group on drop
/// (chromedriver's Chromium children included).
pub struct ChildProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ChildProcess {
    /// Starts `command` with stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Self> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let err = out.try_clone()?;
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's output so far, for a failing test's message.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails when the process has already exited.
    pub fn ensure_running(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited with {status}:\n{}", self.name, self.log_text());
        }
        Ok(())
    }

    /// Asks the group to stop (SIGTERM), then kills what is left.
    pub fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = kill_group("-TERM", &group);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = kill_group("-KILL", &group);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signals a process group; quiet when it is already gone.
fn kill_group(signal: &str, group: &str) -> std::io::Result<std::process::ExitStatus> {
    Command::new("kill")
        .args([signal, "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
