use ecpa_cert::{DistinguishedName, NameAttribute, SubjectCategory};
use time::Date;
use time::macros::date;

use ecpa_wire::api::Agency;

use super::*;
use crate::domain::{EmploymentStatus, PersonnelCategory};

const YESTERDAY: Date = date!(2026 - 03 - 09);
const TODAY: Date = date!(2026 - 03 - 10);
const TOMORROW: Date = date!(2026 - 03 - 11);
const AGENCY: &str = "3230000";
const OTHER_AGENCY: &str = "A09000000E";
const AGENCY_OID: &str = "2.16.886.101.20003.20012";

fn registrant() -> NationalId {
    NationalId::parse("A123456789").unwrap()
}

fn code(text: &str) -> AgencyCode {
    AgencyCode::parse(text).unwrap()
}

fn record(unit: &str, category: &str, duty: Option<&str>, filed_on: Date) -> PersonnelRecord {
    PersonnelRecord {
        national_id: registrant(),
        name: "王大明".into(),
        agency_code: code(AGENCY),
        service_unit: unit.into(),
        category: PersonnelCategory::parse(category).unwrap(),
        concurrent_duty: duty.map(str::to_owned),
        status: EmploymentStatus::Current,
        filed_on,
    }
}

fn clerk(filed_on: Date) -> PersonnelRecord {
    record("資訊室", "01", None, filed_on)
}

fn officer(filed_on: Date) -> PersonnelRecord {
    record("人事室", "01", None, filed_on)
}

fn departed(mut record: PersonnelRecord) -> PersonnelRecord {
    record.status = EmploymentStatus::Departed;
    record
}

fn moved_to(agency: &str, mut record: PersonnelRecord) -> PersonnelRecord {
    record.agency_code = code(agency);
    record
}

fn cert(kind: CardKind, subject: &[(&str, &str)]) -> CertProfile {
    let name = |pairs: &[(&str, &str)]| DistinguishedName {
        attributes: pairs
            .iter()
            .map(|(key, value)| NameAttribute {
                key: (*key).to_owned(),
                value: (*value).to_owned(),
            })
            .collect(),
    };
    CertProfile {
        kind: Some(kind),
        category: match kind {
            CardKind::Citizen => SubjectCategory::Citizen,
            CardKind::Organization => SubjectCategory::GovernmentAgency,
        },
        serial_hex: "01".into(),
        subject: name(subject),
        issuer: name(&[("C", "TW"), ("O", "行政院")]),
        not_before: 0,
        not_after: 0,
        key_usage: None,
        is_ca: false,
        id_last4: None,
        agency_oid: None,
        subject_category_oid: None,
        card_role: None,
        policies: Vec::new(),
        subject_key_id: None,
        authority_key_id: None,
    }
}

fn citizen_cert(name: Option<&str>, last4: Option<&str>) -> CertProfile {
    let mut subject = vec![("C", "TW"), ("serialNumber", "0000000012345678")];
    subject.extend(name.map(|n| ("CN", n)));
    CertProfile {
        id_last4: last4.map(str::to_owned),
        ..cert(CardKind::Citizen, &subject)
    }
}

fn organization_cert(oid: Option<&str>) -> CertProfile {
    let subject = [("C", "TW"), ("O", "行政院"), ("OU", "人事行政局")];
    CertProfile {
        agency_oid: oid.map(str::to_owned),
        ..cert(CardKind::Organization, &subject)
    }
}

fn agency(code: &str, oid: Option<&str>) -> KnownAgency {
    KnownAgency {
        agency: Agency {
            code: code.into(),
            name: "行政院人事行政總處".into(),
            oid: oid.map(str::to_owned),
        },
        personnel_authority: None,
    }
}

fn served_by(authority: &str, agency: KnownAgency) -> KnownAgency {
    KnownAgency {
        personnel_authority: Some(code(authority)),
        ..agency
    }
}

fn register_citizen(
    records: &[PersonnelRecord],
    today: Date,
    card: &CertProfile,
) -> Result<(), Refusal> {
    citizen_card(&Standing::on(records, today), &registrant(), card)
}

