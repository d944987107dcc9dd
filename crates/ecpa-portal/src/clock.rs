//! Time as a parameter: handlers ask the state's clock, tests set it.

use std::sync::Mutex;
use std::time::Instant;

use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// Where the portal reads the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The system clock, optionally shifted by whole days (to try "works tomorrow").
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    pub offset_days: i64,
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::days(self.offset_days)
    }
}

/// A clock set to `start` when the portal starts, running on with real time from
/// there, optionally shifted by whole days (a test setup pins the portal's date).
#[derive(Debug, Clone, Copy)]
pub struct StartedClock {
    start: OffsetDateTime,
    began: Instant,
    offset_days: i64,
}

impl StartedClock {
    /// Starts now at `start` (shifted by `offset_days`).
    pub fn new(start: OffsetDateTime, offset_days: i64) -> Self {
        Self {
            start,
            began: Instant::now(),
            offset_days,
        }
    }

    /// The time `elapsed` after the start.
    pub fn after(&self, elapsed: std::time::Duration) -> OffsetDateTime {
        self.start + elapsed + Duration::days(self.offset_days)
    }
}

impl Clock for StartedClock {
    fn now(&self) -> OffsetDateTime {
        self.after(self.began.elapsed())
    }
}

/// A clock that stays where it is put.
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *at += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Taiwan time: UTC+8, no daylight saving since 1979.
pub const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The calendar day in Asia/Taipei at `now`.
pub fn taipei_today(now: OffsetDateTime) -> Date {
    now.to_offset(TAIPEI).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn taipei_day_turns_at_16_utc() {
        assert_eq!(
            taipei_today(datetime!(2026-03-01 15:59:59 UTC)),
            time::macros::date!(2026 - 03 - 01)
        );
        assert_eq!(
            taipei_today(datetime!(2026-03-01 16:00:00 UTC)),
            time::macros::date!(2026 - 03 - 02)
        );
    }

    #[test]
    fn system_clock_offset_shifts_by_whole_days() {
        let today = SystemClock::default().now();
        let tomorrow = SystemClock { offset_days: 1 }.now();
        let shift = tomorrow - today;
        assert!(shift >= Duration::days(1) && shift < Duration::days(1) + Duration::minutes(1));
    }

    #[test]
    fn started_clock_runs_on_from_its_start_shifted_by_days() {
        let start = datetime!(2026-03-01 12:00 +08:00);
        let clock = StartedClock::new(start, 0);
        assert_eq!(clock.after(std::time::Duration::ZERO), start);
        assert_eq!(
            clock.after(std::time::Duration::from_secs(90)),
            datetime!(2026-03-01 12:01:30 +08:00)
        );
        let now = clock.now();
        assert!(now >= start && taipei_today(now) == time::macros::date!(2026 - 03 - 01));
        let tomorrow = StartedClock::new(start, 1);
        assert_eq!(
            taipei_today(tomorrow.after(std::time::Duration::ZERO)),
            time::macros::date!(2026 - 03 - 02)
        );
        let yesterday = StartedClock::new(start, -1);
        assert_eq!(
            yesterday.after(std::time::Duration::from_secs(60)),
            datetime!(2026-02-28 12:01 +08:00)
        );
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = FixedClock::new(datetime!(2026-03-01 00:00 UTC));
        clock.advance(Duration::minutes(6));
        assert_eq!(clock.now(), datetime!(2026-03-01 00:06 UTC));
    }
}
