//! Personnel records (表二) and the rules read from them (SPEC §2, §3).

use ecpa_wire::{AgencyCode, ErrorCode, NationalId};
use time::Date;

/// 人員區分: two digits; `08` is 人事人員.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonnelCategory(String);

impl PersonnelCategory {
    pub const PERSONNEL_OFFICER: &'static str = "08";

    pub fn parse(text: &str) -> Option<Self> {
        let ok = text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 現職 or 卸職.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmploymentStatus {
    Current,
    Departed,
}

impl EmploymentStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "current" => Some(Self::Current),
            "departed" => Some(Self::Departed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Departed => "departed",
        }
    }
}

/// 兼職性質 `5`: 兼辦人事.
pub const CONCURRENT_DUTY_PERSONNEL: &str = "5";

/// One person in one agency report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonnelRecord {
    pub national_id: NationalId,
    pub name: String,
    pub agency_code: AgencyCode,
    pub service_unit: String,
    pub category: PersonnelCategory,
    /// One digit, or `None` when the person has no concurrent duty.
    pub concurrent_duty: Option<String>,
    pub status: EmploymentStatus,
    /// 入檔日期: the record counts from the next day (Taiwan time).
    pub filed_on: Date,
}

impl PersonnelRecord {
    /// Counts on `today` (Taiwan date): filed strictly before it.
    pub fn is_effective_on(&self, today: Date) -> bool {
        self.filed_on < today
    }

    pub fn is_current(&self) -> bool {
        self.status == EmploymentStatus::Current
    }

    /// 人事人員: any one of the three rules, and not departed.
    pub fn is_personnel_officer(&self) -> bool {
        let by_category = self.category.as_str() == PersonnelCategory::PERSONNEL_OFFICER;
        let by_unit = self.service_unit.contains("人事");
        let by_duty = self.concurrent_duty.as_deref() == Some(CONCURRENT_DUTY_PERSONNEL);
        self.is_current() && (by_category || by_unit || by_duty)
    }
}

/// Why a person may not do what they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    NotCurrentEmployee,
    NotPersonnelOfficer,
    /// Today's record would allow it; it counts from tomorrow.
    NotYetEffective,
}

impl From<Ineligible> for ErrorCode {
    fn from(value: Ineligible) -> Self {
        match value {
            Ineligible::NotCurrentEmployee => ErrorCode::NOT_CURRENT_EMPLOYEE,
            Ineligible::NotPersonnelOfficer => ErrorCode::NOT_PERSONNEL_OFFICER,
            Ineligible::NotYetEffective => ErrorCode::NOT_YET_EFFECTIVE,
        }
    }
}

/// A person's standing on one day: the effective record and, if any, a newer one
/// filed that did not count yet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Standing {
    pub effective: Option<PersonnelRecord>,
    pub pending: Option<PersonnelRecord>,
}

impl Standing {
    /// The newest record filed before `today` wins; among records filed the same day
    /// the last one given wins (callers pass them in import order).
    pub fn on(records: &[PersonnelRecord], today: Date) -> Self {
        let newest = |effective: bool| {
            records
                .iter()
                .filter(|r| r.is_effective_on(today) == effective)
                .fold(None::<&PersonnelRecord>, |best, r| match best {
                    Some(b) if b.filed_on > r.filed_on => Some(b),
                    _ => Some(r),
                })
                .cloned()
        };
        Self {
            effective: newest(true),
            pending: newest(false),
        }
    }

    /// The record to show for someone who logged in: the effective one, else the
    /// pending one (a new employee on their first day).
    pub fn display_record(&self) -> Option<&PersonnelRecord> {
        self.effective.as_ref().or(self.pending.as_ref())
    }

    /// The record a login stands on: the record to show, when it is a current one. A
    /// departed person has none, so no login method lets them in.
    pub fn login_record(&self) -> Option<&PersonnelRecord> {
        self.display_record().filter(|r| r.is_current())
    }

    /// Citizen cards: a current employee.
    pub fn require_current(&self) -> Result<&PersonnelRecord, Ineligible> {
        match &self.effective {
            Some(record) if record.is_current() => Ok(record),
            _ if self
                .pending
                .as_ref()
                .is_some_and(PersonnelRecord::is_current) =>
            {
                Err(Ineligible::NotYetEffective)
            }
            _ => Err(Ineligible::NotCurrentEmployee),
        }
    }

    /// Organization cards: a current personnel officer.
    pub fn require_personnel_officer(&self) -> Result<&PersonnelRecord, Ineligible> {
        let pending_officer = self
            .pending
            .as_ref()
            .is_some_and(PersonnelRecord::is_personnel_officer);
        match self.require_current() {
            Ok(record) if record.is_personnel_officer() => Ok(record),
            Ok(_) if pending_officer => Err(Ineligible::NotYetEffective),
            Ok(_) => Err(Ineligible::NotPersonnelOfficer),
            Err(e) => Err(e),
        }
    }

    pub fn is_personnel_officer(&self) -> bool {
        self.require_personnel_officer().is_ok()
    }

