//! Wrong-password back-off per account: a few free tries, then a wait after each
//! wrong password that doubles up to a bound, so the right password always gets
//! through after at most [`MAX_WAIT_SECONDS`], and no one can lock an account for long.

/// Wrong passwords an account may have before any wait.
pub const FREE_FAILURES: i64 = 5;
/// The wait after the first wrong password past the free ones.
pub const FIRST_WAIT_SECONDS: i64 = 15;
/// The longest wait, however many wrong passwords there were.
pub const MAX_WAIT_SECONDS: i64 = 60;

/// Seconds still to wait at `now` before the account's password is checked again,
/// given its wrong passwords counted so far and when the latest one was.
pub fn account_wait(failures: i64, latest_at: Option<i64>, now: i64) -> i64 {
    let Some(latest) = latest_at.filter(|_| failures >= FREE_FAILURES) else {
        return 0;
    };
    let doublings = u32::try_from((failures - FREE_FAILURES).min(8)).unwrap_or(0);
    let wait = FIRST_WAIT_SECONDS
        .saturating_mul(1 << doublings)
        .min(MAX_WAIT_SECONDS);
    (latest + wait - now).clamp(0, wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_with_failures_and_stays_bounded() {
        assert_eq!(account_wait(0, None, 100), 0);
        assert_eq!(account_wait(4, Some(100), 100), 0);
        assert_eq!(account_wait(5, Some(100), 100), 15);
        assert_eq!(account_wait(6, Some(100), 100), 30);
        assert_eq!(account_wait(7, Some(100), 100), 60);
        assert_eq!(account_wait(1_000_000, Some(100), 100), MAX_WAIT_SECONDS);
        // Counted from the latest wrong password only.
        assert_eq!(account_wait(5, Some(100), 110), 5);
        assert_eq!(account_wait(9, Some(100), 160), 0);
        // A clock that went backwards never makes the wait longer than the bound.
        assert_eq!(account_wait(9, Some(1_000), 0), MAX_WAIT_SECONDS);
    }
}
