//! What a card certificate and its signature must be: a trusted chain, valid now, not
//! revoked, a signing certificate, and a signature over the portal's own text.

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use serde_json::json;
use time::Duration;

use crate::support::*;

const NAME: &str = "王大明";

async fn logged_in<'a>(app: &'a TestApp, id: &str) -> Browser<'a> {
    app.add_employee("emp", Person::clerk(id, NAME)).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    browser
}

fn moica_card(id: &str, from: Duration, to: Duration) -> SoftwareCard {
    card_from(
        &pkis().rsa.moica,
        citizen_subject(NAME, Some(&id[6..])),
        NOW + from,
        NOW + to,
    )
}

#[tokio::test]
async fn expired_and_not_yet_valid_cards_are_refused() {
    let app = spawn_app().await;
    let id = national_id(51);
    let mut browser = logged_in(&app, &id).await;
    let expired = moica_card(&id, Duration::days(-60), Duration::days(-1));
    browser
        .register(&expired, "citizen", None)
        .await
        .assert_error(422, "CERT_EXPIRED");
    let future = moica_card(&id, Duration::days(1), Duration::days(60));
    browser
        .register(&future, "citizen", None)
        .await
        .assert_error(422, "CERT_NOT_YET_VALID");
    assert_eq!(app.count("registrations").await, 0);
}

#[tokio::test]
async fn a_revoked_card_is_refused() {
    let card = citizen_card(NAME, &national_id(52));
    let app = spawn_app_with(Options {
        revoked: vec![serial_of(&card.signing_cert_der)],
        ..Options::default()
    })
    .await;
    let mut browser = logged_in(&app, &national_id(52)).await;
    browser
        .register(&card, "citizen", None)
        .await
        .assert_error(422, "CERT_REVOKED");
    // Another card of the same CA is not on the list.
    let other = citizen_card(NAME, &national_id(52));
    browser
        .register(&other, "citizen", None)
        .await
        .assert_status(201);
    // A CRL long past its nextUpdate still proves what it lists.
    app.advance(Duration::days(30));
    app.browser()
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
}

#[tokio::test]
async fn a_card_from_an_untrusted_ca_with_the_same_names_is_refused() {
    let app = spawn_app().await;
    let id = national_id(53);
    let mut browser = logged_in(&app, &id).await;
    let forged = card_from(
        &pkis().untrusted.moica,
        citizen_subject(NAME, Some(&id[6..])),
        NOW - Duration::days(1),
        NOW + Duration::days(30),
    );
    browser
        .register(&forged, "citizen", None)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
    let mut anonymous = app.browser();
    anonymous
        .certificate_login(&forged)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
}

#[tokio::test]
async fn a_card_under_an_ecdsa_p384_root_is_accepted() {
    let app = spawn_app().await;
    let id = national_id(54);
    let mut browser = logged_in(&app, &id).await;
    let card = card_from(
        &pkis().ecdsa.moica,
        citizen_subject(NAME, Some(&id[6..])),
        NOW - Duration::days(1),
        NOW + Duration::days(30),
    );
    browser
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn the_encryption_certificate_is_not_a_signing_certificate() {
    let app = spawn_app().await;
    let id = national_id(55);
    let mut browser = logged_in(&app, &id).await;
    let card = citizen_card(NAME, &id);
    let (nonce, tbs) = browser.challenge("register").await;
    browser
        .post(
            "/api/registrations",
            json!({
                "nonce": nonce,
                "certificate": STANDARD.encode(&card.encryption_cert_der),
                "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
                "kind": "citizen",
            }),
        )
        .await
        .assert_error(422, "CERT_KEY_USAGE");
}

#[tokio::test]
async fn a_tampered_signature_or_one_over_other_text_is_refused() {
    let app = spawn_app().await;
    let id = national_id(56);
    let mut browser = logged_in(&app, &id).await;
    let card = citizen_card(NAME, &id);
    let certificate = STANDARD.encode(&card.signing_cert_der);
    let (nonce, tbs) = browser.challenge("register").await;
    let mut signature = card.sign(tbs.as_bytes());
    signature[17] ^= 0x01;
    let body = json!({"nonce": nonce, "certificate": certificate,
                      "signature": STANDARD.encode(&signature), "kind": "citizen"});
    browser
        .post("/api/registrations", body)
        .await
        .assert_error(422, "BAD_SIGNATURE");
    // Signing the nonce alone (or any text but the portal's tbs) does not count.
    let (nonce, _) = browser.challenge("register").await;
    let body = json!({"nonce": nonce, "certificate": certificate,
                      "signature": STANDARD.encode(card.sign(nonce.as_bytes())), "kind": "citizen"});
    browser
        .post("/api/registrations", body)
        .await
        .assert_error(422, "BAD_SIGNATURE");
    // Another card's key over the right text.
    let (nonce, tbs) = browser.challenge("register").await;
    let other = citizen_card(NAME, &id);
    let other_key = SoftwareCard {
        key: rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap(),
        ..other
    };
    let body = json!({"nonce": nonce, "certificate": certificate,
                      "signature": STANDARD.encode(other_key.sign(tbs.as_bytes())), "kind": "citizen"});
    browser
        .post("/api/registrations", body)
        .await
        .assert_error(422, "BAD_SIGNATURE");
    let outcomes: Vec<_> = app
        .audit_of("registration")
        .await
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes, vec!["BAD_SIGNATURE"; 3]);
}

