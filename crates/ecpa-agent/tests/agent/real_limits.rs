//! The real agent closes connections that hold it without sending a request (header
//! deadline), cuts off a body that does not arrive (body deadline), and keeps at most
//! `--max-connections` open, the rest waiting until one closes. Deadlines are 1 s here.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};

use crate::in_process::PORTAL;
use crate::raw_client::{already_closed, until_closed};
use crate::softhsm::{RunningAgent, SoftHsm};

/// An agent over an empty token store with 1 s deadlines and `max_connections`.
fn agent(hsm: &SoftHsm, max_connections: &str) -> RunningAgent {
    let sites = hsm.path("trusted-sites.txt");
    std::fs::write(&sites, PORTAL).unwrap();
    let mut command = hsm.agent_command();
    command.arg("--trusted-sites").arg(&sites).args([
        "--header-timeout-seconds",
        "1",
        "--body-timeout-seconds",
        "1",
        "--max-connections",
        max_connections,
    ]);
    hsm.spawn_agent(command)
}

fn connect(agent: &RunningAgent) -> TcpStream {
    crate::raw_client::connect(SocketAddr::from(([127, 0, 0, 1], agent.port)))
}

async fn page_status(agent: &RunningAgent) -> u16 {
    reqwest::get(agent.url("/"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_real_agent_closes_a_partial_header_and_a_late_body() {
    let hsm = SoftHsm::new();
    let agent = agent(&hsm, "100");
    let mut slow_header = connect(&agent);
    let host = format!("Host: 127.0.0.1:{}\r\n", agent.port);
    slow_header
        .write_all(format!("GET / HTTP/1.1\r\n{host}X-Slow: 1\r\n").as_bytes())
        .unwrap();
    let mut slow_body = connect(&agent);
    let head = format!(
        "POST /sign HTTP/1.1\r\n{host}Origin: {PORTAL}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntbsPackage="
    );
    slow_body.write_all(head.as_bytes()).unwrap();
    assert_eq!(page_status(&agent).await, 200);
    assert_eq!(
        until_closed(&mut slow_header),
        "",
        "closed without an answer"
    );
    let answer = until_closed(&mut slow_body);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(page_status(&agent).await, 200);
}

#[tokio::test]
async fn beyond_the_real_agents_connection_cap_a_client_waits_for_a_closed_one() {
    let hsm = SoftHsm::new();
    let agent = agent(&hsm, "5");
    let mut idle: Vec<TcpStream> = (0..5).map(|_| connect(&agent)).collect();
    // The sixth connection is not taken while five are open: it is answered only
    // after the header deadline has closed one of them.
    assert_eq!(page_status(&agent).await, 200);
    assert!(
        idle.iter_mut().any(already_closed),
        "the sixth client was served while five connections were open"
    );
    for stream in &mut idle {
        assert_eq!(until_closed(stream), "");
    }
    assert_eq!(page_status(&agent).await, 200);
    let log = hsm.agent_log();
    assert!(log.contains("connection limit reached"), "{log}");
}
