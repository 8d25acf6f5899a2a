//! Dates formatted the way moment.js does, for the Kinesis Data Generator's `{{date.now("…")}}`.
//!
//! The simulated world runs in UTC, so "local" time (`date.now`) and `date.utc` print the same instant and
//! differ only in the zone suffix of the default format: `2014-09-08T08:02:17+00:00` versus
//! `2014-09-08T08:02:17Z`. Tokens are moment's display tokens (momentjs.com/docs/#/displaying/); text in
//! `[brackets]` is literal; any other character is copied. Localised formats (`LT`, `LL`…) are printed as
//! their English (en) expansions.

use crate::engine::kds::datetime::{civil_from_days, days_from_civil};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// moment's `format()` with no argument, in local time (UTC here).
pub const DEFAULT_LOCAL: &str = "YYYY-MM-DDTHH:mm:ssZ";
/// moment's `format()` with no argument, in UTC mode.
pub const DEFAULT_UTC: &str = "YYYY-MM-DDTHH:mm:ss[Z]";

/// Display tokens, longest first so `MMMM` wins over `MM`.
const TOKENS: [&str; 43] = [
    "YYYYYY", "MMMM", "dddd", "DDDD", "YYYY", "SSSS", "MMM", "ddd", "DDD", "SSS", "Mo", "MM", "Do", "DD", "do", "dd",
    "YY", "HH", "hh", "kk", "mm", "ss", "SS", "ZZ", "Qo", "LTS", "LLLL", "LLL", "LL", "LT", "M", "D", "d", "H", "h",
    "k", "m", "s", "S", "Z", "A", "a", "X",
];