    /// The day a departure took effect, when the effective record says departed.
    pub fn departed_since(&self) -> Option<Date> {
        self.effective
            .as_ref()
            .filter(|r| r.status == EmploymentStatus::Departed)
            .and_then(|r| r.filed_on.next_day())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn record(unit: &str, category: &str, duty: Option<&str>, filed_on: Date) -> PersonnelRecord {
        PersonnelRecord {
            national_id: NationalId::parse("A123456789").unwrap(),
            name: "王大明".into(),
            agency_code: AgencyCode::parse("3230000").unwrap(),
            service_unit: unit.into(),
            category: PersonnelCategory::parse(category).unwrap(),
            concurrent_duty: duty.map(str::to_owned),
            status: EmploymentStatus::Current,
            filed_on,
        }
    }

    const TODAY: Date = date!(2026 - 03 - 10);
    const YESTERDAY: Date = date!(2026 - 03 - 09);

    #[test]
    fn a_departure_counts_from_the_day_after_it_is_filed() {
        let mut gone = record("資訊室", "01", None, YESTERDAY);
        gone.status = EmploymentStatus::Departed;
        let standing = Standing::on(std::slice::from_ref(&gone), TODAY);
        assert_eq!(standing.departed_since(), Some(TODAY));
        assert_eq!(standing.login_record(), None);
        // Filed today, counts tomorrow.
        assert_eq!(
            Standing::on(std::slice::from_ref(&gone), YESTERDAY).departed_since(),
            None
        );
        let current = record("資訊室", "01", None, YESTERDAY);
        assert_eq!(Standing::on(&[current], TODAY).departed_since(), None);
        assert_eq!(Standing::on(&[], TODAY).departed_since(), None);
    }

    #[test]
    fn each_officer_rule_alone() {
        assert!(record("人事室", "01", None, YESTERDAY).is_personnel_officer());
        assert!(record("人事處", "01", None, YESTERDAY).is_personnel_officer());
        assert!(record("資訊室", "08", None, YESTERDAY).is_personnel_officer());
        assert!(record("資訊室", "01", Some("5"), YESTERDAY).is_personnel_officer());
        assert!(!record("資訊室", "01", Some("3"), YESTERDAY).is_personnel_officer());
        assert!(!record("資訊室", "01", None, YESTERDAY).is_personnel_officer());
    }

    #[test]
    fn departed_officer_is_not_an_officer() {
        let mut r = record("人事室", "08", Some("5"), YESTERDAY);
        r.status = EmploymentStatus::Departed;
        assert!(!r.is_personnel_officer());
        let standing = Standing::on(&[r], TODAY);
        assert_eq!(
            standing.require_personnel_officer(),
            Err(Ineligible::NotCurrentEmployee)
        );
    }

    #[test]
    fn filed_today_counts_tomorrow() {
        let today = [record("資訊室", "01", None, TODAY)];
        assert_eq!(
            Standing::on(&today, TODAY).require_current(),
            Err(Ineligible::NotYetEffective)
        );
        assert!(
            Standing::on(&today, date!(2026 - 03 - 11))
                .require_current()
                .is_ok()
        );
        let yesterday = [record("資訊室", "01", None, YESTERDAY)];
        assert!(Standing::on(&yesterday, TODAY).require_current().is_ok());
    }

    #[test]
    fn previous_record_holds_until_the_new_one_takes_effect() {
        let old = record("資訊室", "01", None, date!(2025 - 01 - 01));
        let mut new = record("人事室", "01", None, TODAY);
        let both = [old.clone(), new.clone()];
        let standing = Standing::on(&both, TODAY);
        assert_eq!(standing.effective.as_ref(), Some(&old));
        assert_eq!(
            standing.require_personnel_officer(),
            Err(Ineligible::NotYetEffective)
        );
        new.status = EmploymentStatus::Departed;
        let departing = [old, new];
        assert!(Standing::on(&departing, TODAY).require_current().is_ok());
        assert_eq!(
            Standing::on(&departing, date!(2026 - 03 - 11)).require_current(),
            Err(Ineligible::NotCurrentEmployee)
        );
    }

    #[test]
    fn the_newest_effective_record_wins_and_the_last_given_of_a_day() {
        let oldest = record("資訊室", "01", None, date!(2024 - 01 - 01));
        let newer = record("人事室", "01", None, date!(2025 - 01 - 01));
        let standing = Standing::on(&[newer.clone(), oldest.clone()], TODAY);
        assert_eq!(standing.effective.as_ref(), Some(&newer));
        assert_eq!(standing.pending, None);
        let mut corrected = newer.clone();
        corrected.service_unit = "秘書室".into();
        let same_day = [oldest, newer, corrected.clone()];
        let standing = Standing::on(&same_day, TODAY);
        assert_eq!(standing.effective.as_ref(), Some(&corrected));
        assert_eq!(
            standing.require_personnel_officer(),
            Err(Ineligible::NotPersonnelOfficer)
        );
    }

    #[test]
    fn a_new_employee_is_shown_from_a_pending_record() {
        let first_day = [record("資訊室", "01", None, TODAY)];
        let standing = Standing::on(&first_day, TODAY);
        assert_eq!(standing.effective, None);
        assert_eq!(standing.display_record(), first_day.first());
        assert!(!standing.is_personnel_officer());
    }

    #[test]
    fn no_records_is_not_an_employee() {
        assert_eq!(
            Standing::on(&[], TODAY).require_current(),
            Err(Ineligible::NotCurrentEmployee)
        );
        assert_eq!(
            Standing::on(&[record("資訊室", "01", None, YESTERDAY)], TODAY)
                .require_personnel_officer(),
            Err(Ineligible::NotPersonnelOfficer)
        );
    }

    #[test]
    fn category_parse() {
        assert!(PersonnelCategory::parse("08").is_some());
        assert!(PersonnelCategory::parse("8").is_none());
        assert!(PersonnelCategory::parse("0a").is_none());
    }
}