/// The whole organization-card decision, with the agency looked up among `known`.
fn register_organization(
    records: &[PersonnelRecord],
    today: Date,
    asked: Option<&str>,
    known: &[KnownAgency],
    card: &CertProfile,
) -> Result<AgencyCode, Refusal> {
    let standing = Standing::on(records, today);
    let asked = asked.map(code);
    let claim = organization_claim(&standing, asked.as_ref())?;
    let agency = known
        .iter()
        .find(|a| a.agency.code == claim.agency_code.as_str());
    claim.check(agency, card)
}

const NOT_YET_EFFECTIVE: Refusal = Refusal::Ineligible(Ineligible::NotYetEffective);
const NOT_CURRENT: Refusal = Refusal::Ineligible(Ineligible::NotCurrentEmployee);
const NOT_OFFICER: Refusal = Refusal::Ineligible(Ineligible::NotPersonnelOfficer);

#[test]
fn the_card_must_be_the_type_the_page_asked_for() {
    use CardKind::{Citizen, Organization};
    assert_eq!(card_type_asked(Citizen, Citizen), Ok(()));
    assert_eq!(card_type_asked(Organization, Organization), Ok(()));
    assert_eq!(
        card_type_asked(Organization, Citizen),
        Err(Refusal::WrongCardType)
    );
    assert_eq!(
        card_type_asked(Citizen, Organization),
        Err(Refusal::WrongCardType)
    );
}

#[test]
fn a_registered_certificate_is_its_owners_alone() {
    assert_eq!(registered_again("A123456789", &registrant()), Ok(()));
    let someone_else = NationalId::parse("A198765435").unwrap();
    assert_eq!(
        registered_again("A123456789", &someone_else),
        Err(Refusal::AlreadyRegistered)
    );
}

#[test]
fn a_citizen_card_must_name_the_registrant_where_it_says() {
    let records = [clerk(YESTERDAY)];
    let cases = [
        (Some("王大明"), Some("6789"), Ok(())),
        (Some(" 王大明 "), Some("6789"), Ok(())),
        (None, Some("6789"), Ok(())),
        (Some("王大明"), None, Ok(())),
        (None, None, Ok(())),
        (Some("王大明"), Some("1234"), Err(Refusal::IdMismatch)),
        (Some("王小明"), Some("6789"), Err(Refusal::IdMismatch)),
        (Some("王小明"), None, Err(Refusal::IdMismatch)),
        (None, Some("1234"), Err(Refusal::IdMismatch)),
    ];
    for (name, last4, expected) in cases {
        let card = citizen_cert(name, last4);
        assert_eq!(
            register_citizen(&records, TODAY, &card),
            expected,
            "{card:?}"
        );
    }
    // Standing is judged first: a non-employee hears that, whatever the card says.
    let someone_elses = citizen_cert(Some("王小明"), Some("1234"));
    assert_eq!(
        register_citizen(&[], TODAY, &someone_elses),
        Err(NOT_CURRENT)
    );
}

#[test]
fn a_citizen_card_needs_a_current_employee_from_the_day_after_filing() {
    let card = citizen_cert(Some("王大明"), Some("6789"));
    let filed_today = [clerk(TODAY)];
    assert_eq!(
        register_citizen(&filed_today, TODAY, &card),
        Err(NOT_YET_EFFECTIVE)
    );
    assert_eq!(register_citizen(&filed_today, TOMORROW, &card), Ok(()));
    assert_eq!(register_citizen(&[], TODAY, &card), Err(NOT_CURRENT));
    let gone = [departed(clerk(YESTERDAY))];
    assert_eq!(register_citizen(&gone, TODAY, &card), Err(NOT_CURRENT));
    // A departure filed today takes effect tomorrow: until then the earlier record holds.
    let leaving = [clerk(date!(2025 - 01 - 01)), departed(clerk(TODAY))];
    assert_eq!(register_citizen(&leaving, TODAY, &card), Ok(()));
    assert_eq!(
        register_citizen(&leaving, TOMORROW, &card),
        Err(NOT_CURRENT)
    );
}

