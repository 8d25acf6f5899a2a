//! Dates as AWS writes them in messages and responses.

/// `Thu Jan 22 01:22:02 UTC 2015`: the Java `Date.toString` form in ExpiredIterator messages.
pub fn java_utc(epoch_ms: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = epoch_ms / 1_000;
    let days = secs / 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let (h, m, s) = (secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let weekday = DAYS[(days % 7) as usize];
    format!("{weekday} {} {day:02} {h:02}:{m:02}:{s:02} UTC {year}", MONTHS[(month - 1) as usize])
}

/// `2024-01-01T00:00:42.250Z`: ISO 8601 in UTC with milliseconds, as the console shows arrival times.
pub fn iso8601_millis(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1_000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let (h, m, s) = (secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:03}Z", epoch_ms % 1_000)
}

/// Epoch seconds with millisecond fraction, as the JSON protocol carries timestamps.
pub fn epoch_seconds(epoch_ms: u64) -> f64 {
    epoch_ms as f64 / 1_000.0
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm; inverse of `civil_from_days`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_dates_read_like_aws_messages() {
        assert_eq!(java_utc(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(java_utc(1_421_889_722_000), "Thu Jan 22 01:22:02 UTC 2015");
        assert_eq!(java_utc(1_700_000_000_000), "Tue Nov 14 22:13:20 UTC 2023");
        assert_eq!(java_utc(951_782_400_000), "Tue Feb 29 00:00:00 UTC 2000");
    }

    #[test]
    fn timestamps_are_fractional_seconds() {
        assert_eq!(epoch_seconds(1_441_215_410_867), 1_441_215_410.867);
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 18_632, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2021, 1, 5), 18_632);
    }
}
