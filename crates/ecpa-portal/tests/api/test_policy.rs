//! Cards under the GPKI test-assurance policy are refused unless the setting allows
//! them.

use der::{
    Encode,
    asn1::{ObjectIdentifier, OctetString},
};
use ecpa_portal::pki::{CertCheckError, ParsedCert};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CertificatePolicies;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;

use crate::support::*;
use crate::weak_crypto::{SHA256_RSA, private_key, resign_with};

const NAME: &str = "林志明";

/// `card` with its signing certificate reissued under `policy` (instead of the demo
/// PKI's 2.16.886.101.0.3.3).
fn under_policy(mut card: ecpa_devcard::SoftwareCard, policy: &str) -> ecpa_devcard::SoftwareCard {
    let policies = CertificatePolicies(vec![PolicyInformation {
        policy_identifier: ObjectIdentifier::new_unwrap(policy),
        policy_qualifiers: None,
    }]);
    let extension = Extension {
        extn_id: ObjectIdentifier::new_unwrap("2.5.29.32"),
        critical: false,
        extn_value: OctetString::new(policies.to_der().unwrap()).unwrap(),
    };
    card.signing_cert_der = resign_with(
        &private_key(&pkis().rsa.moica),
        &card.signing_cert_der,
        |c| {
            let extensions = c.tbs_certificate.extensions.get_or_insert_with(Vec::new);
            extensions.retain(|e| e.extn_id != extension.extn_id);
            extensions.push(extension);
        },
        SHA256_RSA,
    );
    card
}

#[tokio::test]
async fn a_test_assurance_card_is_refused_unless_allowed() {
    let app = spawn_app().await;
    let id = national_id(97);
    let mut browser = clerk_logged_in(&app, &id, NAME).await;
    let test_card = under_policy(citizen_card(NAME, &id), "2.16.886.101.0.3.0");
    browser
        .register(&test_card, "citizen", None)
        .await
        .assert_error(422, "CERT_TEST_POLICY");

    let cert = ParsedCert::parse(&test_card.signing_cert_der).unwrap();
    let now = NOW.unix_timestamp();
    let allowing = app
        .trust_files()
        .with_test_certificates(true)
        .load()
        .unwrap();
    assert_eq!(allowing.check_signing_certificate(&cert, now), Ok(()));
    let refusing = app.trust_files().load().unwrap();
    assert_eq!(
        refusing.check_signing_certificate(&cert, now),
        Err(CertCheckError::TestPolicy)
    );

    // A card under another GPKI policy (as the demo PKI issues) is accepted.
    let real = under_policy(citizen_card(NAME, &id), "2.16.886.101.0.3.3");
    browser
        .register(&real, "citizen", None)
        .await
        .assert_status(201);
}