#[test]
fn each_personnel_officer_rule_alone_lets_an_officer_register_their_agencys_card() {
    let known = [agency(AGENCY, Some(AGENCY_OID))];
    let card = organization_cert(Some(AGENCY_OID));
    for officer in [
        record("資訊室", "08", None, YESTERDAY),
        record("人事處", "01", None, YESTERDAY),
        record("資訊室", "01", Some("5"), YESTERDAY),
    ] {
        assert_eq!(
            register_organization(std::slice::from_ref(&officer), TODAY, None, &known, &card),
            Ok(code(AGENCY)),
            "{officer:?}"
        );
    }
    for not_officer in [
        clerk(YESTERDAY),
        record("資訊室", "01", Some("3"), YESTERDAY),
    ] {
        assert_eq!(
            register_organization(&[not_officer], TODAY, None, &known, &card),
            Err(NOT_OFFICER)
        );
    }
}

#[test]
fn an_organization_card_needs_a_current_officer_from_the_day_after_filing() {
    let known = [agency(AGENCY, Some(AGENCY_OID))];
    let card = organization_cert(Some(AGENCY_OID));
    let appointed_today = [clerk(date!(2025 - 01 - 01)), officer(TODAY)];
    let register = |today| register_organization(&appointed_today, today, None, &known, &card);
    assert_eq!(register(TODAY), Err(NOT_YET_EFFECTIVE));
    assert_eq!(register(TOMORROW), Ok(code(AGENCY)));
    let gone = [departed(officer(YESTERDAY))];
    assert_eq!(
        register_organization(&gone, TODAY, None, &known, &card),
        Err(NOT_CURRENT)
    );
    assert_eq!(
        register_organization(&[], TODAY, Some(AGENCY), &known, &card),
        Err(NOT_CURRENT)
    );
}

#[test]
fn the_agency_asked_for_must_exist_and_be_the_officers_own() {
    let known = [agency(AGENCY, Some(AGENCY_OID)), agency(OTHER_AGENCY, None)];
    let officers = [officer(YESTERDAY)];
    let card = organization_cert(Some(AGENCY_OID));
    let register = |asked| register_organization(&officers, TODAY, asked, &known, &card);
    assert_eq!(register(None), Ok(code(AGENCY)));
    assert_eq!(register(Some(AGENCY)), Ok(code(AGENCY)));
    assert_eq!(register(Some("9999999")), Err(Refusal::AgencyUnknown));
    assert_eq!(register(Some(OTHER_AGENCY)), Err(Refusal::AgencyNotYours));
    // Unknown comes before not-yours, and the officer's own agency must be known too.
    assert_eq!(
        register_organization(&officers, TODAY, None, &[], &card),
        Err(Refusal::AgencyUnknown)
    );
    let standing = Standing::on(&officers, TODAY);
    let asked = code(OTHER_AGENCY);
    let claim = organization_claim(&standing, Some(&asked)).unwrap();
    assert_eq!(claim.agency_code, &asked);
    assert_eq!(claim.officer, &officers[0]);
}

#[test]
fn an_officer_may_register_the_agencies_their_agency_serves() {
    const SCHOOL: &str = "376430000A";
    const SCHOOL_OID: &str = "2.16.886.101.20003.20065";
    const STRANGERS_SCHOOL: &str = "376440000A";
    let known = [
        agency(AGENCY, Some(AGENCY_OID)),
        served_by(AGENCY, agency(SCHOOL, Some(SCHOOL_OID))),
        served_by(OTHER_AGENCY, agency(STRANGERS_SCHOOL, None)),
        served_by(SCHOOL, agency(OTHER_AGENCY, None)),
    ];
    let officers = [officer(YESTERDAY)];
    let register = |asked, card_oid| {
        register_organization(
            &officers,
            TODAY,
            Some(asked),
            &known,
            &organization_cert(card_oid),
        )
    };
    assert_eq!(register(SCHOOL, Some(SCHOOL_OID)), Ok(code(SCHOOL)));
    assert_eq!(register(SCHOOL, None), Err(Refusal::AgencyNotYours));
    assert_eq!(register(AGENCY, Some(AGENCY_OID)), Ok(code(AGENCY)));
    // The card must still carry the chosen agency's OID, not the officer's own.
    assert_eq!(
        register(SCHOOL, Some(AGENCY_OID)),
        Err(Refusal::AgencyNotYours)
    );
    // Served by someone else, or serving the officer's agency the other way round.
    assert_eq!(
        register(STRANGERS_SCHOOL, None),
        Err(Refusal::AgencyNotYours)
    );
    assert_eq!(register(OTHER_AGENCY, None), Err(Refusal::AgencyNotYours));
    // A clerk of the serving agency is still no personnel officer.
    assert_eq!(
        register_organization(
            &[clerk(YESTERDAY)],
            TODAY,
            Some(SCHOOL),
            &known,
            &organization_cert(Some(SCHOOL_OID))
        ),
        Err(NOT_OFFICER)
    );
    // Before any card is read, the agency alone is judged the same way.
    let standing = Standing::on(&officers, TODAY);
    let school = code(SCHOOL);
    let claim = organization_claim(&standing, Some(&school)).unwrap();
    assert_eq!(claim.agency_allowed(Some(&known[1])), Ok(&known[1]));
    assert_eq!(claim.agency_allowed(None), Err(Refusal::AgencyUnknown));
    let stranger = code(STRANGERS_SCHOOL);
    let claim = organization_claim(&standing, Some(&stranger)).unwrap();
    assert_eq!(
        claim.agency_allowed(Some(&known[2])),
        Err(Refusal::AgencyNotYours)
    );
}

