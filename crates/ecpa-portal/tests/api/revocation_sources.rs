//! Every issuing CA needs a current revocation source: a card whose CA has no CRL (and
//! no OCSP answer) is of unknown status, and the portal says at start which CAs lack one.

use ecpa_portal::pki::TrustFiles;

use crate::support::*;

#[tokio::test]
async fn a_card_whose_ca_has_no_crl_is_refused_as_of_unknown_status() {
    let app = spawn_app().await;
    let (id, _, mut officer) = officer_with_organization_card(&app, 1301).await;
    let citizen = citizen_card("人事丙", &id);
    // The MOICA-profile CA's CRL only: the GCA-profile CA has none.
    let moica_only = TrustFiles::new(
        vec![app.dir.path().join("anchors.pem")],
        vec![app.crl_path()],
    )
    .load()
    .unwrap();
    let without: Vec<String> = moica_only.issuing_cas_without_crl();
    assert_eq!(without.len(), 3, "{without:?}");
    assert!(without.iter().all(|ca| !ca.contains("Root")), "{without:?}");
    assert!(without.iter().any(|ca| ca.contains("政府憑證管理中心")));
    app.state.replace_trust(moica_only);
    officer
        .register(&organization_card(AGENCY_OID), "organization", Some(AGENCY))
        .await
        .assert_error(503, "REVOCATION_UNKNOWN");
    officer
        .register(&citizen, "citizen", None)
        .await
        .assert_status(201);
    // With the GCA-profile CA's CRL back, its cards pass again.
    app.state.replace_trust(app.trust_files().load().unwrap());
    assert!(app.state.trust().issuing_cas_without_crl().is_empty());
    officer
        .register(&organization_card(AGENCY_OID), "organization", Some(AGENCY))
        .await
        .assert_status(201);
}
