//! The Host and Origin guards, the body limit and the absence of CORS, once against the
//! real binary over a real SoftHSM2 token (the `security` module checks them in process
//! over the fake card, which also counts card touches).

use ecpa_wire::agent::{Pkcs11Info, SignResult, ret};
use reqwest::{Client, StatusCode};

use crate::certs::{DAY, now_unix};
use crate::in_process::{PORTAL, package};
use crate::softhsm::{RunningAgent, SoftHsm};

const PIN: &str = "135790";

fn agent_over_a_card() -> (SoftHsm, RunningAgent) {
    let hsm = SoftHsm::new();
    let now = now_unix();
    hsm.add_card("citizen-guard", PIN, now - 10 * DAY, now + 700 * DAY);
    let agent = hsm.start_agent(&[PORTAL]);
    (hsm, agent)
}

/// `POST /sign` with `tbsPackage` = `body`, the given Host and Origin headers.
async fn sign(
    agent: &RunningAgent,
    host: Option<&str>,
    origin: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = Client::new().post(agent.url("/sign"));
    if let Some(host) = host {
        request = request.header("Host", host);
    }
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.form(&[("tbsPackage", body)]).send().await.unwrap()
}

/// The status of `GET /` sent with `host` as its Host header.
async fn page_as(agent: &RunningAgent, host: &str) -> StatusCode {
    let request = Client::new().get(agent.url("/")).header("Host", host);
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_foreign_host_is_refused_by_the_real_agent() {
    let (hsm, agent) = agent_over_a_card();
    let own_port = agent.port;
    for host in [
        "evil.example:61161".to_owned(),
        format!("evil.example:{own_port}"),
        format!("127.0.0.1.nip.io:{own_port}"),
        "127.0.0.1:1".to_owned(),
    ] {
        assert_eq!(
            page_as(&agent, &host).await,
            StatusCode::FORBIDDEN,
            "GET / as {host}"
        );
        let answer = sign(&agent, Some(&host), Some(PORTAL), &package("x", PIN)).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "/sign as {host}");
    }
    assert!(!hsm.agent_log().contains(PIN), "the PIN is never logged");
    // Its own names are served.
    for host in [
        format!("127.0.0.1:{own_port}"),
        format!("localhost:{own_port}"),
    ] {
        assert_eq!(page_as(&agent, &host).await, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn only_a_trusted_origin_reaches_the_real_card() {
    let (hsm, agent) = agent_over_a_card();
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let answer = sign(&agent, None, origin, &package("hello", "000000")).await;
        let result: SignResult = answer.json().await.unwrap();
        assert_eq!(result.ret_code, ret::SITE_NOT_TRUSTED, "{origin:?}");
        assert!(result.signature.is_empty());

        let mut info = Client::new().get(agent.url("/pkcs11info?withcert=true"));
        if let Some(origin) = origin {
            info = info.header("Origin", origin);
        }
        let info: Pkcs11Info = info.send().await.unwrap().json().await.unwrap();
        assert_eq!(info.ret_code, ret::SITE_NOT_TRUSTED, "{origin:?}");
        assert!(info.slots.is_empty());
    }
    // The trusted portal is served as usual (the in-process test counts that refused
    // requests never touch the card).
    let result: SignResult = sign(&agent, None, Some(PORTAL), &package("hello", PIN))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (result.ret_code, result.last_error),
        (ret::OK, 0),
        "{}",
        hsm.agent_log()
    );
    let info = agent.pkcs11info(true, PORTAL).await;
    assert_eq!(info.ret_code, ret::OK);
}

#[tokio::test]
async fn the_real_agent_bounds_bodies_and_sends_no_cors_headers() {
    let (_hsm, agent) = agent_over_a_card();
    let huge = package(&"a".repeat(100 * 1024), PIN);
    let answer = sign(&agent, None, Some(PORTAL), &huge).await;
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for path in ["/", "/pkcs11info", "/popupForm"] {
        let answer = Client::new()
            .get(agent.url(path))
            .header("Origin", PORTAL)
            .send()
            .await
            .unwrap();
        assert!(
            !answer
                .headers()
                .keys()
                .any(|k| k.as_str().starts_with("access-control-")),
            "{path}: {:?}",
            answer.headers()
        );
    }
}
