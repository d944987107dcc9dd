//! OCSP against a real responder (`openssl ocsp`): good, revoked and unknown answers;
//! only answers signed by the CA or a responder it authorised for OCSP signing, and
//! only fresh ones; a good answer is kept until its nextUpdate; and the CRL decides
//! when the responder does not answer. The app's clock is the real one here, since
//! the responder dates its answers by it.

use std::time::Instant;

use ecpa_devcard::SoftwareCard;
use ecpa_portal::pki::TrustFiles;
use time::{Duration, OffsetDateTime};

use crate::ocsp_responder::{Entry, Responder, Signer, free_port, url};
use crate::support::*;

const NAME: &str = "歐陽明";

/// Whole seconds, as certificates and OCSP answers carry time.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// An app with OCSP on and its clock at `now`.
async fn app_at(now: OffsetDateTime) -> TestApp {
    spawn_app_with(Options {
        now,
        ocsp: true,
        ..Options::default()
    })
    .await
}

/// Drops the MOICA-profile CA's CRL: an OCSP answer is then its cards' only source.
fn without_moica_crl(app: &TestApp) {
    let mut files = TrustFiles::new(
        vec![app.dir.path().join("anchors.pem")],
        vec![app.dir.path().join(OTHER_CRLS)],
    );
    app.state.replace_trust(files.load().unwrap());
}

/// Clerk `n`'s citizen card, naming the responder on `port`.
fn card(n: u32, port: u16, now: OffsetDateTime) -> SoftwareCard {
    citizen_card_with_ocsp(NAME, &national_id(n), &url(port), now)
}

/// Clerk `n` logs in with a password and registers `card`.
async fn register(app: &TestApp, n: u32, card: &SoftwareCard) -> Answer {
    let mut clerk = clerk_logged_in(app, &national_id(n), NAME).await;
    clerk.register(card, "citizen", None).await
}

fn serial(card: &SoftwareCard) -> Vec<u8> {
    serial_of(&card.signing_cert_der)
}

/// The MOICA-profile CA's responder on `port`, signing as the CA.
fn moica_responder(port: u16, entries: &[(Vec<u8>, Entry)], minutes: u32) -> Responder {
    Responder::start(port, &pkis().rsa.moica, Signer::Ca, entries, minutes)
}

fn requests_sent(app: &TestApp) -> u64 {
    app.state.ocsp().unwrap().requests_sent()
}

#[tokio::test]
async fn good_revoked_and_unknown_answers_decide_without_a_crl() {
    let now = now();
    let app = app_at(now).await;
    without_moica_crl(&app);
    let port = free_port();
    let (good, revoked, unknown) = (
        card(1501, port, now),
        card(1502, port, now),
        card(1503, port, now),
    );
    let _responder = moica_responder(
        port,
        &[
            (serial(&good), Entry::Valid),
            (serial(&revoked), Entry::Revoked),
        ],
        60,
    );
    register(&app, 1501, &good).await.assert_status(201);
    register(&app, 1502, &revoked)
        .await
        .assert_error(422, "CERT_REVOKED");
    // Not in the responder's index: `unknown` counts as revoked.
    register(&app, 1503, &unknown)
        .await
        .assert_error(422, "CERT_REVOKED");
    assert_eq!(requests_sent(&app), 3);
}

#[tokio::test]
async fn a_revoked_answer_wins_over_a_current_crl_that_does_not_list_the_card() {
    let now = now();
    let app = app_at(now).await;
    let port = free_port();
    let revoked = card(1511, port, now);
    let _responder = moica_responder(port, &[(serial(&revoked), Entry::Revoked)], 60);
    register(&app, 1511, &revoked)
        .await
        .assert_error(422, "CERT_REVOKED");
}

#[tokio::test]
async fn a_responder_that_does_not_answer_leaves_it_to_the_crl() {
    let now = now();
    let app = app_at(now).await;
    // Nobody listens on this port.
    let closed = card(1521, free_port(), now);
    register(&app, 1521, &closed).await.assert_status(201);
    // One that accepts the connection and never answers: given up after 2 s.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let hanging = card(1522, silent_port, now);
    let started = Instant::now();
    register(&app, 1522, &hanging).await.assert_status(201);
    let waited = started.elapsed();
    assert!(
        waited < std::time::Duration::from_millis(3500),
        "{waited:?}"
    );
    // Without a CRL either, the card's status is unknown.
    without_moica_crl(&app);
    let unanswered = card(1523, free_port(), now);
    register(&app, 1523, &unanswered)
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");
    assert_eq!(requests_sent(&app), 3);
}

#[tokio::test]
async fn a_delegated_responder_needs_the_ocsp_signing_key_usage() {
    let now = now();
    let app = app_at(now).await;
    without_moica_crl(&app);
    for (n, ocsp_signing_eku, expected) in [
        (1531, true, None),
        (1532, false, Some("REVOCATION_UNKNOWN")),
    ] {
        let port = free_port();
        let card = card(n, port, now);
        let _responder = Responder::start(
            port,
            &pkis().rsa.moica,
            Signer::Delegated { ocsp_signing_eku },
            &[(serial(&card), Entry::Valid)],
            60,
        );
        let answer = register(&app, n, &card).await;
        match expected {
            None => answer.assert_status(201),
            Some(code) => answer.assert_error(503, code),
        }
    }
    // A responder certified by another CA (same names, other key) is no better.
    let port = free_port();
    let card = card(1533, port, now);
    let _responder = Responder::start(
        port,
        &pkis().untrusted.moica,
        Signer::Delegated {
            ocsp_signing_eku: true,
        },
        &[(serial(&card), Entry::Valid)],
        60,
    );
    register(&app, 1533, &card)
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");
}

#[tokio::test]
async fn a_stale_answer_is_not_relied_on() {
    let now = now();
    let app = app_at(now).await;
    without_moica_crl(&app);
    let port = free_port();
    let card = card(1541, port, now);
    // nextUpdate a minute after the answer is made; the portal's clock is 10 minutes on.
    let _responder = moica_responder(port, &[(serial(&card), Entry::Valid)], 1);
    let mut clerk = clerk_logged_in(&app, &national_id(1541), NAME).await;
    app.advance(Duration::minutes(10));
    clerk
        .register(&card, "citizen", None)
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");
    assert_eq!(requests_sent(&app), 1);
}

#[tokio::test]
async fn a_good_answer_is_kept_until_its_next_update() {
    let now = now();
    let app = app_at(now).await;
    without_moica_crl(&app);
    let port = free_port();
    let card = card(1551, port, now);
    let mut responder = moica_responder(port, &[(serial(&card), Entry::Valid)], 60);
    register(&app, 1551, &card).await.assert_status(201);
    assert_eq!(requests_sent(&app), 1);
    // The responder is gone: the kept answer lets the card in without asking.
    responder.stop();
    let mut anyone = app.browser();
    anyone.certificate_login(&card).await.assert_ok();
    app.advance(Duration::minutes(50));
    anyone.certificate_login(&card).await.assert_ok();
    assert_eq!(requests_sent(&app), 1);
    // Past its nextUpdate, the responder is asked again; it does not answer, and
    // there is no CRL.
    app.advance(Duration::minutes(15));
    anyone
        .certificate_login(&card)
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");
    assert_eq!(requests_sent(&app), 2);
}
