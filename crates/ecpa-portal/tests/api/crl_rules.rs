//! Only a complete CRL is relied on; one without nextUpdate is stale; a CA's CRL
//! number never goes backwards on reload.

use der::{asn1::OctetString, oid::ObjectIdentifier};
use ecpa_portal::pki::{CertCheckError, ParsedCert};
use time::{Duration, OffsetDateTime};
use x509_cert::crl::CertificateList;
use x509_cert::ext::Extension;

use crate::chain_cache::registered_card;
use crate::support::*;
use crate::weak_crypto::{SHA256_RSA, resign_crl};

const NAME: &str = "林志明";

/// A MOICA-profile CRL issued at `this_update`, changed by `edit`.
fn crl(this_update: OffsetDateTime, edit: impl FnOnce(&mut CertificateList)) -> Vec<u8> {
    let der = pkis()
        .rsa
        .moica
        .crl(&[], this_update, this_update + Duration::days(7))
        .unwrap();
    resign_crl(&der, edit, SHA256_RSA)
}

fn with_extension(oid: &str, critical: bool, value: &[u8]) -> impl FnOnce(&mut CertificateList) {
    let extension = Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    };
    move |crl| {
        crl.tbs_cert_list
            .crl_extensions
            .get_or_insert_with(Vec::new)
            .push(extension)
    }
}

#[tokio::test]
async fn a_partial_or_delta_crl_or_one_with_an_unknown_critical_extension_is_not_loaded() {
    let app = spawn_app().await;
    let cases = [
        (
            "2.5.29.28",
            true,
            vec![0x30, 0x00],
            "issuingDistributionPoint",
        ),
        ("2.5.29.27", true, vec![0x02, 0x01, 0x05], "delta CRL"),
        (
            "1.3.6.1.4.1.99999.1",
            true,
            vec![0x05, 0x00],
            "unknown critical",
        ),
    ];
    for (oid, critical, value, why) in cases {
        std::fs::write(
            app.crl_path(),
            crl(NOW, with_extension(oid, critical, &value)),
        )
        .unwrap();
        let refused = app.trust_files().load().map(drop).unwrap_err().to_string();
        assert!(refused.contains(why), "{oid}: {refused}");
    }
    // The same unknown extension, not critical, is ignored.
    let extension = with_extension("1.3.6.1.4.1.99999.1", false, &[0x05, 0x00]);
    std::fs::write(app.crl_path(), crl(NOW, extension)).unwrap();
    app.trust_files().load().unwrap();
}

#[tokio::test]
async fn a_crl_without_next_update_is_stale() {
    let app = spawn_app().await;
    let card = citizen_card(NAME, &national_id(95));
    let cert = ParsedCert::parse(&card.signing_cert_der).unwrap();
    let now = NOW.unix_timestamp();
    let no_next_update = |crl: &mut CertificateList| crl.tbs_cert_list.next_update = None;
    // Issued an hour ago: stale at once, still relied on within the grace period.
    std::fs::write(
        app.crl_path(),
        crl(NOW - Duration::hours(1), no_next_update),
    )
    .unwrap();
    let store = app.trust_files().load().unwrap();
    assert_eq!(store.stale_crls(now).len(), 1);
    assert_eq!(store.check_signing_certificate(&cert, now), Ok(()));
    // Issued two days ago: past the one-day grace, the issuer's cards are refused.
    std::fs::write(app.crl_path(), crl(NOW - Duration::days(2), no_next_update)).unwrap();
    let store = app.trust_files().load().unwrap();
    assert_eq!(
        store.check_signing_certificate(&cert, now),
        Err(CertCheckError::RevocationUnknown)
    );
}

#[tokio::test]
async fn an_older_crl_number_on_reload_leaves_the_newer_crl_in_force() {
    let app = spawn_app().await;
    let card = registered_card(&app, 96).await;
    // CRL numbers are thisUpdate in Unix seconds: this one is newer than the app's.
    app.publish_crl(
        &[serial_of(&card.signing_cert_der)],
        NOW,
        NOW + Duration::days(7),
    );
    app.state.replace_trust(app.trust_files().load().unwrap());
    let mut anyone = app.browser();
    anyone
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
    // An older CRL (lower number) that does not list the card is not taken.
    let older = NOW - Duration::hours(2);
    app.publish_crl(&[], older, NOW + Duration::days(7));
    app.state.replace_trust(app.trust_files().load().unwrap());
    anyone
        .certificate_login(&card)
        .await
        .assert_error(422, "CERT_REVOKED");
    // A newer one is.
    app.publish_crl(&[], NOW + Duration::minutes(1), NOW + Duration::days(7));
    app.state.replace_trust(app.trust_files().load().unwrap());
    anyone.certificate_login(&card).await.assert_ok();
}
