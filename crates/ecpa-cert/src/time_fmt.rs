//! Dates without a clock: Unix seconds to text, in UTC or Taiwan time (UTC+8, no DST).

/// Taiwan has kept UTC+8 without daylight saving since 1979.
pub const TAIPEI_OFFSET_SECONDS: i64 = 8 * 3600;

/// `2024-07-08 11:21:43` in Taiwan time.
pub fn format_taipei(unix: i64) -> String {
    let _ = unix;
    String::new()
}

/// `2024-07-08` in Taiwan time.
pub fn format_taipei_date(unix: i64) -> String {
    let _ = unix;
    String::new()
}

/// `2024-07-08T03:21:43Z`.
pub fn unix_to_rfc3339(unix: i64) -> String {
    let _ = unix;
    String::new()
}
