//! The date every portal of a test run lives on. Scenarios import records "filed
//! today" from it and the portal under test starts its clock at noon of it
//! (`ECPA_CLOCK_START`), so a run across Taipei midnight sees one date throughout.

use std::sync::LazyLock;

use time::macros::time;
use time::{Date, OffsetDateTime, UtcOffset};

/// Taiwan time: UTC+8, no daylight saving.
const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

static RUN_STARTED: LazyLock<OffsetDateTime> = LazyLock::new(OffsetDateTime::now_utc);

/// The Taiwan date on which this test run started (read once per process).
pub fn run_date() -> Date {
    RUN_STARTED.to_offset(TAIPEI).date()
}

/// Noon in Taiwan on [`run_date`]: where each portal's clock starts. It is less than
/// 12 hours from the computer's time, inside the validity of the demo certificates
/// (`ecpa-devcard` makes them valid from a day before it runs) and of its CRLs.
pub fn portal_clock_start() -> OffsetDateTime {
    run_date().with_time(time!(12:00)).assume_offset(TAIPEI)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_starts_at_noon_of_the_run_date_within_half_a_day() {
        let start = portal_clock_start();
        assert_eq!(start.to_offset(TAIPEI).date(), run_date());
        assert_eq!(start.to_offset(TAIPEI).time(), time!(12:00));
        let from_run = (start - *RUN_STARTED).abs();
        assert!(from_run <= time::Duration::hours(12), "{from_run}");
    }
}
