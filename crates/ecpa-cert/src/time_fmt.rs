//! Dates without a clock: Unix seconds to text, in UTC or Taiwan time (UTC+8, no DST).

/// Taiwan has kept UTC+8 without daylight saving since 1979.
pub const TAIPEI_OFFSET_SECONDS: i64 = 8 * 3600;

const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar date and time of day, proleptic Gregorian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
}

impl Civil {
    fn from_unix(unix: i64) -> Self {
        let days = unix.div_euclid(SECONDS_PER_DAY);
        let secs = unix.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
        }
    }

    fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn time(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// Days since 1970-01-01 to (year, month, day); H. Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are within range by construction.
    (year, month as u32, day as u32)
}

/// (year, month, day) to days since 1970-01-01; H. Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400); // [0, 399]
    let mp = (month + 9) % 12; // [0, 11], March-based
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

fn taipei(unix: i64) -> Civil {
    Civil::from_unix(unix.saturating_add(TAIPEI_OFFSET_SECONDS))
}

/// `2024-07-08 11:21:43` in Taiwan time.
pub fn format_taipei(unix: i64) -> String {
    let c = taipei(unix);
    format!("{} {}", c.date(), c.time())
}

/// `2024-07-08` in Taiwan time.
pub fn format_taipei_date(unix: i64) -> String {
    taipei(unix).date()
}

/// `2024-07-08T03:21:43Z`.
pub fn unix_to_rfc3339(unix: i64) -> String {
    let c = Civil::from_unix(unix);
    format!("{}T{}Z", c.date(), c.time())
}

/// `2024-07-08T03:21:43Z` (fractions of a second ignored, `Z` or `±hh:mm`) to Unix
/// seconds; `None` when it is not RFC 3339.
pub fn rfc3339_to_unix(text: &str) -> Option<i64> {
    let number = |from: usize, to: usize| -> Option<i64> {
        let digits = text.get(from..to)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    let bytes = text.as_bytes();
    if separators
        .iter()
        .any(|&(at, sep)| bytes.get(at) != Some(&sep))
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (month, day) = (number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        rest = fraction.get(digits..).filter(|_| digits > 0)?;
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let seconds = two(*h1, *h2)? * 3600 + two(*m1, *m2)? * 60;
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => return None,
    };
    let days = days_from_civil(number(0, 4)?, month, day);
    Some(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(unix_to_rfc3339(0), "1970-01-01T00:00:00Z");
        // 2024-07-08T03:21:43Z, notBefore of the MOICA test citizen certificate.
        assert_eq!(unix_to_rfc3339(1_720_408_903), "2024-07-08T03:21:43Z");
        assert_eq!(format_taipei(1_720_408_903), "2024-07-08 11:21:43");
        assert_eq!(format_taipei_date(1_720_408_903), "2024-07-08");
    }

    #[test]
    fn taipei_crosses_midnight_and_year_end() {
        // 2024-09-08T15:59:59Z is the last second of 2024-09-08 in Taipei.
        assert_eq!(format_taipei(1_725_811_199), "2024-09-08 23:59:59");
        assert_eq!(format_taipei(1_725_811_200), "2024-09-09 00:00:00");
        // 2023-12-31T16:00:00Z is New Year in Taipei.
        assert_eq!(format_taipei(1_704_038_400), "2024-01-01 00:00:00");
        assert_eq!(unix_to_rfc3339(1_704_038_400), "2023-12-31T16:00:00Z");
    }

    #[test]
    fn leap_days_and_century_rules() {
        assert_eq!(unix_to_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(unix_to_rfc3339(1_709_164_800), "2024-02-29T00:00:00Z");
        // 2100 is not a leap year: Feb 28 is followed by Mar 1.
        assert_eq!(unix_to_rfc3339(4_107_456_000), "2100-02-28T00:00:00Z");
        assert_eq!(unix_to_rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
        // GeneralizedTime end of GRCA G3.
        assert_eq!(unix_to_rfc3339(2_524_579_199), "2049-12-31T15:59:59Z");
    }

    #[test]
    fn rfc3339_reads_back_what_it_writes_and_offsets() {
        for unix in [0, 1_720_408_903, 951_782_400, 4_107_542_400, -631_152_000] {
            assert_eq!(rfc3339_to_unix(&unix_to_rfc3339(unix)), Some(unix));
        }
        assert_eq!(
            rfc3339_to_unix("2024-07-08T03:21:43.123456Z"),
            Some(1_720_408_903)
        );
        assert_eq!(
            rfc3339_to_unix("2024-07-08T11:21:43+08:00"),
            Some(1_720_408_903)
        );
        assert_eq!(
            rfc3339_to_unix("2024-07-07T22:21:43-05:00"),
            Some(1_720_408_903)
        );
        for bad in [
            "",
            "2024-07-08",
            "2024-07-08T03:21:43",
            "2024-13-08T03:21:43Z",
            "2024-07-08T03:21:43.Z",
            "2024-07-08T03:21:43+0800",
            "２０２４-07-08T03:21:43Z",
        ] {
            assert_eq!(rfc3339_to_unix(bad), None, "{bad}");
        }
    }

    #[test]
    fn before_the_epoch() {
        assert_eq!(unix_to_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(unix_to_rfc3339(-631_152_000), "1950-01-01T00:00:00Z");
    }
}
