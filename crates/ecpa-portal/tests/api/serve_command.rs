//! `ecpa-portal serve` as a process: flags and environment, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_starts_from_environment_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, crate::support::pkis().rsa.trust_anchors_pem()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecpa-portal"))
        .arg("serve")
        .env("ECPA_LISTEN", "127.0.0.1:0")
        .env(
            "ECPA_DATABASE_URL",
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("serve.db").display()
            ),
        )
        .env("ECPA_PUBLIC_ORIGIN", "http://localhost:18080")
        .env("ECPA_CLOCK_OFFSET_DAYS", "-1")
        .env("ECPA_TRUST_ANCHORS", &anchors)
        .env("ECPA_DIST_DIR", dir.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut before_ready = Vec::new();
    let ready = lines.by_ref().take(20).map_while(Result::ok).find(|line| {
        before_ready.push(line.clone());
        line.contains("portal ready")
    });
    // No CRL configured: it says which issuing CAs lack a revocation source (not the
    // root), and that card kinds are not tied to CAs.
    let missing = before_ready
        .iter()
        .find(|l| l.contains("without a revocation source"))
        .unwrap_or_else(|| panic!("{before_ready:?}"));
    assert!(
        missing.contains("內政部憑證管理中心") && missing.contains("政府憑證管理中心"),
        "{missing}"
    );
    assert!(!missing.contains("Root"), "{missing}");
    assert!(
        before_ready
            .iter()
            .any(|l| l.contains("ECPA_CITIZEN_CAS / ECPA_ORGANIZATION_CAS not set")),
        "{before_ready:?}"
    );
    assert!(
        ready
            .as_deref()
            .is_some_and(|l| l.contains("http://localhost:18080")),
        "{ready:?}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}

/// `ecpa-portal serve` on a free loopback port with `database`, trusting `anchors`,
/// serving `dist`, its log (info) on a pipe.
fn serve_on(database: &str, anchors: &std::path::Path, dist: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecpa-portal"));
    command
        .arg("serve")
        .env("ECPA_LISTEN", "127.0.0.1:0")
        .env("ECPA_DATABASE_URL", database)
        .env("ECPA_TRUST_ANCHORS", anchors)
        .env("ECPA_DIST_DIR", dist)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    command
}

/// The portal's `portal ready` log line, read from its stderr; `None` when it stopped
/// without one.
fn ready_line(child: &mut std::process::Child) -> Option<String> {
    BufReader::new(child.stderr.take()?)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.contains("portal ready"))
}

/// The value of `field` (`field=value`) in a log line.
fn logged<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(field)?.strip_prefix('='))
}

/// On SQLite the runtime serving requests has one thread fewer than the machine has
/// cores (at least one), so the writer's thread keeps a core; on PostgreSQL one per
/// core; `TOKIO_WORKER_THREADS` sets the number instead. The ready line says how many
/// the runtime runs.
#[tokio::test]
async fn serve_runs_one_runtime_thread_fewer_than_cores_on_sqlite_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, crate::support::pkis().rsa.trust_anchors_pem()).unwrap();
    let (database, postgres) = crate::support::fresh_database(&dir).await;
    let runtime_threads = |told: Option<&str>| {
        let mut command = serve_on(&database, &anchors, dir.path());
        command.env_remove("TOKIO_WORKER_THREADS");
        if let Some(told) = told {
            command.env("TOKIO_WORKER_THREADS", told);
        }
        let mut child = command.spawn().unwrap();
        let ready = ready_line(&mut child);
        let _ = child.kill();
        let _ = child.wait();
        let ready = ready.unwrap_or_else(|| panic!("the portal did not start"));
        logged(&ready, "runtime_threads")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("{ready}"))
    };
    let cores = std::thread::available_parallelism().unwrap().get();
    let expected = match postgres {
        Some(_) => cores,
        None => cores.saturating_sub(1).max(1),
    };
    assert_eq!(runtime_threads(None), expected);
    assert_eq!(runtime_threads(Some("3")), 3);
}

/// `ECPA_CLOCK_START` sets where the clock starts, `ECPA_CLOCK_OFFSET_DAYS` still
/// shifts it: a challenge made then expires 5 minutes after that instant (plus the
/// time the portal has run), on the shifted date. Empty, it is not set; a value that
/// is not an instant stops the portal.
#[tokio::test]
async fn serve_starts_its_clock_at_the_set_instant() {
    let dir = tempfile::tempdir().unwrap();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, crate::support::pkis().rsa.trust_anchors_pem()).unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("clock.db").display()
    );
    let serve = |start: &str| {
        serve_on(&database, &anchors, dir.path())
            .env("ECPA_CLOCK_OFFSET_DAYS", "1")
            .env("ECPA_CLOCK_START", start)
            .spawn()
            .unwrap()
    };

    let mut unset = serve("");
    let started = ready_line(&mut unset).is_some();
    let _ = unset.kill();
    let _ = unset.wait();
    assert!(
        started,
        "an empty ECPA_CLOCK_START means the computer's clock"
    );

    let refused = serve("yesterday noon").wait_with_output().unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("RFC 3339"), "{said}");

    let mut child = serve("2021-06-15T12:00:00+08:00");
    let ready = ready_line(&mut child).unwrap_or_else(|| panic!("the portal did not start"));
    let listen = logged(&ready, "listen").unwrap().to_owned();
    let challenge: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{listen}/api/challenges"))
        .header("Origin", "http://localhost:8080")
        .json(&serde_json::json!({"purpose": "login"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let expires = time::OffsetDateTime::parse(
        challenge["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let at_start = time::macros::datetime!(2021-06-16 12:05 +08:00);
    assert!(expires >= at_start, "{expires}");
    assert_eq!(
        expires.to_offset(time::macros::offset!(+8)).date(),
        time::macros::date!(2021 - 06 - 16),
        "{expires}"
    );
}
