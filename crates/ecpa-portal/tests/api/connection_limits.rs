//! The real portal process closes connections that hold it without sending a request
//! (header deadline, also for an idle kept-alive connection), cuts off a body that
//! does not arrive (body deadline), and keeps at most `ECPA_MAX_CONNECTIONS` open,
//! the rest waiting until one closes. Deadlines are 1 s here.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use crate::portal_process::{ORIGIN, Portal};
use crate::raw_client::{already_closed, until_closed};

/// A portal with 1 s header and body deadlines and room for `max_connections`.
fn portal(dir: &tempfile::TempDir, max_connections: &str) -> Portal {
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(&anchors, crate::support::pkis().rsa.trust_anchors_pem()).unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("limits.db").display()
    );
    Portal::start_with(
        &url,
        &anchors,
        Path::new(""),
        dir.path(),
        &[
            ("ECPA_HEADER_TIMEOUT_SECONDS", "1"),
            ("ECPA_BODY_TIMEOUT_SECONDS", "1"),
            ("ECPA_MAX_CONNECTIONS", max_connections),
        ],
    )
}

fn connect(portal: &Portal) -> TcpStream {
    let address: SocketAddr = portal.base.trim_start_matches("http://").parse().unwrap();
    crate::raw_client::connect(address)
}

async fn config_status(portal: &Portal) -> u16 {
    reqwest::get(format!("{}/api/config", portal.base))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_partial_header_is_closed_after_the_header_deadline_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&dir, "100");
    let mut slow = connect(&portal);
    slow.write_all(b"GET /api/config HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n")
        .unwrap();
    assert_eq!(config_status(&portal).await, 200);
    assert_eq!(until_closed(&mut slow), "", "closed without an answer");
    assert_eq!(config_status(&portal).await, 200);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&dir, "100");
    let mut kept = connect(&portal);
    kept.write_all(b"GET /api/config HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let answer = until_closed(&mut kept);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_body_not_sent_within_the_body_deadline_is_refused_and_closed() {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&dir, "100");
    let mut slow = connect(&portal);
    let head = format!(
        "POST /api/session/password HTTP/1.1\r\nHost: localhost\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"account\":"
    );
    slow.write_all(head.as_bytes()).unwrap();
    let answer = until_closed(&mut slow);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("MALFORMED_REQUEST"), "{answer}");
    assert_eq!(config_status(&portal).await, 200);
}

#[tokio::test]
async fn beyond_the_connection_cap_a_client_waits_until_an_idle_connection_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&dir, "5");
    let mut idle: Vec<TcpStream> = (0..5).map(|_| connect(&portal)).collect();
    // The sixth connection is not taken while five are open: it is answered only
    // after the header deadline has closed one of them.
    assert_eq!(config_status(&portal).await, 200);
    assert!(
        idle.iter_mut().any(already_closed),
        "the sixth client was served while five connections were open"
    );
    for stream in &mut idle {
        assert_eq!(until_closed(stream), "");
    }
    assert_eq!(config_status(&portal).await, 200);
}
