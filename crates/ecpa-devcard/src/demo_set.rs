//! `ecpa-devcard demo`: the whole demo set in one folder — a SoftHSM2 token store
//! with a card for each case of SPEC §4, the PKI and its CRL, and the personnel,
//! agency and account files that describe the same people.

use std::fmt::Write as _;
use std::path::Path;

use ecpa_wire::NationalId;
use rsa::rand_core::CryptoRngCore;
use time::{Duration, OffsetDateTime, UtcOffset, macros::date};

use crate::card::{self, CardRequest, Holder};
use crate::pki_dir::{self, IssuerChoice};
use crate::token::TokenStore;
use crate::{DevcardError, RootAlgorithm};

/// The demo agency.
pub const AGENCY_CODE: &str = "3230000";
pub const AGENCY_NAME: &str = "行政院人事行政總處";
pub const AGENCY_OID: &str = "2.16.886.101.20003.20012";

/// One person of the demo and the card they hold.
struct Person {
    account: &'static str,
    password: &'static str,
    name: &'static str,
    /// Nine characters; the check digit is computed.
    id_prefix: &'static str,
    service_unit: &'static str,
    category: &'static str,
    concurrent_duty: &'static str,
    departed: bool,
    filed_today: bool,
    card: Option<DemoCard>,
    case: &'static str,
}

struct DemoCard {
    label: &'static str,
    pin: &'static str,
    organization: bool,
    expired: bool,
    issuer: IssuerChoice,
    revoked: bool,
}

const fn citizen(label: &'static str, pin: &'static str) -> DemoCard {
    DemoCard {
        label,
        pin,
        organization: false,
        expired: false,
        issuer: IssuerChoice::Moica,
        revoked: false,
    }
}

fn people() -> Vec<Person> {
    let person = |account, password, name, id_prefix, service_unit, category, case| Person {
        account,
        password,
        name,
        id_prefix,
        service_unit,
        category,
        concurrent_duty: "",
        departed: false,
        filed_today: false,
        card: None,
        case,
    };
    vec![
        Person {
            card: Some(citizen("citizen-wang", "123456")),
            ..person(
                "wang",
                "Wang-demo-1",
                "王大明",
                "A12345678",
                "資訊室",
                "01",
                "現職人員，自然人憑證（可上傳、登入）",
            )
        },
        Person {
            card: Some(DemoCard {
                organization: true,
                issuer: IssuerChoice::Gca,
                ..citizen("org-dgpa", "222222")
            }),
            ..person(
                "chen",
                "Chen-demo-2",
                "陳美玲",
                "B22345678",
                "人事室",
                "08",
                "人事人員，機關憑證（可上傳、登入人事專用區）；其他人插此卡會被拒絕",
            )
        },
        Person {
            card: Some(DemoCard {
                expired: true,
                ..citizen("citizen-lin-expired", "333333")
            }),
            ..person(
                "lin",
                "Lin-demo-3",
                "林志明",
                "C13345678",
                "秘書室",
                "01",
                "現職人員，自然人憑證已過期",
            )
        },
        Person {
            card: Some(DemoCard {
                issuer: IssuerChoice::Untrusted,
                ..citizen("citizen-huang-untrusted", "444444")
            }),
            ..person(
                "huang",
                "Huang-demo-4",
                "黃淑芬",
                "D24345678",
                "會計室",
                "01",
                "現職人員，憑證由不受信任的 CA 簽發",
            )
        },
        Person {
            card: Some(DemoCard {
                revoked: true,
                ..citizen("citizen-wu-revoked", "555555")
            }),
            ..person(
                "wu",
                "Wu-demo-5",
                "吳建國",
                "E15345678",
                "資訊室",
                "01",
                "現職人員，自然人憑證已廢止",
            )
        },
        Person {
            departed: true,
            card: Some(citizen("citizen-hsu-departed", "666666")),
            ..person(
                "hsu",
                "Hsu-demo-6",
                "許雅婷",
                "F26345678",
                "資訊室",
                "01",
                "已卸職，自然人憑證有效（非現職人員，拒絕）",
            )
        },
        Person {
            concurrent_duty: "5",
            filed_today: true,
            ..person(
                "tsai",
                "Tsai-demo-7",
                "蔡明哲",
                "G12345678",
                "秘書室",
                "01",
                "兼辦人事，今天入檔（明天生效）；可用 org-dgpa 卡試",
            )
        },
    ]
}