/// Formats `epoch_ms` (UTC) with a moment.js format string.
pub fn format(epoch_ms: i64, pattern: &str) -> String {
    let parts = Parts::of(epoch_ms);
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some(end) = rest.find(']') {
                out.push_str(&rest[1..end]);
                rest = &rest[end + 1..];
                continue;
            }
        }
        if let Some(token) = TOKENS.iter().chain(["x", "Q"].iter()).find(|t| rest.starts_with(**t)) {
            parts.write(token, &mut out);
            rest = &rest[token.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The calendar fields of one instant.
struct Parts {
    epoch_ms: i64,
    year: i64,
    month: u32,
    day: u32,
    weekday: usize,
    day_of_year: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
}

impl Parts {
    fn of(epoch_ms: i64) -> Parts {
        let days = epoch_ms.div_euclid(86_400_000);
        let ms_of_day = epoch_ms.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let day_of_year = (days - days_from_civil(year, 1, 1)) as u32 + 1;
        Parts {
            epoch_ms,
            year,
            month,
            day,
            weekday: (days + 4).rem_euclid(7) as usize, // 1970-01-01 was a Thursday
            day_of_year,
            hour: (ms_of_day / 3_600_000) as u32,
            minute: (ms_of_day / 60_000 % 60) as u32,
            second: (ms_of_day / 1_000 % 60) as u32,
            millis: (ms_of_day % 1_000) as u32,
        }
    }

    fn write(&self, token: &str, out: &mut String) {
        use std::fmt::Write;
        let h12 = match self.hour % 12 {
            0 => 12,
            h => h,
        };
        let _ = match token {
            "YYYYYY" => write!(out, "{:+07}", self.year),
            "YYYY" => write!(out, "{:04}", self.year),
            "YY" => write!(out, "{:02}", self.year.rem_euclid(100)),
            "Q" => write!(out, "{}", (self.month - 1) / 3 + 1),
            "Qo" => write!(out, "{}", ordinal((self.month - 1) / 3 + 1)),
            "M" => write!(out, "{}", self.month),
            "Mo" => write!(out, "{}", ordinal(self.month)),
            "MM" => write!(out, "{:02}", self.month),
            "MMM" => write!(out, "{}", &MONTHS[self.month as usize - 1][..3]),
            "MMMM" => write!(out, "{}", MONTHS[self.month as usize - 1]),
            "D" => write!(out, "{}", self.day),
            "Do" => write!(out, "{}", ordinal(self.day)),
            "DD" => write!(out, "{:02}", self.day),
            "DDD" => write!(out, "{}", self.day_of_year),
            "DDDD" => write!(out, "{:03}", self.day_of_year),
            "d" => write!(out, "{}", self.weekday),
            "do" => write!(out, "{}", ordinal(self.weekday as u32)),
            "dd" => write!(out, "{}", &WEEKDAYS[self.weekday][..2]),
            "ddd" => write!(out, "{}", &WEEKDAYS[self.weekday][..3]),
            "dddd" => write!(out, "{}", WEEKDAYS[self.weekday]),
            "H" => write!(out, "{}", self.hour),
            "HH" => write!(out, "{:02}", self.hour),
            "h" => write!(out, "{h12}"),
            "hh" => write!(out, "{h12:02}"),
            "k" => write!(out, "{}", if self.hour == 0 { 24 } else { self.hour }),
            "kk" => write!(out, "{:02}", if self.hour == 0 { 24 } else { self.hour }),
            "m" => write!(out, "{}", self.minute),
            "mm" => write!(out, "{:02}", self.minute),
            "s" => write!(out, "{}", self.second),
            "ss" => write!(out, "{:02}", self.second),
            "S" => write!(out, "{}", self.millis / 100),
            "SS" => write!(out, "{:02}", self.millis / 10),
            "SSS" => write!(out, "{:03}", self.millis),
            "SSSS" => write!(out, "{:03}0", self.millis),
            "A" => write!(out, "{}", if self.hour < 12 { "AM" } else { "PM" }),
            "a" => write!(out, "{}", if self.hour < 12 { "am" } else { "pm" }),
            "Z" => write!(out, "+00:00"),
            "ZZ" => write!(out, "+0000"),
            "X" => write!(out, "{}", self.epoch_ms.div_euclid(1_000)),
            "x" => write!(out, "{}", self.epoch_ms),
            "LT" => write!(out, "{}", format(self.epoch_ms, "h:mm A")),
            "LTS" => write!(out, "{}", format(self.epoch_ms, "h:mm:ss A")),
            "LL" => write!(out, "{}", format(self.epoch_ms, "MMMM D, YYYY")),
            "LLL" => write!(out, "{}", format(self.epoch_ms, "MMMM D, YYYY h:mm A")),
            "LLLL" => write!(out, "{}", format(self.epoch_ms, "dddd, MMMM D, YYYY h:mm A")),
            other => write!(out, "{other}"),
        };
    }
}

/// English ordinals as moment's `en` locale writes them: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2010-02-14 15:25:50.125 UTC, a Sunday (the moment.js documentation's example instant).
    const VALENTINE: i64 = 1_266_161_150_125;

    #[test]
    fn the_kdg_help_examples_format_like_moment() {
        assert_eq!(format(VALENTINE, "dddd, MMMM Do YYYY, h:mm:ss a"), "Sunday, February 14th 2010, 3:25:50 pm");
        assert_eq!(format(VALENTINE, "ddd, hA"), "Sun, 3PM");
        assert_eq!(format(VALENTINE, "DD/MMM/YYYY:HH:mm:ss Z"), "14/Feb/2010:15:25:50 +00:00");
        assert_eq!(format(VALENTINE, DEFAULT_LOCAL), "2010-02-14T15:25:50+00:00");
        assert_eq!(format(VALENTINE, DEFAULT_UTC), "2010-02-14T15:25:50Z");
    }

    #[test]
    fn every_token_family_renders() {
        assert_eq!(format(VALENTINE, "YY Q M Mo D DDD DDDD d dd"), "10 1 2 2nd 14 45 045 0 Su");
        assert_eq!(format(VALENTINE, "H HH h hh k m mm s ss S SS SSS"), "15 15 3 03 15 25 25 50 50 1 12 125");
        assert_eq!(format(VALENTINE, "X x ZZ"), "1266161150 1266161150125 +0000");
        assert_eq!(format(VALENTINE, "[Today is] dddd [at] LT"), "Today is Sunday at 3:25 PM");
        assert_eq!(format(0, "YYYY-MM-DD HH:mm a k"), "1970-01-01 00:00 am 24");
        assert_eq!(format(VALENTINE, "LL"), "February 14, 2010");
    }

    #[test]
    fn ordinals_follow_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]);
    }

    #[test]
    fn day_of_year_counts_leap_days() {
        assert_eq!(format(951_782_400_000, "YYYY-MM-DD DDD dddd"), "2000-02-29 60 Tuesday");
        assert_eq!(format(978_220_800_000, "YYYY-MM-DD DDD"), "2000-12-31 366");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
