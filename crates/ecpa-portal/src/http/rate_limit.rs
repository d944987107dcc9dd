//! A per-address budget of requests per minute, kept in memory.
//!
//! Used where an anonymous caller makes the portal write: every challenge stores a
//! row (and, without a cookie, a session too), so one address gets a bounded number.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Length of one counting window, in seconds.
const WINDOW_SECONDS: i64 = 60;
/// Past this many callers, finished windows are dropped before counting another.
const TIDY_AT: usize = 4096;
/// Never more callers than this are remembered: past it the counts start over.
const MAX_CALLERS: usize = 65_536;

/// Whom a request is counted against: the address, or for IPv6 its /64 network
/// (one subscriber usually holds a whole /64). Wrong passwords are counted the same way.
pub(crate) fn caller_key(addr: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_canonical().to_string(),
        _ => addr.to_owned(),
    }
}

/// Counts requests per client address in fixed one-minute windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    /// Address → (start of its current window, requests counted in it).
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `addr` at `now` (Unix seconds); false once the
    /// address has used its budget for the current minute.
    pub fn allow(&self, addr: &str, now: i64) -> bool {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget finished windows now and then, so the map holds only recent callers.
        if windows.len() >= TIDY_AT {
            windows.retain(|_, (start, _)| now - *start < WINDOW_SECONDS);
            if windows.len() >= MAX_CALLERS {
                windows.clear();
            }
        }
        let (start, count) = windows.entry(caller_key(addr)).or_insert((now, 0));
        if now - *start >= WINDOW_SECONDS || now < *start {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            return false;
        }
        *count += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_per_address_and_per_minute() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.allow("10.0.0.1", 1000));
        assert!(limiter.allow("10.0.0.1", 1030));
        assert!(!limiter.allow("10.0.0.1", 1059));
        assert!(limiter.allow("10.0.0.2", 1059));
        assert!(limiter.allow("10.0.0.1", 1060));
    }

    #[test]
    fn old_windows_are_forgotten() {
        let limiter = RateLimiter::new(1);
        for i in 0..5000 {
            assert!(limiter.allow(&format!("addr{i}"), 0));
        }
        assert!(limiter.allow("late", 120));
        let held = limiter.windows.lock().map(|w| w.len()).unwrap_or_default();
        assert!(held < 5000, "{held} windows kept");
    }

    #[test]
    fn an_ipv6_network_shares_one_budget() {
        let limiter = RateLimiter::new(1);
        assert!(limiter.allow("2001:db8:1:2::1", 0));
        assert!(!limiter.allow("2001:db8:1:2:ffff::9", 0));
        assert!(limiter.allow("2001:db8:1:3::1", 0));
        assert!(limiter.allow("::ffff:10.0.0.1", 0));
        assert!(!limiter.allow("10.0.0.1", 0));
    }

    #[test]
    fn zero_budget_refuses_everything() {
        assert!(!RateLimiter::new(0).allow("10.0.0.1", 0));
    }
}
