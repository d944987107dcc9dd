//! A card's chain is proven once per trust store: a reload of the anchors or CRLs
//! forgets what was proven, and validity and revocation are checked on every login.

use ecpa_portal::pki::{CertCheckError, ParsedCert};
use time::Duration;

use crate::support::*;

const NAME: &str = "林志明";

/// An employee (number `n`) with a registered citizen card, and a browser without a
/// session to log in with it.
pub async fn registered_card(app: &TestApp, n: u32) -> ecpa_devcard::SoftwareCard {
    let id = national_id(n);
    app.add_employee("emp", Person::clerk(&id, NAME)).await;
    let mut browser = app.browser();
    browser.password_login("emp").await.assert_ok();
    let card = citizen_card(NAME, &id);
    browser
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
    card
}

#[tokio::test]
async fn a_reloaded_crl_that_revokes_a_proven_card_refuses_it() {
    let app = spawn_app().await;
    let card = registered_card(&app, 81).await;
    assert_eq!(
        app.state.trust().proven_chains(),
        1,
        "proven at registration"
    );
    let mut anyone = app.browser();
    anyone.certificate_login(&card).await.assert_ok();
    anyone.certificate_login(&card).await.assert_ok();
    assert_eq!(app.state.trust().proven_chains(), 1, "proven once");

    app.publish_crl(
        &[serial_of(&card.signing_cert_der)],
        NOW,
        NOW + Duration::days(7),
    );
    let reloaded = app.trust_files().load().unwrap();
    assert_eq!(reloaded.proven_chains(), 0, "a reloaded store proves again");
    app.state.replace_trust(reloaded);
    anyone
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
}

#[tokio::test]
async fn a_proven_card_is_still_refused_once_it_expires() {
    let app = spawn_app().await;
    let card = registered_card(&app, 82).await;
    let mut anyone = app.browser();
    anyone.certificate_login(&card).await.assert_ok();
    app.advance(Duration::days(366));
    anyone
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_EXPIRED");
}

#[tokio::test]
async fn another_signature_on_the_same_signed_part_is_proven_afresh() {
    let app = spawn_app().await;
    let card = citizen_card(NAME, &national_id(83));
    let store = app.state.trust();
    let now = NOW.unix_timestamp();
    store
        .check_signing_certificate(&ParsedCert::parse(&card.signing_cert_der).unwrap(), now)
        .unwrap();
    assert_eq!(store.proven_chains(), 1);
    // The CA's signature is the certificate's last field: spoil its last byte.
    let mut forged = card.signing_cert_der.clone();
    *forged.last_mut().unwrap() ^= 1;
    assert_eq!(
        store
            .check_signing_certificate(&ParsedCert::parse(&forged).unwrap(), now)
            .unwrap_err(),
        CertCheckError::Untrusted
    );
    store
        .check_signing_certificate(&ParsedCert::parse(&card.signing_cert_der).unwrap(), now)
        .unwrap();
}