#[test]
fn a_citizen_card_is_not_refused_over_how_the_name_is_written() {
    let mut wang = clerk(YESTERDAY);
    wang.name = "黃志峰".into();
    let mut walis = clerk(YESTERDAY);
    walis.name = "瓦歷斯‧諾幹".into();
    let cases = [
        (&wang, "黃志峰", "6789", Ok(())),
        (&wang, "黄志峯", "6789", Ok(())),
        (&wang, " 黃志峰\u{3000}", "6789", Ok(())),
        (&walis, "瓦歷斯·諾幹", "6789", Ok(())),
        (&walis, "瓦歷斯・諾幹", "6789", Ok(())),
        (&walis, "瓦歷斯\u{FF65}諾幹", "6789", Ok(())),
        // The ID last four digits stay the binding check.
        (&wang, "黄志峯", "1234", Err(Refusal::IdMismatch)),
        (&wang, "黃志鋒", "6789", Err(Refusal::IdMismatch)),
    ];
    for (record, cn, last4, expected) in cases {
        let card = citizen_cert(Some(cn), Some(last4));
        let records = [record.clone()];
        assert_eq!(register_citizen(&records, TODAY, &card), expected, "{cn}");
    }
    let mut lang = clerk(YESTERDAY);
    lang.name = "陳明朗".into();
    let compatibility = citizen_cert(Some("陳明\u{F929}"), Some("6789"));
    assert_eq!(register_citizen(&[lang], TODAY, &compatibility), Ok(()));
}

#[test]
fn a_citizen_registrant_is_judged_before_any_card() {
    assert!(citizen_registrant(&Standing::on(&[clerk(YESTERDAY)], TODAY)).is_ok());
    assert_eq!(
        citizen_registrant(&Standing::on(&[clerk(TODAY)], TODAY)),
        Err(NOT_YET_EFFECTIVE)
    );
    assert_eq!(
        citizen_registrant(&Standing::on(&[], TODAY)),
        Err(NOT_CURRENT)
    );
}

#[test]
fn the_card_must_carry_the_agencys_oid_and_the_agency_must_have_one() {
    let officers = [officer(YESTERDAY)];
    let with_oid = [agency(AGENCY, Some(AGENCY_OID))];
    let without_oid = [agency(AGENCY, None)];
    let register = |known: &[KnownAgency], card_oid| {
        register_organization(&officers, TODAY, None, known, &organization_cert(card_oid))
    };
    assert_eq!(
        register(&with_oid, Some("2.16.886.101.20003.99999")),
        Err(Refusal::AgencyNotYours)
    );
    assert_eq!(register(&with_oid, Some(AGENCY_OID)), Ok(code(AGENCY)));
    assert_eq!(register(&with_oid, None), Err(Refusal::AgencyNotYours));
    // Without an OID on file nothing can be matched: never a pass, whatever the card says.
    for card_oid in [Some("2.16.886.101.20003.99999"), Some(AGENCY_OID), None] {
        assert_eq!(
            register(&without_oid, card_oid),
            Err(Refusal::AgencyOidUnknown)
        );
    }
    // Before any card is read, the agency alone already says so.
    let standing = Standing::on(&officers, TODAY);
    let claim = organization_claim(&standing, None).unwrap();
    assert_eq!(
        claim.agency_allowed(Some(&without_oid[0])),
        Err(Refusal::AgencyOidUnknown)
    );
}