/// Accounts `a` and `b` of two people named 甲, and a card of 甲 without ID digits
/// that either could claim; returns `a`'s national ID and the card.
async fn two_namesakes_and_a_card(
    app: &TestApp,
    ca: &ecpa_devcard::Ca,
    ids: (u32, u32),
) -> (String, SoftwareCard) {
    let (a, b) = (national_id(ids.0), national_id(ids.1));
    app.add_employee("a", Person::clerk(&a, "甲")).await;
    app.add_employee("b", Person::clerk(&b, "甲")).await;
    let card = card_from(
        ca,
        citizen_subject("甲", None),
        NOW - Duration::days(1),
        NOW + Duration::days(30),
    );
    (a, card)
}

/// The same certificate with the NULL parameters of its outer signatureAlgorithm
/// dropped: new DER bytes whose (unchanged) signature still verifies.
fn without_outer_null_parameters(der: &[u8]) -> Vec<u8> {
    use x509_cert::der::{Decode, Encode};
    let mut cert = x509_cert::Certificate::from_der(der).unwrap();
    assert!(cert.signature_algorithm.parameters.is_some());
    cert.signature_algorithm.parameters = None;
    let reencoded = cert.to_der().unwrap();
    assert_ne!(reencoded, der);
    reencoded
}

#[tokio::test]
async fn a_re_encoded_certificate_does_not_get_a_second_owner() {
    let app = spawn_app().await;
    let (a, card) = two_namesakes_and_a_card(&app, &pkis().rsa.moica, (61, 62)).await;
    let mut owner = app.browser();
    owner.password_login("a").await.assert_ok();
    owner.register(&card, "citizen", None).await.assert_ok();
    let twin = SoftwareCard {
        signing_cert_der: without_outer_null_parameters(&card.signing_cert_der),
        ..card.clone()
    };
    let mut other = app.browser();
    other.password_login("b").await.assert_ok();
    other
        .register(&twin, "citizen", None)
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    assert_eq!(app.count("registrations").await, 1);
    let mut anyone = app.browser();
    anyone
        .post(
            "/api/certificates/status",
            json!({"certificate": STANDARD.encode(&twin.signing_cert_der)}),
        )
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    anyone
        .certificate_login(&twin)
        .await
        .assert_error(400, "MALFORMED_REQUEST");
    anyone.certificate_login(&card).await.assert_ok();
    let last = app.last_audit().await;
    assert_eq!(last.event, "certificate_login");
    assert_eq!(last.national_id.as_deref(), Some(a.as_str()));
}

