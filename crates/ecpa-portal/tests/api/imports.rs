//! The CSV imports: header check, one transaction, `line N: reason`, hashed passwords;
//! and the `ecpa-portal import` command's exit status.

use ecpa_portal::import::ImportKind;

use crate::support::*;

const PERSONNEL_HEADER: &str =
    "national_id,name,agency_code,service_unit,personnel_category,concurrent_duty,status,filed_on";

#[tokio::test]
async fn a_bad_row_rejects_the_whole_file_with_its_line_number() {
    let app = spawn_app().await;
    let good = Person::clerk(&national_id(91), "甲").csv_row();
    let cases = [
        (
            format!(
                "{PERSONNEL_HEADER}\n{good}\nA123456788,乙,3230000,資訊室,01,,current,2026-01-01\n"
            ),
            "line 3: national_id",
        ),
        (
            format!("{PERSONNEL_HEADER}\n{good}\n\n{good}x\n"),
            "line 4: filed_on",
        ),
        (
            format!(
                "{PERSONNEL_HEADER}\n{}\n",
                good.replace("current", "retired")
            ),
            "line 2: status",
        ),
        (
            format!("{PERSONNEL_HEADER}\n{}\n", good.replace(",01,", ",1,")),
            "line 2: personnel_category",
        ),
        (
            format!("{PERSONNEL_HEADER}\n{good},extra\n"),
            "line 2: 8 fields expected",
        ),
        (
            format!("national_id,name\n{good}\n"),
            "line 1: header must be",
        ),
        (
            format!("{PERSONNEL_HEADER}\n{}\n", good.replace(",01,,", ",01,55,")),
            "line 2: concurrent_duty",
        ),
    ];
    for (text, expected) in cases {
        let error = app
            .try_import(ImportKind::Personnel, &text)
            .await
            .unwrap_err();
        assert!(
            error.to_string().starts_with(expected),
            "{error} vs {expected}"
        );
    }
    assert_eq!(app.count("personnel_records").await, 0);
    let error = app
        .try_import(
            ImportKind::Agencies,
            "code,name,oid\n3230001,甲機關,\n32,乙,\n",
        )
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("line 3: code"), "{error}");
    let error = app
        .try_import(
            ImportKind::Accounts,
            &format!(
                "account,national_id,password\nok,{},pw\nbad,A123456788,pw\n",
                national_id(92)
            ),
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with("line 3: national_id"),
        "{error}"
    );
    assert_eq!(
        app.count("agencies").await,
        2,
        "only the two from spawn_app"
    );
    assert_eq!(app.count("accounts").await, 0);
}

#[tokio::test]
async fn quoted_fields_and_a_reimport_of_the_same_report_day() {
    let app = spawn_app().await;
    let id = national_id(93);
    let text = format!(
        "{PERSONNEL_HEADER}\r\n{id},\"王, 大明\",{AGENCY},資訊室,01,,current,{LONG_AGO}\r\n"
    );
    assert_eq!(app.import(ImportKind::Personnel, &text).await, 1);
    let text = format!("{PERSONNEL_HEADER}\n{id},王大明,{AGENCY},人事室,01,,current,{LONG_AGO}\n");
    app.import(ImportKind::Personnel, &text).await;
    assert_eq!(app.count("personnel_records").await, 1);
    let records = app
        .db
        .personnel_records(&ecpa_wire::NationalId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(records[0].service_unit, "人事室");
}

/// A file that reports a person twice for the same day keeps the later row, as two
/// files would; other people and other days are kept beside it.
#[tokio::test]
async fn a_person_reported_twice_for_one_day_in_one_file_keeps_the_later_row() {
    let app = spawn_app().await;
    let id = national_id(95);
    let mut text =
        format!("{PERSONNEL_HEADER}\n{id},王大明,{AGENCY},資訊室,01,,current,{LONG_AGO}\n");
    let others = 1_200;
    for n in 0..others {
        let other = national_id(100_000 + n);
        text.push_str(&format!(
            "{other},某{n},{AGENCY},人事室,01,,current,{LONG_AGO}\n"
        ));
        if n == 2 {
            text.push_str(&format!(
                "{id},王大明,{AGENCY},人事室,01,1,departed,{LONG_AGO}\n"
            ));
        }
    }
    text.push_str(&format!(
        "{id},王大明,{AGENCY},會計室,01,,current,2020-01-02\n"
    ));
    assert_eq!(
        app.import(ImportKind::Personnel, &text).await,
        others as usize + 3
    );
    assert_eq!(app.count("personnel_records").await, others as i64 + 2);
    let records = app
        .db
        .personnel_records(&ecpa_wire::NationalId::parse(&id).unwrap())
        .await
        .unwrap();
    let mut seen: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r.filed_on.to_string(),
                r.service_unit.as_str(),
                r.concurrent_duty.as_deref(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("2020-01-02".to_owned(), "會計室", None),
            (LONG_AGO.to_owned(), "人事室", Some("1"))
        ]
    );
}

#[test]
fn the_import_command_exits_non_zero_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let file = dir.path().join("people.csv");
    let good = Person::clerk(&national_id(94), "甲").csv_row();
    std::fs::write(&file, format!("{PERSONNEL_HEADER}\n{good}\n{good},x\n")).unwrap();
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ecpa-portal"))
            .args(["import", "personnel"])
            .arg(file)
            .env("ECPA_DATABASE_URL", &db)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let failed = run(&file);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("line 3: 8 fields expected, 9 found"),
        "{stderr}"
    );
    std::fs::write(&file, format!("{PERSONNEL_HEADER}\n{good}\n")).unwrap();
    let ok = run(&file);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("1 rows imported"));
}
