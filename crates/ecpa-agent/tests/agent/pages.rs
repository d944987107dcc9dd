//! The HTML pages: version, the popup bridge (its script runs in real Chromium in
//! the end-to-end tests) and the addDomain consent flow.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ecpa_agent::TrustedSites;

use crate::in_process::{HOST, OWN_ORIGIN, PORTAL, agent_trusting, agent_with, fake_card};

#[tokio::test]
async fn version_page_names_a_four_part_version() {
    let agent = agent_with(fake_card());
    let page = agent.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let version = page.body.split("version:").nth(1).unwrap();
    let version: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<&str> = version.split('.').collect();
    assert_eq!(parts.len(), 4, "{version}");
    assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()));
}

#[tokio::test]
async fn popup_form_embeds_the_trusted_sites_and_asks_for_the_package() {
    let agent = agent_with(fake_card());
    let page = agent.get("/popupForm", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"const TRUSTED = ["http://localhost:8080"];"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"JSON.stringify({ func: "getTbs" })"#));
    assert!(
        page.body
            .contains(&ecpa_wire::agent::ret::SITE_NOT_TRUSTED.to_string())
    );
    assert!(!page.body.contains("<script src"), "no external resources");
    let policy = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(policy.to_str().unwrap().contains("connect-src 'self'"));
}

#[tokio::test]
async fn every_page_is_the_agents_own_with_its_name_and_version() {
    let agent = agent_with(fake_card());
    let own = format!("ecpa-agent {}", ecpa_agent::AGENT_VERSION);
    for path in [
        "/",
        "/popupForm",
        "/ChtPopupForm",
        "/addDomain?domain=https%3A%2F%2Fecpa.example.gov.tw",
        "/addDomain?domain=ftp%3A%2F%2Fbad",
    ] {
        let page = agent.get(path, None).await;
        assert!(
            page.body
                .contains("ECPA 讀卡元件（HiPKI Local Server 相容）"),
            "{path}"
        );
        assert!(page.body.contains(&own), "{path}: no version");
        assert!(
            page.body.contains("不是 ECPA 人事服務網的網頁"),
            "{path}: not told apart from the portal"
        );
        assert!(page.body.contains("class=\"agent-bar\""), "{path}");
    }
}

async fn post_add_domain(
    agent: &crate::in_process::TestAgent,
    origin: Option<&str>,
    body: &str,
) -> StatusCode {
    let mut request = Request::post("/addDomain")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    agent
        .send(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .status
}

#[tokio::test]
async fn add_domain_trusts_a_site_only_after_the_user_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trusted-sites.txt");
    std::fs::write(&file, format!("{PORTAL}\n")).unwrap();
    let agent = agent_trusting(fake_card(), TrustedSites::load(file.clone()).unwrap());

    // Asking shows the consent page and trusts nothing.
    let page = agent
        .get(
            "/addDomain?domain=ecpa.example.gov.tw",
            Some("https://ecpa.example.gov.tw"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("https://ecpa.example.gov.tw"));
    assert!(page.body.contains("確定加入") && page.body.contains("取消"));
    // Confirm starts disabled; the page's script enables it after a moment in front.
    assert!(
        page.body
            .contains(r#"id="confirm" name="confirm" value="yes" disabled>"#)
    );
    assert!(!agent.trusted.contains("https://ecpa.example.gov.tw"));

    // A post from any other page (a cross-site form) is refused.
    let form = "domain=https%3A%2F%2Fecpa.example.gov.tw&confirm=yes";
    assert_eq!(
        post_add_domain(&agent, Some("https://ecpa.example.gov.tw"), form).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_add_domain(&agent, None, form).await,
        StatusCode::FORBIDDEN
    );
    // Cancelling trusts nothing.
    let cancel = "domain=https%3A%2F%2Fecpa.example.gov.tw&confirm=no";
    assert_eq!(
        post_add_domain(&agent, Some(OWN_ORIGIN), cancel).await,
        StatusCode::OK
    );
    assert!(!agent.trusted.contains("https://ecpa.example.gov.tw"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{PORTAL}\n")
    );

    // Confirming on the agent's own page trusts it, in memory and in the file.
    assert_eq!(
        post_add_domain(&agent, Some(OWN_ORIGIN), form).await,
        StatusCode::OK
    );
    assert!(agent.trusted.contains("https://ecpa.example.gov.tw"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{PORTAL}\nhttps://ecpa.example.gov.tw\n")
    );
    let popup = agent.get("/popupForm", None).await;
    assert!(
        popup
            .body
            .contains(r#"["http://localhost:8080","https://ecpa.example.gov.tw"]"#)
    );
}

#[tokio::test]
async fn add_domain_refuses_what_is_not_a_web_origin() {
    let agent = agent_with(fake_card());
    for domain in [
        "javascript%3Aalert(1)",
        "%3Cscript%3E",
        "ftp%3A%2F%2Fx.example",
        "https%3A%2F%2Fx.example%2Fpath",
        "",
    ] {
        let page = agent
            .get(&format!("/addDomain?domain={domain}"), None)
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{domain}");
        assert!(!page.body.contains("<script>"));
        let form = format!("domain={domain}&confirm=yes");
        assert_eq!(
            post_add_domain(&agent, Some(OWN_ORIGIN), &form).await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(agent.trusted.list().len(), 1);
}

#[tokio::test]
async fn add_domain_refuses_plain_http_except_on_this_computer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trusted-sites.txt");
    let agent = agent_trusting(fake_card(), TrustedSites::load(file.clone()).unwrap());
    for domain in [
        "http://ecpa.example.gov.tw",
        "http://evil.example:8080",
        "http://localhost.evil.example",
        "http://127.0.0.2",
        "http://10.0.0.1",
    ] {
        let encoded: String = form_urlencoded::byte_serialize(domain.as_bytes()).collect();
        let page = agent
            .get(&format!("/addDomain?domain={encoded}"), None)
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{domain}");
        assert!(page.body.contains("https://"), "{}", page.body);
        assert!(!page.body.contains("確定加入"), "{domain}");
        let form = format!("domain={encoded}&confirm=yes");
        assert_eq!(
            post_add_domain(&agent, Some(OWN_ORIGIN), &form).await,
            StatusCode::BAD_REQUEST,
            "{domain}"
        );
        assert!(!agent.trusted.contains(domain), "{domain}");
    }
    assert!(!file.exists(), "nothing was written");

    // https anywhere, and plain http on this computer (development), are trusted.
    for domain in [
        "https://ecpa.example.gov.tw",
        "http://localhost:8081",
        "http://127.0.0.1:3000",
        "http://localhost",
    ] {
        let encoded: String = form_urlencoded::byte_serialize(domain.as_bytes()).collect();
        let form = format!("domain={encoded}&confirm=yes");
        assert_eq!(
            post_add_domain(&agent, Some(OWN_ORIGIN), &form).await,
            StatusCode::OK,
            "{domain}"
        );
        assert!(agent.trusted.contains(domain), "{domain}");
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "https://ecpa.example.gov.tw\nhttp://localhost:8081\nhttp://127.0.0.1:3000\nhttp://localhost\n"
    );
}
