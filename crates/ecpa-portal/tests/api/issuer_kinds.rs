//! `ECPA_CITIZEN_CAS` / `ECPA_ORGANIZATION_CAS`: citizen cards only from the listed
//! MOICA CAs, organization cards only from the listed GCA CAs; without the lists,
//! either kind from any configured CA.

use ecpa_devcard::SoftwareCard;
use ecpa_portal::pki::{IssuerKinds, ParsedCert};
use time::Duration;

use crate::support::*;

/// A citizen-profile card issued by the GCA-profile CA, and an organization-profile
/// card issued by the MOICA-profile CA: each kind from the other kind's CA.
fn crossed_cards(id: &str) -> (SoftwareCard, SoftwareCard) {
    let p = pkis();
    let (from, to) = (NOW - Duration::days(30), NOW + Duration::days(365));
    (
        card_from(
            &p.rsa.gca,
            citizen_subject("人事丙", Some(&id[6..])),
            from,
            to,
        ),
        card_from(&p.rsa.moica, organization_subject(AGENCY_OID), from, to),
    )
}

async fn app_with(issuer_kinds: IssuerKinds) -> TestApp {
    spawn_app_with(Options {
        issuer_kinds,
        ..Options::default()
    })
    .await
}

fn key_id_hex(cert_der: &[u8]) -> String {
    hex::encode(ParsedCert::parse(cert_der).unwrap().key_id())
}

#[tokio::test]
async fn each_kind_of_card_comes_only_from_its_listed_cas() {
    let p = pkis();
    let dir = tempfile::tempdir().unwrap();
    let moica_file = dir.path().join("moica.pem");
    std::fs::write(&moica_file, p.rsa.moica.cert_pem()).unwrap();
    // One list names a certificate file, the other a key identifier (with colons).
    let gca_id = key_id_hex(&p.rsa.gca.cert_der);
    let gca_id: Vec<String> = gca_id
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8(pair.to_vec()).unwrap())
        .collect();
    let kinds = IssuerKinds::parse(
        &[moica_file.display().to_string()],
        &[gca_id.join(":").to_uppercase()],
    )
    .unwrap();
    assert!(kinds.unrestricted().is_empty());
    let app = app_with(kinds).await;
    let (id, _, mut officer) = officer_with_organization_card(&app, 1401).await;
    let (citizen_from_gca, organization_from_moica) = crossed_cards(&id);
    officer
        .register(&citizen_from_gca, "citizen", None)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
    officer
        .register(&organization_from_moica, "organization", Some(AGENCY))
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
    officer
        .register(&citizen_card("人事丙", &id), "citizen", None)
        .await
        .assert_status(201);
    // The P-384 PKI's CAs are trusted, but not listed for either kind.
    let from_unlisted = card_from(
        &p.ecdsa.moica,
        citizen_subject("人事丙", Some(&id[6..])),
        NOW - Duration::days(30),
        NOW + Duration::days(365),
    );
    officer
        .register(&from_unlisted, "citizen", None)
        .await
        .assert_error(422, "UNTRUSTED_ISSUER");
}

#[tokio::test]
async fn without_the_lists_either_kind_comes_from_any_configured_ca() {
    let kinds = IssuerKinds::parse(&[], &[" ".into()]).unwrap();
    assert_eq!(kinds.unrestricted().len(), 2);
    let app = app_with(kinds).await;
    let (id, _, mut officer) = officer_with_organization_card(&app, 1402).await;
    let (citizen_from_gca, organization_from_moica) = crossed_cards(&id);
    officer
        .register(&citizen_from_gca, "citizen", None)
        .await
        .assert_status(201);
    officer
        .register(&organization_from_moica, "organization", Some(AGENCY))
        .await
        .assert_status(201);
}

#[test]
fn a_list_entry_that_is_neither_a_file_nor_hex_is_a_setting_error() {
    let refused = IssuerKinds::parse(&["/no/such/moica.pem".into()], &[])
        .unwrap_err()
        .to_string();
    assert!(refused.contains("/no/such/moica.pem"), "{refused}");
}