/// Makes (or reuses) everything under `dir`: `softhsm2.conf` + `tokens/`, `pki/`,
/// `personnel.csv`, `agencies.csv`, `accounts.csv` and `README.txt`. Existing
/// tokens (by label) and an existing PKI are kept. SoftHSM2 must already read
/// `dir/softhsm2.conf` (see [`crate::softhsm::create_token_store`]).
pub fn provision(
    dir: &Path,
    store: &TokenStore,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<String, DevcardError> {
    let pki_dir = dir.join("pki");
    let pki = pki_dir::open_or_create(&pki_dir, RootAlgorithm::Rsa2048, now, rng)?;
    let existing = store.labels()?;
    let today = now.to_offset(taipei()).date();
    let mut personnel = String::from(
        "national_id,name,agency_code,service_unit,personnel_category,concurrent_duty,status,filed_on\n",
    );
    let mut accounts = String::from("account,national_id,password\n");
    let mut readme = String::from(
        "ECPA 示範資料\n\n帳號 / 密碼 / 身分證號 姓名 — 情境；以及各人的卡片（標籤、PIN）：\n\n",
    );
    for person in people() {
        let id = national_id(person.id_prefix)?;
        let filed = if person.filed_today {
            today
        } else {
            date!(2024 - 01 - 02)
        };
        let status = if person.departed {
            "departed"
        } else {
            "current"
        };
        writeln!(
            personnel,
            "{},{},{AGENCY_CODE},{},{},{},{status},{filed}",
            id, person.name, person.service_unit, person.category, person.concurrent_duty
        )
        .ok();
        writeln!(accounts, "{},{},{}", person.account, id, person.password).ok();
        writeln!(
            readme,
            "* {} / {} / {} {} — {}",
            person.account, person.password, id, person.name, person.case
        )
        .ok();
        let Some(demo) = &person.card else { continue };
        writeln!(readme, "    卡片 {}，PIN {}", demo.label, demo.pin).ok();
        if existing.iter().any(|l| l == demo.label) {
            continue;
        }
        let (not_before, not_after) = if demo.expired {
            (
                date!(2020 - 01 - 01).midnight().assume_utc(),
                date!(2021 - 01 - 01).midnight().assume_utc(),
            )
        } else {
            (now - Duration::days(1), now + Duration::days(5 * 365))
        };
        let holder = if demo.organization {
            Holder::Organization {
                org: "行政院".into(),
                unit: Some("人事行政總處".into()),
                agency_oid: AGENCY_OID.into(),
            }
        } else {
            Holder::Citizen {
                name: person.name.into(),
                national_id: Some(id.clone()),
                card_serial: None,
            }
        };
        let request = CardRequest {
            label: demo.label.into(),
            pin: demo.pin.into(),
            holder,
            issuer: demo.issuer,
            not_before,
            not_after,
            revoked: demo.revoked,
        };
        card::provision(store, &pki_dir, &pki, &request, now, rng)?;
    }
    readme.push_str(&format!(
        "\n機關：{AGENCY_CODE} {AGENCY_NAME}（OID {AGENCY_OID}）\n\
         所有卡片都在同一個 SoftHSM2 卡片庫（{}），網頁會列出每張卡讓您選擇。\n",
        dir.join("softhsm2.conf").display()
    ));
    write(&dir.join("personnel.csv"), &personnel)?;
    write(
        &dir.join("agencies.csv"),
        &format!("code,name,oid\n{AGENCY_CODE},{AGENCY_NAME},{AGENCY_OID}\n3790000,臺北市政府,\n"),
    )?;
    write(&dir.join("accounts.csv"), &accounts)?;
    write(&dir.join("README.txt"), &readme)?;
    Ok(readme)
}

/// The full national ID for nine leading characters (the check digit computed).
pub fn national_id(prefix: &str) -> Result<NationalId, DevcardError> {
    (0..10)
        .find_map(|digit| NationalId::parse(&format!("{prefix}{digit}")).ok())
        .ok_or_else(|| DevcardError::Options(format!("{prefix} 不能組成身分證號")))
}

fn taipei() -> UtcOffset {
    UtcOffset::from_whole_seconds(8 * 3600).unwrap_or(UtcOffset::UTC)
}

fn write(path: &Path, text: &str) -> Result<(), DevcardError> {
    std::fs::write(path, text).map_err(DevcardError::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_person_has_a_valid_national_id() {
        for person in people() {
            assert!(
                national_id(person.id_prefix).is_ok(),
                "{}",
                person.id_prefix
            );
        }
        assert_eq!(
            national_id("A12345678").map(|id| id.to_string()).ok(),
            Some("A123456789".into())
        );
    }
}