/// The same certificate with its CA's ECDSA signature's s negated: other bytes, a
/// signature that verifies just as well.
fn with_negated_s(der: &[u8]) -> Vec<u8> {
    use x509_cert::der::{Decode, Encode, asn1::BitString};
    let mut cert = x509_cert::Certificate::from_der(der).unwrap();
    let signature = p384::ecdsa::Signature::from_der(cert.signature.raw_bytes()).unwrap();
    let (r, s) = signature.split_scalars();
    let twin = p384::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    cert.signature = BitString::from_bytes(twin.to_der().as_bytes()).unwrap();
    let twin_der = cert.to_der().unwrap();
    assert_ne!(twin_der, der);
    twin_der
}

#[tokio::test]
async fn both_signature_encodings_of_an_ecdsa_issued_card_are_one_certificate() {
    let app = spawn_app().await;
    let (a, card) = two_namesakes_and_a_card(&app, &pkis().ecdsa.moica, (63, 64)).await;
    let twin = SoftwareCard {
        signing_cert_der: with_negated_s(&card.signing_cert_der),
        ..card.clone()
    };
    let mut owner = app.browser();
    owner.password_login("a").await.assert_ok();
    owner
        .register(&twin, "citizen", None)
        .await
        .assert_status(201);
    owner
        .register(&card, "citizen", None)
        .await
        .assert_status(200);

    let mut other = app.browser();
    other.password_login("b").await.assert_ok();
    for copy in [&card, &twin] {
        other
            .register(copy, "citizen", None)
            .await
            .assert_error(409, "CERT_ALREADY_REGISTERED");
    }
    assert_eq!(app.count("registrations").await, 1);

    let mut anyone = app.browser();
    for copy in [&card, &twin] {
        let status = anyone
            .post(
                "/api/certificates/status",
                json!({"certificate": STANDARD.encode(&copy.signing_cert_der)}),
            )
            .await;
        assert_eq!(status.body["registered"], true, "{status:?}");
        anyone.certificate_login(copy).await.assert_ok();
        assert_eq!(
            app.last_audit().await.national_id.as_deref(),
            Some(a.as_str())
        );
    }
}

/// A logged-in employee (number `n`) who has registered their citizen card.
async fn with_registered_card(app: &TestApp, n: u32) -> (Browser<'_>, SoftwareCard) {
    let id = national_id(n);
    let mut browser = logged_in(app, &id).await;
    let card = citizen_card(NAME, &id);
    browser
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
    (browser, card)
}

