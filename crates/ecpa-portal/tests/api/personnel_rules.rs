//! SPEC §2–§3 through the API: current employees, the three personnel-officer rules,
//! departed people, and records that take effect the day after they are filed.

use time::Duration;

use crate::support::*;

async fn officer_card_registration(app: &TestApp, account: &str) -> Answer {
    let mut browser = app.browser();
    browser.password_login(account).await.assert_ok();
    browser
        .register(&organization_card(AGENCY_OID), "organization", Some(AGENCY))
        .await
}

#[tokio::test]
async fn each_officer_rule_alone_is_enough() {
    let app = spawn_app().await;
    let (a, b, c) = (national_id(31), national_id(32), national_id(33));
    let by_category = Person {
        category: "08",
        ..Person::clerk(&a, "甲")
    };
    let by_unit = Person {
        unit: "人事室",
        ..Person::clerk(&b, "乙")
    };
    let by_duty = Person {
        duty: "5",
        ..Person::clerk(&c, "丙")
    };
    app.add_employee("a", by_category).await;
    app.add_employee("b", by_unit).await;
    app.add_employee("c", by_duty).await;
    for account in ["a", "b", "c"] {
        let answer = officer_card_registration(&app, account).await;
        assert_eq!(answer.status.as_u16(), 201, "{account}: {answer:?}");
    }
}

#[tokio::test]
async fn unit_jen_shih_shih_counts_and_information_office_does_not() {
    let app = spawn_app().await;
    let (a, b) = (national_id(34), national_id(35));
    app.add_employee(
        "hr",
        Person {
            unit: "人事室",
            ..Person::clerk(&a, "甲")
        },
    )
    .await;
    app.add_employee(
        "it",
        Person {
            unit: "資訊室",
            duty: "3",
            ..Person::clerk(&b, "乙")
        },
    )
    .await;
    assert_eq!(
        officer_card_registration(&app, "hr").await.status.as_u16(),
        201
    );
    officer_card_registration(&app, "it")
        .await
        .assert_error(403, "NOT_PERSONNEL_OFFICER");
    let mut browser = app.browser();
    assert_eq!(
        browser.password_login("it").await.body["is_personnel_officer"],
        false
    );
}

#[tokio::test]
async fn departed_people_are_neither_employees_nor_officers() {
    let app = spawn_app().await;
    let id = national_id(36);
    let departed = Person {
        status: "departed",
        duty: "5",
        ..Person::officer(&id, "甲")
    };
    app.add_employee("gone", departed).await;
    // The right password does not let a departed person in, so nothing can be
    // registered in their name either.
    let mut browser = app.browser();
    browser
        .password_login("gone")
        .await
        .assert_error(403, "NOT_CURRENT_EMPLOYEE");
    browser
        .register(&citizen_card("甲", &id), "citizen", None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_record_filed_today_counts_from_tomorrow() {
    let app = spawn_app().await;
    let (new, old) = (national_id(37), national_id(38));
    app.add_employee(
        "new",
        Person {
            filed_on: TODAY,
            ..Person::clerk(&new, "新人")
        },
    )
    .await;
    app.add_employee(
        "old",
        Person {
            filed_on: YESTERDAY,
            ..Person::clerk(&old, "舊人")
        },
    )
    .await;
    let mut browser = app.browser();
    browser.password_login("new").await.assert_ok();
    browser
        .register(&citizen_card("新人", &new), "citizen", None)
        .await
        .assert_error(403, "NOT_YET_EFFECTIVE");
    let mut yesterday = app.browser();
    yesterday.password_login("old").await.assert_ok();
    yesterday
        .register(&citizen_card("舊人", &old), "citizen", None)
        .await
        .assert_status(201);
    // 00:00 tomorrow in Taipei is 16:00 UTC today (the 8-hour session has ended).
    app.advance(Duration::hours(14));
    browser.password_login("new").await.assert_ok();
    browser
        .register(&citizen_card("新人", &new), "citizen", None)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn an_officer_appointed_today_waits_until_tomorrow() {
    let app = spawn_app().await;
    let id = national_id(39);
    app.add_employee("p", Person::clerk(&id, "甲")).await;
    app.add_people(&[Person {
        filed_on: TODAY,
        ..Person::officer(&id, "甲")
    }])
    .await;
    officer_card_registration(&app, "p")
        .await
        .assert_error(403, "NOT_YET_EFFECTIVE");
    app.advance(Duration::days(1));
    assert_eq!(
        officer_card_registration(&app, "p").await.status.as_u16(),
        201
    );
}

#[tokio::test]
async fn a_newer_report_supersedes_the_older_from_its_effective_day() {
    let app = spawn_app().await;
    let id = national_id(40);
    app.add_employee("q", Person::officer(&id, "甲")).await;
    let card = organization_card(AGENCY_OID);
    let mut officer = app.browser();
    officer.password_login("q").await.assert_ok();
    officer
        .register(&card, "organization", Some(AGENCY))
        .await
        .assert_status(201);
    // Moved to the information office today: still an officer until tomorrow.
    app.add_people(&[Person {
        filed_on: TODAY,
        ..Person::clerk(&id, "甲")
    }])
    .await;
    app.advance(Duration::hours(10)); // 20:00 in Taipei
    let mut organization = app.browser();
    let login = organization.certificate_login(&card).await;
    assert_eq!(login.body["type"], "organization", "{login:?}");
    app.advance(Duration::hours(5)); // 01:00 the next day, within the session's 8 hours

    organization
        .get("/api/me")
        .await
        .assert_error(403, "NOT_PERSONNEL_OFFICER");
    let mut again = app.browser();
    again
        .certificate_login(&card)
        .await
        .assert_error(403, "NOT_PERSONNEL_OFFICER");
}
