//! `GET /api/me/eligibility`: the wizard learns before any PIN is typed whether the
//! signed-in employee may register a kind of card, with the very code and message that
//! registration would answer.

use serde_json::{Value, json};
use time::Duration;

use crate::support::*;

async fn eligibility(browser: &mut Browser<'_>, query: &str) -> Answer {
    browser.get(&format!("/api/me/eligibility?{query}")).await
}

/// What a refused eligibility answer says, as an error body, or `None` when eligible.
fn refusal(answer: &Answer) -> Option<Value> {
    answer.assert_status(200);
    match answer.body["eligible"].as_bool() {
        Some(true) => {
            assert_eq!(answer.body, json!({"eligible": true}));
            None
        }
        Some(false) => Some(json!({
            "error": answer.body["error"],
            "message": answer.body["message"],
        })),
        None => panic!("no `eligible`: {answer:?}"),
    }
}

#[tokio::test]
async fn eligibility_needs_a_signed_in_employee_and_a_card_kind() {
    let app = spawn_app().await;
    let id = national_id(1201);
    app.add_employee("lin", Person::clerk(&id, "林一")).await;
    let mut browser = app.browser();
    eligibility(&mut browser, "kind=citizen")
        .await
        .assert_error(401, "UNAUTHENTICATED");
    browser.password_login("lin").await.assert_ok();
    for bad in [
        "",
        "kind=passport",
        "kind=organization&agency_code=12-34",
        "kind=citizen&agency_code=3230000",
    ] {
        eligibility(&mut browser, bad)
            .await
            .assert_error(400, "MALFORMED_REQUEST");
    }
    let eligible = eligibility(&mut browser, "kind=citizen").await;
    assert_eq!(refusal(&eligible), None);
}

/// Each case: the person, then for each card kind the refusal code (or `None`).
#[tokio::test]
async fn eligibility_answers_what_registration_would_answer() {
    let app = spawn_app().await;
    let ids: Vec<String> = (1202..1207).map(national_id).collect();
    let people = [
        (
            "clerk",
            Person::clerk(&ids[0], "林二"),
            None,
            Some("NOT_PERSONNEL_OFFICER"),
        ),
        ("officer", Person::officer(&ids[1], "林三"), None, None),
        (
            "new",
            Person {
                filed_on: TODAY,
                ..Person::officer(&ids[2], "林四")
            },
            Some("NOT_YET_EFFECTIVE"),
            Some("NOT_YET_EFFECTIVE"),
        ),
    ];
    for (account, person, citizen, organization) in people {
        let (id, name) = (person.id.to_owned(), person.name.to_owned());
        app.add_employee(account, person).await;
        let mut browser = app.browser();
        browser.password_login(account).await.assert_ok();
        let cards = [
            ("citizen", citizen, citizen_card(&name, &id), None),
            (
                "organization",
                organization,
                organization_card(AGENCY_OID),
                Some(AGENCY),
            ),
        ];
        for (kind, expected, card, agency) in cards {
            let before = refusal(&eligibility(&mut browser, &format!("kind={kind}")).await);
            assert_eq!(
                before.as_ref().map(|r| r["error"].as_str().unwrap()),
                expected,
                "{account} {kind}"
            );
            let registered = browser.register(&card, kind, agency).await;
            match before {
                None => registered.assert_status(201),
                Some(refusal) => {
                    registered.code();
                    assert_eq!(registered.body, refusal, "{account} {kind}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_next_day_a_record_filed_today_makes_you_eligible() {
    let app = spawn_app().await;
    let id = national_id(1207);
    let person = Person {
        filed_on: TODAY,
        ..Person::clerk(&id, "林六")
    };
    app.add_employee("new", person).await;
    let mut browser = app.browser();
    browser.password_login("new").await.assert_ok();
    let today = eligibility(&mut browser, "kind=citizen").await;
    assert_eq!(today.body["error"], "NOT_YET_EFFECTIVE");
    app.advance(Duration::hours(14));
    browser.password_login("new").await.assert_ok();
    let tomorrow = eligibility(&mut browser, "kind=citizen").await;
    assert_eq!(refusal(&tomorrow), None);
}

#[tokio::test]
async fn an_agency_named_is_judged_as_registration_judges_it() {
    let app = spawn_app().await;
    let id = national_id(1208);
    app.add_employee("hr", Person::officer(&id, "林七")).await;
    let mut browser = app.browser();
    browser.password_login("hr").await.assert_ok();
    let cases = [
        (AGENCY, None),
        (OTHER_AGENCY, Some("AGENCY_NOT_YOURS")),
        ("9999999", Some("AGENCY_UNKNOWN")),
    ];
    for (agency, expected) in cases {
        let query = format!("kind=organization&agency_code={agency}");
        let before = refusal(&eligibility(&mut browser, &query).await);
        assert_eq!(
            before.as_ref().map(|r| r["error"].as_str().unwrap()),
            expected,
            "{agency}"
        );
        if let Some(refusal) = before {
            let card = organization_card(AGENCY_OID);
            let registered = browser.register(&card, "organization", Some(agency)).await;
            registered.code();
            assert_eq!(registered.body, refusal, "{agency}");
        }
    }
}

#[tokio::test]
async fn the_openapi_document_describes_eligibility() {
    let app = spawn_app().await;
    let doc = app.browser().get("/api/openapi.json").await;
    let get = &doc.body["paths"]["/api/me/eligibility"]["get"];
    let params: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["kind", "agency_code"]);
    for status in ["200", "400", "401"] {
        assert!(get["responses"][status].is_object(), "{status}");
    }
    let lookup = &doc.body["paths"]["/api/agencies/{code}"]["get"]["responses"]["200"];
    assert!(
        lookup["description"]
            .as_str()
            .unwrap()
            .contains("registration")
    );
}
