//! Password sessions, cookies, Origin checks and wrong-password throttling.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use time::Duration;
use tower::ServiceExt;

use crate::support::*;

#[tokio::test]
async fn password_login_sets_a_strict_http_only_cookie_and_me_answers() {
    let app = spawn_app().await;
    let id = national_id(1);
    app.add_employee("wang", Person::officer(&id, "王大明"))
        .await;
    let mut browser = app.browser();
    let login = browser.password_login("wang").await;
    login.assert_ok();
    let cookie = login.set_cookie.clone().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(login.body["type"], "employee");
    assert_eq!(login.body["name"], "王大明");
    assert_eq!(login.body["is_personnel_officer"], true);
    assert_eq!(login.body["login_method"], "password");
    assert_eq!(
        login.body["national_id_masked"],
        format!("{}****", &id[..6])
    );
    let me = browser.get("/api/me").await;
    assert_eq!(me.body["agency_name"], "行政院人事行政總處");
    let out = browser.delete("/api/session").await;
    assert_eq!(out.status.as_u16(), 204);
    browser
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn passwords_are_stored_only_as_slow_salted_hashes() {
    let app = spawn_app().await;
    let id = national_id(2);
    app.add_employee("chen", Person::clerk(&id, "陳小華")).await;
    use sqlx::Row;
    let hash: String = sqlx::query("SELECT password_hash FROM accounts WHERE account = 'chen'")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get(0);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn wrong_or_unknown_credentials_are_one_error() {
    let app = spawn_app().await;
    let id = national_id(3);
    app.add_employee("lin", Person::clerk(&id, "林一")).await;
    let mut browser = app.browser();
    browser
        .post(
            "/api/session/password",
            json!({"account": "lin", "password": "nope"}),
        )
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    browser
        .post(
            "/api/session/password",
            json!({"account": "ghost", "password": PASSWORD}),
        )
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    let audit = app.db.audit_entries().await.unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit
            .iter()
            .all(|e| e.event == "password_login" && e.outcome == "INVALID_CREDENTIALS")
    );
    assert_eq!(audit[0].client_addr.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_per_account_then_released() {
    let app = spawn_app().await;
    let id = national_id(4);
    app.add_employee("wu", Person::clerk(&id, "吳二")).await;
    let mut browser = app.browser();
    for _ in 0..5 {
        browser
            .post(
                "/api/session/password",
                json!({"account": "wu", "password": "bad"}),
            )
            .await
            .assert_error(401, "INVALID_CREDENTIALS");
    }
    // Even the right password waits now, and from another address too.
    browser
        .password_login("wu")
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    let mut elsewhere = app.browser();
    elsewhere.addr = "10.0.0.9:4000".parse().unwrap();
    elsewhere
        .password_login("wu")
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    app.advance(Duration::minutes(16));
    browser.password_login("wu").await.assert_ok();
}

/// Twenty wrong passwords for other accounts, the i-th from `from(i)`; then the right
/// password of `account` from `then_from` is refused and from `other` is taken.
async fn address_limit(
    app: &TestApp,
    account: &str,
    from: impl Fn(usize) -> SocketAddr,
    then_from: &str,
    other: &str,
) {
    let mut browser = app.browser();
    for i in 0..20 {
        browser.addr = from(i);
        browser
            .post(
                "/api/session/password",
                json!({"account": format!("guess{i}"), "password": "x"}),
            )
            .await
            .assert_error(401, "INVALID_CREDENTIALS");
    }
    browser.addr = then_from.parse().unwrap();
    browser
        .password_login(account)
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    let mut elsewhere = app.browser();
    elsewhere.addr = other.parse().unwrap();
    elsewhere.password_login(account).await.assert_ok();
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_per_address() {
    let app = spawn_app().await;
    let id = national_id(5);
    app.add_employee("hsu", Person::clerk(&id, "許三")).await;
    let local = app.browser().addr;
    let here = local.to_string();
    address_limit(&app, "hsu", |_| local, &here, "10.0.0.9:4000").await;
}

#[tokio::test]
async fn state_changing_calls_need_the_public_origin() {
    let app = spawn_app().await;
    let id = national_id(6);
    app.add_employee("kao", Person::clerk(&id, "高四")).await;
    let mut browser = app.browser();
    browser.origin = Some("http://evil.example".into());
    browser
        .password_login("kao")
        .await
        .assert_error(403, "FORBIDDEN_ORIGIN");
    browser.origin = None;
    browser
        .post("/api/challenges", json!({"purpose": "login"}))
        .await
        .assert_error(403, "FORBIDDEN_ORIGIN");
    // Reads need no Origin.
    browser.get("/api/config").await.assert_ok();
    browser.origin = Some(ORIGIN.into());
    browser.password_login("kao").await.assert_ok();
}

#[tokio::test]
async fn a_login_replaces_the_previous_session_token() {
    let app = spawn_app().await;
    let id = national_id(7);
    app.add_employee("yeh", Person::clerk(&id, "葉五")).await;
    let mut browser = app.browser();
    browser.challenge("login").await;
    let anonymous = browser.cookie.clone().unwrap();
    browser.password_login("yeh").await.assert_ok();
    assert_ne!(browser.cookie.as_deref(), Some(anonymous.as_str()));
    let mut old = app.browser();
    old.cookie = Some(anonymous);
    old.get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_get_no_more_tries_than_the_limit() {
    let app = spawn_app().await;
    let id = national_id(6);
    app.add_employee("chen", Person::clerk(&id, "陳五")).await;
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..12 {
        let router = app.router.clone();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/session/password")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, ORIGIN)
            .body(Body::from(
                json!({"account": "chen", "password": format!("guess {i}")}).to_string(),
            ))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 1, i], 4000))));
        attempts.spawn(async move { router.oneshot(request).await.unwrap().status() });
    }
    let statuses = attempts.join_all().await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(tried + throttled, 12, "{statuses:?}");
    assert!(tried <= 5, "{tried} passwords were checked: {statuses:?}");
    // The limit was reached within the window: the right password waits too.
    app.browser()
        .password_login("chen")
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_throttled_and_logged() {
    let app = spawn_app_with(Options {
        trusted_proxies: vec!["127.0.0.0/8"],
        ..Options::default()
    })
    .await;
    let id = national_id(7);
    app.add_employee("lin", Person::clerk(&id, "林五")).await;
    let through_proxy = |client: &str| {
        let mut browser = app.browser();
        // What the client wrote itself comes first; the proxy appends the address it saw.
        browser.forwarded_for = Some(format!("198.51.100.1, {client}"));
        browser
    };
    for i in 0..20 {
        through_proxy("203.0.113.5")
            .post(
                "/api/session/password",
                json!({"account": format!("guess{i}"), "password": "x"}),
            )
            .await
            .assert_error(401, "INVALID_CREDENTIALS");
    }
    through_proxy("203.0.113.5")
        .password_login("lin")
        .await
        .assert_error(429, "TOO_MANY_ATTEMPTS");
    // Another client behind the same proxy is not held back.
    through_proxy("203.0.113.6")
        .password_login("lin")
        .await
        .assert_ok();
    let audit = app.db.audit_entries().await.unwrap();
    assert_eq!(
        audit.first().unwrap().client_addr.as_deref(),
        Some("203.0.113.5")
    );
    assert_eq!(
        audit.last().unwrap().client_addr.as_deref(),
        Some("203.0.113.6")
    );

    // A peer that is not a trusted proxy is the client, whatever it forwards.
    let mut direct = app.browser();
    direct.addr = "10.0.0.9:4000".parse().unwrap();
    direct.forwarded_for = Some("203.0.113.6".into());
    direct.password_login("lin").await.assert_ok();
    assert_eq!(
        app.last_audit().await.client_addr.as_deref(),
        Some("10.0.0.9")
    );
}

#[tokio::test]
async fn a_stored_login_method_the_portal_does_not_know_is_an_error_not_a_password() {
    let app = spawn_app().await;
    let id = national_id(8);
    app.add_employee("kuo", Person::clerk(&id, "郭小安")).await;
    let mut browser = app.browser();
    browser.password_login("kuo").await.assert_ok();
    assert_eq!(
        browser.get("/api/me").await.body["login_method"],
        "password"
    );
    sqlx::query("UPDATE sessions SET login_method = 'smoke-signal'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let me = browser.get("/api/me").await;
    me.assert_error(500, "INTERNAL");
    assert!(!me.body.to_string().contains("smoke-signal"), "{me:?}");
}

#[tokio::test]
async fn overlong_accounts_and_passwords_are_refused_before_any_check() {
    let app = spawn_app().await;
    let id = national_id(6);
    app.add_employee("lee", Person::clerk(&id, "李四")).await;
    let mut browser = app.browser();
    let cases = [
        json!({"account": "a".repeat(65), "password": PASSWORD}),
        json!({"account": "lee", "password": "p".repeat(257)}),
        json!({"account": "帳".repeat(65), "password": "x"}),
    ];
    for body in cases {
        browser
            .post("/api/session/password", body)
            .await
            .assert_error(400, "MALFORMED_REQUEST");
    }
    // Refused before counting: no failure is recorded, and the limits themselves pass.
    assert_eq!(app.count("login_failures").await, 0);
    browser
        .post(
            "/api/session/password",
            json!({"account": "a".repeat(64), "password": "p".repeat(256)}),
        )
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    browser.password_login("lee").await.assert_ok();
}

#[tokio::test]
async fn wrong_passwords_from_one_ipv6_network_count_together() {
    let app = spawn_app().await;
    let id = national_id(7);
    app.add_employee("kao", Person::clerk(&id, "高五")).await;
    // Twenty addresses of one /64, one guess each; the next /64 is someone else.
    let in_network = |i: usize| format!("[2001:db8:1:2::{:x}]:4000", i + 1).parse().unwrap();
    address_limit(
        &app,
        "kao",
        in_network,
        "[2001:db8:1:2:ffff::1]:4000",
        "[2001:db8:1:3::1]:4000",
    )
    .await;
}

#[tokio::test]
async fn no_one_can_keep_an_account_locked_the_right_password_waits_a_minute_at_most() {
    let app = spawn_app().await;
    let id = national_id(8);
    app.add_employee("lai", Person::clerk(&id, "賴六")).await;
    let mut attacker = app.browser();
    attacker.addr = "10.0.0.66:4000".parse().unwrap();
    let wrong = json!({"account": "lai", "password": "bad"});
    let mut owner = app.browser();
    owner.addr = "10.0.0.7:4000".parse().unwrap();
    // Guess whenever the account lets a password be checked, for ten minutes.
    let mut checked = 0;
    for _ in 0..600 {
        let answer = attacker.post("/api/session/password", wrong.clone()).await;
        match answer.code() {
            "INVALID_CREDENTIALS" => checked += 1,
            "TOO_MANY_ATTEMPTS" => {}
            other => panic!("{other}"),
        }
        app.advance(Duration::seconds(1));
    }
    // Five free tries, then at most one a minute once the wait has grown.
    assert!(checked <= 5 + 1 + 1 + 10, "{checked} guesses checked");
    // Refused guesses did not extend the wait: a minute after the last checked one,
    // the owner gets in, with the attacker still trying every second.
    let mut waited = 0;
    loop {
        let answer = owner.password_login("lai").await;
        if answer.status.is_success() {
            break;
        }
        answer.assert_error(429, "TOO_MANY_ATTEMPTS");
        attacker.post("/api/session/password", wrong.clone()).await;
        app.advance(Duration::seconds(1));
        waited += 1;
        assert!(waited <= 60, "still locked after {waited} s");
    }
}

#[tokio::test]
async fn wrong_password_records_go_after_a_day_and_audit_rows_after_the_retention() {
    let app = spawn_app().await;
    let id = national_id(9);
    app.add_employee("tu", Person::clerk(&id, "杜七")).await;
    let mut browser = app.browser();
    let wrong = json!({"account": "tu", "password": "bad"});
    browser
        .post("/api/session/password", wrong.clone())
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    assert_eq!(app.count("login_failures").await, 1);
    app.advance(Duration::hours(23));
    browser.password_login("tu").await.assert_ok();
    browser
        .post("/api/session/password", wrong.clone())
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    // Younger than a day: kept.
    assert_eq!(app.count("login_failures").await, 1);
    app.advance(Duration::hours(25));
    browser
        .post(
            "/api/session/password",
            json!({"account": "x", "password": "y"}),
        )
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    assert_eq!(
        app.count("login_failures").await,
        1,
        "only the newest is left"
    );
    assert_eq!(app.count("audit_log").await, 4);
    // The test portal keeps the audit log for 365 days: an hour short of that for the
    // last wrong password, the three rows before it are past it.
    app.advance(Duration::days(365) - Duration::hours(1));
    browser.password_login("tu").await.assert_ok();
    let audit = app.audit_of("password_login").await;
    let accounts: Vec<_> = audit.iter().map(|e| e.account.as_deref()).collect();
    assert_eq!(accounts, [Some("x"), Some("tu")], "{audit:?}");
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed() {
    let app = spawn_app_with(Options {
        public_origin: "https://ecpa.example.gov.tw",
        ..Options::default()
    })
    .await;
    let id = national_id(10);
    app.add_employee("yeh", Person::clerk(&id, "葉八")).await;
    let mut browser = app.browser();
    let login = browser.password_login("yeh").await;
    login.assert_ok();
    let set = login.set_cookie.unwrap();
    assert!(set.starts_with("__Host-ecpa_session="), "{set}");
    assert!(
        set.contains("; Path=/;") && set.contains("; Secure"),
        "{set}"
    );
    assert!(!set.contains("Domain"), "{set}");
    browser.get("/api/me").await.assert_ok();
    // The token under the unprefixed name, as another host could plant it, is no session.
    let token = browser.cookie.clone().unwrap().replace("__Host-", "");
    browser.cookie = Some(token);
    browser
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    // The anonymous session a first challenge opens gets the same cookie.
    let mut anonymous = app.browser();
    let challenge = anonymous
        .post("/api/challenges", json!({"purpose": "login"}))
        .await;
    challenge.assert_ok();
    let set = challenge.set_cookie.unwrap();
    assert!(
        set.starts_with("__Host-ecpa_session=") && set.contains("; Secure"),
        "{set}"
    );
    // Over http the name stays, since __Host- needs Secure.
    let plain = spawn_app().await;
    plain.add_employee("yeh", Person::clerk(&id, "葉八")).await;
    let login = plain.browser().password_login("yeh").await;
    assert!(login.set_cookie.unwrap().starts_with("ecpa_session="));
}

#[tokio::test]
async fn a_logged_in_session_ends_after_eight_hours() {
    let app = spawn_app().await;
    let id = national_id(11);
    app.add_employee("lin", Person::clerk(&id, "林九")).await;
    let mut browser = app.browser();
    let login = browser.password_login("lin").await;
    assert!(
        login.set_cookie.unwrap().contains("Max-Age=28800"),
        "eight hours"
    );
    app.advance(Duration::hours(8) - Duration::seconds(1));
    browser.get("/api/me").await.assert_ok();
    app.advance(Duration::seconds(2));
    browser
        .get("/api/me")
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_anonymous_session_and_its_challenges_end_after_thirty_minutes() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.challenge("login").await;
    let first = browser.cookie.clone().unwrap();
    // A challenge four minutes before the session ends is still within its own five.
    app.advance(Duration::minutes(26));
    let (nonce, _) = browser.challenge("login").await;
    assert_eq!(browser.cookie.as_ref(), Some(&first), "same session");
    app.advance(Duration::minutes(4) + Duration::seconds(1));
    browser
        .post(
            "/api/session/certificate",
            json!({"nonce": nonce, "certificate": "AAECAwQF", "signature": "AAAA"}),
        )
        .await
        .assert_error(400, "CHALLENGE_UNKNOWN");
    // The next challenge opens a new session.
    browser.challenge("login").await;
    assert_ne!(browser.cookie.as_ref(), Some(&first));
}