/// How often the reload loop under test looks at the trust files.
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Waits (up to thirty seconds) until the portal's trust store is no longer `old`.
async fn wait_for_a_new_store(app: &TestApp, old: &std::sync::Arc<ecpa_portal::pki::TrustStore>) {
    for _ in 0..300 {
        if !std::sync::Arc::ptr_eq(old, &app.state.trust()) {
            return;
        }
        tokio::time::sleep(RELOAD_EVERY).await;
    }
    panic!("the reload loop did not install the new CRL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crl_published_while_the_portal_runs_takes_effect() {
    use ecpa_portal::trust_reload::keep_trust_current;
    let app = spawn_app().await;
    let (mut browser, card) = with_registered_card(&app, 58).await;
    let mut files = app.trust_files();
    app.state.replace_trust(files.load().unwrap());
    let in_force = app.state.trust();
    let reload = tokio::spawn(keep_trust_current(app.state.clone(), files, RELOAD_EVERY));
    let revoked = [serial_of(&card.signing_cert_der)];

    // A half-written file, then a CRL listing the card but signed by a key no
    // configured CA holds: neither replaces what is in force.
    std::fs::write(app.crl_path(), "-----BEGIN X509 CRL-----\nMIIB").unwrap();
    tokio::time::sleep(RELOAD_EVERY * 5).await;
    let forged = pkis()
        .untrusted
        .moica
        .crl_pem(&revoked, NOW - Duration::hours(1), NOW + Duration::days(7))
        .unwrap();
    std::fs::write(app.crl_path(), forged).unwrap();
    tokio::time::sleep(RELOAD_EVERY * 5).await;
    assert!(std::sync::Arc::ptr_eq(&in_force, &app.state.trust()));
    browser.certificate_login(&card).await.assert_ok();

    // The CA's next CRL lists the card: once the loop installs it, no more logins.
    app.publish_crl(&revoked, NOW, NOW + Duration::days(7));
    wait_for_a_new_store(&app, &in_force).await;
    browser
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
    reload.abort();
}

#[tokio::test]
async fn a_crl_signed_by_an_untrusted_key_is_refused_at_load() {
    let app = spawn_app().await;
    let forged = pkis()
        .untrusted
        .moica
        .crl_pem(&[], NOW, NOW + Duration::days(7))
        .unwrap();
    std::fs::write(app.crl_path(), forged).unwrap();
    let error = app.trust_files().load().unwrap_err().to_string();
    assert!(error.contains("not signed by a configured CA"), "{error}");
}

#[tokio::test]
async fn an_organization_card_revoked_on_its_cas_crl_is_refused() {
    let app = spawn_app().await;
    let (_, card, mut officer) = officer_with_organization_card(&app, 67).await;
    let other = organization_card(AGENCY_OID);
    app.browser().certificate_login(&card).await.assert_ok();

    // The GCA-profile CA's CRL lists the card.
    let gca_crl = app.dir.path().join("gca.crl");
    let pem = pkis()
        .rsa
        .gca
        .crl_pem(
            &[serial_of(&card.signing_cert_der)],
            NOW,
            NOW + Duration::days(7),
        )
        .unwrap();
    std::fs::write(&gca_crl, pem).unwrap();
    let anchors = app.dir.path().join("anchors.pem");
    let files = TrustFiles::new(vec![anchors], vec![app.crl_path(), gca_crl]);
    app.state.replace_trust(files.clone().load().unwrap());

    app.browser()
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
    officer
        .register(&card, "organization", Some(AGENCY))
        .await
        .assert_error(422, "CERT_REVOKED");
    // The agency's other card, not on the list, still works.
    officer
        .register(&other, "organization", Some(AGENCY))
        .await
        .assert_status(201);
    app.browser().certificate_login(&other).await.assert_ok();
}

#[tokio::test]
async fn a_crl_past_its_next_update_is_reported_once() {
    use ecpa_portal::trust_reload::StaleCrlLog;
    let app = spawn_app().await;
    let store = app.state.trust();
    let mut log = StaleCrlLog::default();
    let now = NOW.unix_timestamp();
    assert_eq!(store.stale_crls(now), Vec::<String>::new());
    assert!(!log.check(&store, now));
    let later = (NOW + Duration::days(8)).unix_timestamp();
    // Every issuing CA's CRL, the MOICA-profile CA's among them.
    let stale = store.stale_crls(later);
    assert_eq!(stale.len(), 4, "{stale:?}");
    assert!(stale.iter().any(|s| s.contains("內政部")), "{stale:?}");
    assert!(log.check(&store, later));
    assert!(!log.check(&store, later + 60), "said once");
}

#[tokio::test]
async fn registrations_stored_before_identities_get_them_at_start() {
    let app = spawn_app().await;
    let (mut browser, card) = with_registered_card(&app, 65).await;
    sqlx::query("UPDATE registrations SET tbs_sha256 = NULL")
        .execute(app.db.pool())
        .await
        .unwrap();
    browser
        .certificate_login(&card)
        .await
        .assert_error(404, "CERT_NOT_REGISTERED");
    ecpa_portal::db::Db::connect(&app.url)
        .await
        .unwrap()
        .close()
        .await;
    browser.certificate_login(&card).await.assert_ok();
}

#[tokio::test]
async fn a_crl_stale_past_the_grace_period_stops_its_cards_until_a_new_one_comes() {
    // The MOICA CRL of the test app is current until NOW + 7 days; the grace is a day.
    let app = spawn_app().await;
    let (_, card) = with_registered_card(&app, 66).await;
    app.advance(Duration::days(8) - Duration::minutes(1));
    app.browser().certificate_login(&card).await.assert_ok();
    app.advance(Duration::minutes(2));
    app.browser()
        .certificate_login(&card)
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");

    let later = NOW + Duration::days(8);
    app.publish_crl(&[], later, later + Duration::days(7));
    app.state.replace_trust(app.trust_files().load().unwrap());
    app.browser().certificate_login(&card).await.assert_ok();
}