#[test]
fn a_citizen_card_logs_in_a_current_employee_only() {
    let login = |records: &[PersonnelRecord], today| {
        citizen_login(&Standing::on(records, today)).map(|r| r.name.clone())
    };
    assert_eq!(login(&[clerk(YESTERDAY)], TODAY), Ok("王大明".to_owned()));
    assert_eq!(
        login(&[clerk(TODAY)], TODAY),
        Err(Ineligible::NotYetEffective)
    );
    assert_eq!(login(&[clerk(TODAY)], TOMORROW), Ok("王大明".to_owned()));
    assert_eq!(
        login(&[departed(clerk(YESTERDAY))], TODAY),
        Err(Ineligible::NotCurrentEmployee)
    );
}

#[test]
fn an_organization_card_logs_in_while_its_officer_serves_that_agency() {
    let own = code(AGENCY);
    let login = |records: &[PersonnelRecord], today, agency: &AgencyCode| {
        organization_login(&Standing::on(records, today), agency, None).map(|r| r.name.clone())
    };
    let serving = [officer(YESTERDAY)];
    assert_eq!(login(&serving, TODAY, &own), Ok("王大明".to_owned()));
    assert_eq!(
        login(&serving, TODAY, &code(OTHER_AGENCY)),
        Err(Ineligible::NotPersonnelOfficer)
    );
    // Moved to another agency, or out of personnel work, from the day after filing.
    let moved = [officer(YESTERDAY), moved_to(OTHER_AGENCY, officer(TODAY))];
    assert!(login(&moved, TODAY, &own).is_ok());
    assert_eq!(
        login(&moved, TOMORROW, &own),
        Err(Ineligible::NotPersonnelOfficer)
    );
    let reassigned = [officer(YESTERDAY), clerk(TODAY)];
    assert!(login(&reassigned, TODAY, &own).is_ok());
    assert_eq!(
        login(&reassigned, TOMORROW, &own),
        Err(Ineligible::NotPersonnelOfficer)
    );
    let gone = [officer(YESTERDAY), departed(officer(TODAY))];
    assert_eq!(
        login(&gone, TOMORROW, &own),
        Err(Ineligible::NotCurrentEmployee)
    );
}

#[test]
fn an_organization_card_logs_in_while_its_officer_serves_the_agency_from_elsewhere() {
    let school = code("376430000A");
    let own = code(AGENCY);
    let login = |records: &[PersonnelRecord], authority: Option<&AgencyCode>| {
        organization_login(&Standing::on(records, TODAY), &school, authority).is_ok()
    };
    let serving = [officer(YESTERDAY)];
    assert!(login(&serving, Some(&own)));
    assert!(!login(&serving, None));
    assert!(!login(&serving, Some(&code(OTHER_AGENCY))));
    assert!(!login(&[clerk(YESTERDAY)], Some(&own)));
}

#[test]
fn each_refusal_answers_its_stable_code() {
    let codes = [
        (NOT_YET_EFFECTIVE, "NOT_YET_EFFECTIVE"),
        (NOT_CURRENT, "NOT_CURRENT_EMPLOYEE"),
        (NOT_OFFICER, "NOT_PERSONNEL_OFFICER"),
        (Refusal::WrongCardType, "WRONG_CERT_TYPE"),
        (Refusal::AlreadyRegistered, "CERT_ALREADY_REGISTERED"),
        (Refusal::IdMismatch, "ID_MISMATCH"),
        (Refusal::AgencyUnknown, "AGENCY_UNKNOWN"),
        (Refusal::AgencyNotYours, "AGENCY_NOT_YOURS"),
        (Refusal::AgencyOidUnknown, "AGENCY_OID_UNKNOWN"),
    ];
    for (refusal, expected) in codes {
        assert_eq!(ErrorCode::from(refusal).as_str(), expected);
    }
}
