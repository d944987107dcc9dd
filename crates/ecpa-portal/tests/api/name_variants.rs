//! Citizen cards are not refused over how a name is written: the card's CN and the
//! personnel name are compared after NFKC and variant folding; the ID last four digits
//! stay the binding check.

use crate::support::*;

#[tokio::test]
async fn a_citizen_card_naming_the_employee_another_way_registers() {
    let app = spawn_app().await;
    // (personnel name, the card's CN)
    let cases = [
        ("黃志峰", "黄志峯"),
        ("溫淑真", "温淑眞"),
        ("吳台生", "吳臺生"),
        ("陳明朗", "陳明\u{F929}"),
        ("瓦歷斯‧諾幹", "瓦歷斯·諾幹"),
        ("瓦歷斯‧諾幹", "瓦歷斯・諾幹"),
        ("林美姍", " 林美姗 "),
        ("WANG TA-MING", "Ｗａｎｇ　Ｔａ－ｍｉｎｇ"),
    ];
    for (n, (recorded, on_card)) in (1221..).zip(cases) {
        let id = national_id(n);
        let account = format!("e{n}");
        app.add_employee(&account, Person::clerk(&id, recorded))
            .await;
        let mut browser = app.browser();
        browser.password_login(&account).await.assert_ok();
        let answer = browser
            .register(&citizen_card(on_card, &id), "citizen", None)
            .await;
        assert_eq!(
            answer.status.as_u16(),
            201,
            "{recorded} / {on_card}: {answer:?}"
        );
    }
}

#[tokio::test]
async fn the_id_last4_still_binds_and_another_name_is_still_another_person() {
    let app = spawn_app().await;
    let id = national_id(1231);
    app.add_employee("huang", Person::clerk(&id, "黃志峰"))
        .await;
    let mut browser = app.browser();
    browser.password_login("huang").await.assert_ok();
    browser
        .register(&citizen_card("黄志峯", &national_id(1232)), "citizen", None)
        .await
        .assert_error(403, "ID_MISMATCH");
    browser
        .register(&citizen_card("黃志鋒", &id), "citizen", None)
        .await
        .assert_error(403, "ID_MISMATCH");
}
