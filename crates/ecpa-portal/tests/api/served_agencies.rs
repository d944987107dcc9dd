//! 機關代碼 is editable for a reason: an officer registers the organization card of
//! their own agency or of an agency their personnel office serves (the agencies CSV's
//! `personnel_authority`), and 查詢機關名稱 says at once whether they may.

use ecpa_portal::import::ImportKind;
use serde_json::json;

use crate::support::*;

/// A school served by [`AGENCY`]'s personnel office, with its own OID.
const SCHOOL: &str = "376430000A";
const SCHOOL_OID: &str = "2.16.886.101.20003.20065";
/// A school served by [`OTHER_AGENCY`].
const OTHER_SCHOOL: &str = "376440000A";

async fn import_schools(app: &TestApp) {
    let rows = format!(
        "code,name,oid,personnel_authority\n\
         {SCHOOL},臺北市立第一國民中學,{SCHOOL_OID},{AGENCY}\n\
         {OTHER_SCHOOL},臺北市立第二國民中學,,{OTHER_AGENCY}\n"
    );
    assert_eq!(app.import(ImportKind::Agencies, &rows).await, 2);
}

async fn signed_in_officer(app: &TestApp, n: u32) -> Browser<'_> {
    let id = national_id(n);
    let account = format!("officer{n}");
    app.add_employee(&account, Person::officer(&id, "陳人事"))
        .await;
    let mut browser = app.browser();
    browser.password_login(&account).await.assert_ok();
    browser
}

#[tokio::test]
async fn an_officer_registers_the_card_of_an_agency_their_office_serves() {
    let app = spawn_app().await;
    import_schools(&app).await;
    let mut browser = signed_in_officer(&app, 1211).await;
    // The card must still carry the chosen agency's OID.
    browser
        .register(&organization_card(AGENCY_OID), "organization", Some(SCHOOL))
        .await
        .assert_error(403, "AGENCY_NOT_YOURS");
    let school_card = organization_card(SCHOOL_OID);
    browser
        .register(&school_card, "organization", Some(OTHER_SCHOOL))
        .await
        .assert_error(403, "AGENCY_NOT_YOURS");
    let school = browser
        .register(&school_card, "organization", Some(SCHOOL))
        .await;
    school.assert_status(201);
    assert_eq!(school.body["agency_code"], SCHOOL);
    browser
        .register(&organization_card(AGENCY_OID), "organization", Some(AGENCY))
        .await
        .assert_status(201);
    // The school's card opens the school's personnel-only area.
    let mut card = app.browser();
    let login = card.certificate_login(&school_card).await;
    login.assert_ok();
    assert_eq!(login.body["agency_code"], SCHOOL);
    assert_eq!(login.body["officer_name"], "陳人事");
    // Until the school is no longer served by the officer's agency.
    let reassigned = format!(
        "code,name,oid,personnel_authority\n{SCHOOL},臺北市立第一國民中學,{SCHOOL_OID},{OTHER_AGENCY}\n"
    );
    app.import(ImportKind::Agencies, &reassigned).await;
    card.get("/api/me")
        .await
        .assert_error(403, "NOT_PERSONNEL_OFFICER");
}

#[tokio::test]
async fn a_clerk_of_the_serving_agency_may_not() {
    let app = spawn_app().await;
    import_schools(&app).await;
    let id = national_id(1212);
    app.add_employee("clerk", Person::clerk(&id, "陳資訊"))
        .await;
    let mut browser = app.browser();
    browser.password_login("clerk").await.assert_ok();
    browser
        .register(&organization_card(SCHOOL_OID), "organization", Some(SCHOOL))
        .await
        .assert_error(403, "NOT_PERSONNEL_OFFICER");
}

#[tokio::test]
async fn agency_lookup_says_whether_the_signed_in_officer_may_register_it() {
    let app = spawn_app().await;
    import_schools(&app).await;
    let school = json!({"code": SCHOOL, "name": "臺北市立第一國民中學", "oid": SCHOOL_OID});
    // Without an employee session the answer is as before.
    let mut anonymous = app.browser();
    let found = anonymous.get(&format!("/api/agencies/{SCHOOL}")).await;
    assert_eq!(found.body, school);
    let mut browser = signed_in_officer(&app, 1213).await;
    let cases = [
        (SCHOOL, json!({"eligible": true})),
        (AGENCY, json!({"eligible": true})),
        (
            OTHER_SCHOOL,
            json!({"eligible": false, "error": "AGENCY_NOT_YOURS",
                   "message": "此機關代碼不是您服務的機關，請輸入您服務機關的代碼。"}),
        ),
        (
            OTHER_AGENCY,
            json!({"eligible": false, "error": "AGENCY_NOT_YOURS",
                   "message": "此機關代碼不是您服務的機關，請輸入您服務機關的代碼。"}),
        ),
    ];
    for (code, registration) in cases {
        let answer = browser.get(&format!("/api/agencies/{code}")).await;
        answer.assert_status(200);
        assert_eq!(answer.body["code"], code);
        assert_eq!(answer.body["registration"], registration, "{code}");
    }
    let full = browser.get(&format!("/api/agencies/{SCHOOL}")).await;
    let mut expected = school;
    expected["registration"] = json!({"eligible": true});
    assert_eq!(full.body, expected);
    browser
        .get("/api/agencies/1234567")
        .await
        .assert_error(404, "AGENCY_UNKNOWN");
    // A clerk hears that they are no personnel officer, whatever the code.
    let id = national_id(1214);
    app.add_employee("clerk", Person::clerk(&id, "陳資訊"))
        .await;
    let mut clerk = app.browser();
    clerk.password_login("clerk").await.assert_ok();
    let answer = clerk.get(&format!("/api/agencies/{AGENCY}")).await;
    assert_eq!(
        answer.body["registration"]["error"],
        "NOT_PERSONNEL_OFFICER"
    );
}

#[tokio::test]
async fn a_file_without_the_column_keeps_what_is_stored_and_an_empty_cell_clears_it() {
    let app = spawn_app().await;
    import_schools(&app).await;
    let mut browser = signed_in_officer(&app, 1215).await;
    let may_register = |answer: Answer| answer.body["registration"]["eligible"].clone();
    let three_columns = format!("code,name,oid\n{SCHOOL},臺北市立第一國民中學,{SCHOOL_OID}\n");
    app.import(ImportKind::Agencies, &three_columns).await;
    let lookup = format!("/api/agencies/{SCHOOL}");
    assert_eq!(may_register(browser.get(&lookup).await), true);
    let cleared =
        format!("code,name,oid,personnel_authority\n{SCHOOL},臺北市立第一國民中學,{SCHOOL_OID},\n");
    app.import(ImportKind::Agencies, &cleared).await;
    assert_eq!(may_register(browser.get(&lookup).await), false);
    let bad = format!(
        "code,name,oid,personnel_authority\n{SCHOOL},臺北市立第一國民中學,,3230000\n{OTHER_SCHOOL},x,,not a code\n"
    );
    let error = app
        .try_import(ImportKind::Agencies, &bad)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("line 3: personnel_authority:"),
        "{error}"
    );
    // Nothing of the bad file was kept.
    assert_eq!(may_register(browser.get(&lookup).await), false);
}
