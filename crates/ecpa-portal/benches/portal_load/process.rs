//! The portal process's CPU time from `/proc/PID/stat` and its profile, and the
//! machine's RSA-2048 verify time.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::portal_process::Portal;

/// CPU time and profiles of the portal process.
pub trait Measured {
    /// User plus system CPU time the portal process has used so far.
    fn cpu(&self) -> Duration;

    /// Context switches of the portal's threads so far (those still running).
    fn switches(&self) -> u64;

    /// The portal's read and write system calls so far (`/proc/PID/io`).
    fn io(&self) -> IoCounts;

    /// `perf record` of the portal into `out` until [`Profile::finish`].
    fn profile(&self, out: &str) -> Profile;

    fn stop(self);
}

impl Measured for Portal {
    fn cpu(&self) -> Duration {
        cpu_of(self.child.id())
    }

    fn switches(&self) -> u64 {
        switches_of(self.child.id())
    }

    fn io(&self) -> IoCounts {
        io_of(self.child.id())
    }

    fn profile(&self, out: &str) -> Profile {
        let child = Command::new("perf")
            .args(["record", "-F", "999", "-g", "-o", out, "-p"])
            .arg(self.child.id().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        // perf needs a moment to attach.
        std::thread::sleep(Duration::from_millis(500));
        Profile(child)
    }

    fn stop(mut self) {
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

/// A running `perf record`, or none when perf is not installed.
pub struct Profile(Option<Child>);

impl Profile {
    pub fn finish(self) {
        if let Some(mut child) = self.0 {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

/// User plus system CPU time process `pid` has used so far (`/proc/PID/stat`).
pub fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    cpu_in_stat(&stat).unwrap()
}

/// User plus system CPU time in a `stat` file of proc(5).
fn cpu_in_stat(stat: &str) -> Option<Duration> {
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    // Fields 14 and 15 of proc(5), counted from the state (field 3).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64))
}

/// Each live thread of process `pid`: its id, name and CPU time so far
/// (`/proc/PID/task/TID/stat` and `comm`).
pub fn threads_of(pid: u32) -> Vec<(String, String, Duration)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?;
            let id = task.file_name().to_string_lossy().into_owned();
            Some((id, name.trim().to_owned(), cpu_in_stat(&stat)?))
        })
        .collect()
}

/// The `count` threads that used the most CPU between two [`threads_of`] readings,
/// busiest first: each one's name and cores busy over `seconds`.
pub fn busiest_threads(
    before: &[(String, String, Duration)],
    after: &[(String, String, Duration)],
    seconds: f64,
    count: usize,
) -> Vec<(String, f64)> {
    let mut busy: Vec<(String, f64)> = after
        .iter()
        .map(|(id, name, cpu)| {
            let earlier = before
                .iter()
                .find(|(was, _, _)| was == id)
                .map_or(Duration::ZERO, |(_, _, cpu)| *cpu);
            (
                name.clone(),
                cpu.saturating_sub(earlier).as_secs_f64() / seconds,
            )
        })
        .collect();
    busy.sort_by(|a, b| b.1.total_cmp(&a.1));
    busy.truncate(count);
    busy
}

/// Voluntary and involuntary context switches of process `pid`'s live threads, from
/// `/proc/PID/task/*/status`: two per hand-over between threads, a figure that does
/// not depend on how busy the machine is.
pub fn switches_of(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// A process's read and write system calls (`read`, `pread64`, `write`, `pwrite64`,
/// `writev`…; not `recvfrom`/`sendto`) and the bytes it wrote through them, from
/// `/proc/PID/io`. With SQLite each WAL frame a commit appends takes two writes, so the
/// counts show what a login writes, a figure that does not depend on how busy the
/// machine is.
#[derive(Debug, Clone, Copy, Default)]
pub struct IoCounts {
    pub reads: u64,
    pub writes: u64,
    pub written_bytes: u64,
}

impl std::ops::Sub for IoCounts {
    type Output = IoCounts;

    fn sub(self, earlier: IoCounts) -> IoCounts {
        IoCounts {
            reads: self.reads.saturating_sub(earlier.reads),
            writes: self.writes.saturating_sub(earlier.writes),
            written_bytes: self.written_bytes.saturating_sub(earlier.written_bytes),
        }
    }
}

impl IoCounts {
    /// The counts per one of `n` operations.
    pub fn per(self, n: usize) -> (f64, f64, f64) {
        let n = n.max(1) as f64;
        (
            self.reads as f64 / n,
            self.writes as f64 / n,
            self.written_bytes as f64 / n,
        )
    }
}

pub fn io_of(pid: u32) -> IoCounts {
    let Ok(io) = std::fs::read_to_string(format!("/proc/{pid}/io")) else {
        return IoCounts::default();
    };
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    IoCounts {
        reads: field("syscr:"),
        writes: field("syscw:"),
        written_bytes: field("wchar:"),
    }
}

/// The whole machine's CPU time from `/proc/stat`, in clock ticks.
pub struct MachineTicks {
    idle: u64,
    /// Time the hypervisor gave this machine's CPUs to others.
    steal: u64,
    total: u64,
}

impl MachineTicks {
    /// The share of the CPU time since `earlier` that was not idle (or waiting on I/O).
    pub fn busy_share_since(&self, earlier: &MachineTicks) -> f64 {
        let total = self.total.saturating_sub(earlier.total).max(1);
        let idle = self.idle.saturating_sub(earlier.idle);
        1.0 - idle as f64 / total as f64
    }

    /// The share of the CPU time since `earlier` taken by the hypervisor (steal).
    pub fn steal_share_since(&self, earlier: &MachineTicks) -> f64 {
        let total = self.total.saturating_sub(earlier.total).max(1);
        self.steal.saturating_sub(earlier.steal) as f64 / total as f64
    }
}

pub fn machine_ticks() -> MachineTicks {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    // user nice system idle iowait irq softirq steal …
    MachineTicks {
        idle: fields[3] + fields[4],
        steal: fields.get(7).copied().unwrap_or(0),
        total: fields.iter().take(8).sum(),
    }
}
