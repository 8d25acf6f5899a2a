//! Timestamps as the JSON deserializers read them (spec §1.7), into nanoseconds since the epoch (UTC).
//!
//! - OpenX JSON SerDe: `yyyy-MM-dd'T'HH:mm:ss[.S]'Z'` and `yyyy-[M]M-[d]d HH:mm:ss[.S]` with up to 9
//!   fraction digits, epoch seconds, epoch milliseconds and floating-point epoch seconds. An integer of
//!   more than 11 digits is read as milliseconds [M: AWS gives no rule; seconds that large are past the
//!   year 5000].
//! - Hive JSON SerDe: `java.sql.Timestamp.valueOf` (`yyyy-[m]m-[d]d hh:mm:ss[.f…]`) unless
//!   `TimestampFormats` lists Joda patterns (letters `y M d H m s S`, quoted literals) or `millis`.

use crate::engine::kds::datetime::days_from_civil;

const NANOS_PER_SEC: i64 = 1_000_000_000;
/// Integers above this are epoch milliseconds, not seconds [M].
const MILLIS_ABOVE: u64 = 99_999_999_999;

/// One element of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// A number of `min`–`max` digits for one field.
    Number { field: Unit, min: usize, max: usize },
    /// 1–9 fraction digits, required or after an optional '.'.
    Fraction { optional: bool },
    /// Text that must appear as is.
    Literal(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

/// A compiled timestamp pattern (Joda style, or one of the built-in forms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// The text it came from, for messages.
    pub text: String,
}

/// How a Hive SerDe column reads timestamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HiveFormat {
    Pattern(Pattern),
    /// The special `millis`: epoch milliseconds as a number.
    Millis,
}

impl Pattern {
    /// Compiles a Joda `DateTimeFormat` pattern, refusing letters this lab does not read.
    pub fn joda(text: &str) -> Result<Pattern, String> {
        let mut tokens = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                let mut literal = String::new();
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    literal.push(q);
                }
                // '' is a quote.
                tokens.push(Token::Literal(if literal.is_empty() { "'".into() } else { literal }));
                continue;
            }
            if !c.is_ascii_alphabetic() {
                tokens.push(Token::Literal(c.to_string()));
                continue;
            }
            let mut count = 1;
            while chars.peek() == Some(&c) {
                chars.next();
                count += 1;
            }
            let number = |field, max: usize| Token::Number { field, min: count, max: max.max(count) };
            tokens.push(match c {
                'y' | 'Y' => number(Unit::Year, 9),
                'M' => number(Unit::Month, 2),
                'd' => number(Unit::Day, 2),
                'H' => number(Unit::Hour, 2),
                'm' => number(Unit::Minute, 2),
                's' => number(Unit::Second, 2),
                'S' => Token::Fraction { optional: false },
                other => {
                    return Err(format!(
                        "TimestampFormats pattern '{text}' uses '{other}', which this lab does not read (it reads y M d H m s S)"
                    ))
                }
            });
        }
        Ok(Pattern { tokens, text: text.to_string() })
    }

    /// `yyyy-[M]M-[d]d<sep>HH:mm:ss[.S]<end>`.
    fn built_in(sep: &str, month_min: usize, end: &str, text: &str) -> Pattern {
        let n = |field, min, max| Token::Number { field, min, max };
        let lit = |s: &str| Token::Literal(s.into());
        let mut tokens = vec![
            n(Unit::Year, 4, 4),
            lit("-"),
            n(Unit::Month, month_min, 2),
            lit("-"),
            n(Unit::Day, month_min, 2),
            lit(sep),
            n(Unit::Hour, 1, 2),
            lit(":"),
            n(Unit::Minute, 2, 2),
            lit(":"),
            n(Unit::Second, 2, 2),
            Token::Fraction { optional: true },
        ];
        if !end.is_empty() {
            tokens.push(lit(end));
        }
        Pattern { tokens, text: text.into() }
    }

    /// Reads `s` whole, in UTC: nanoseconds since the epoch, or `None`.
    pub fn parse(&self, s: &str) -> Option<i64> {
        let (mut y, mut mo, mut d, mut h, mut mi, mut se, mut nanos) = (1970, 1, 1, 0, 0, 0, 0);
        let mut rest = s;
        for token in &self.tokens {
            match token {
                Token::Literal(text) => rest = rest.strip_prefix(text.as_str())?,
                Token::Number { field, min, max } => {
                    let len = rest.bytes().take(*max).take_while(u8::is_ascii_digit).count();
                    if len < *min {
                        return None;
                    }
                    let value: i64 = rest[..len].parse().ok()?;
                    rest = &rest[len..];
                    match field {
                        Unit::Year => y = value,
                        Unit::Month => mo = value,
                        Unit::Day => d = value,
                        Unit::Hour => h = value,
                        Unit::Minute => mi = value,
                        Unit::Second => se = value,
                    }
                }
                Token::Fraction { optional } => {
                    let digits = match (optional, rest.strip_prefix('.')) {
                        (true, None) => continue,
                        (true, Some(after)) => after,
                        (false, _) => rest,
                    };
                    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
                    if !(1..=9).contains(&len) {
                        return None;
                    }
                    nanos = digits[..len].parse::<i64>().ok()? * 10i64.pow(9 - len as u32);
                    rest = &digits[len..];
                }
            }
        }
        let valid = rest.is_empty() && (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && se < 60;
        valid.then(|| {
            let days = days_from_civil(y, mo as u32, d as u32);
            (days * 86_400 + h * 3_600 + mi * 60 + se) * NANOS_PER_SEC + nanos
        })
    }
}

/// OpenX JSON SerDe: a timestamp from text in either of its forms.
pub fn openx_text(s: &str) -> Option<i64> {
    let iso = Pattern::built_in("T", 2, "Z", "yyyy-MM-dd'T'HH:mm:ss[.S]'Z'");
    let sql = Pattern::built_in(" ", 1, "", "yyyy-[M]M-[d]d HH:mm:ss[.S]");
    iso.parse(s).or_else(|| sql.parse(s))
}

/// OpenX JSON SerDe: a timestamp from a number (epoch seconds, milliseconds, or fractional seconds).
pub fn openx_number(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return if i.unsigned_abs() > MILLIS_ABOVE { i.checked_mul(1_000_000) } else { i.checked_mul(NANOS_PER_SEC) };
    }
    let secs = n.as_f64()?;
    let nanos = secs * NANOS_PER_SEC as f64;
    (nanos.is_finite() && nanos.abs() < i64::MAX as f64).then_some(nanos.round() as i64)
}

/// Hive JSON SerDe: `java.sql.Timestamp.valueOf`'s form.
pub fn hive_default(s: &str) -> Option<i64> {
    Pattern::built_in(" ", 1, "", "yyyy-[m]m-[d]d hh:mm:ss[.f...]").parse(s)
}

/// Reads `TimestampFormats`.
pub fn hive_formats(formats: &[String]) -> Result<Vec<HiveFormat>, String> {
    formats
        .iter()
        .map(|f| if f == "millis" { Ok(HiveFormat::Millis) } else { Pattern::joda(f).map(HiveFormat::Pattern) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_518_033_528 * NANOS_PER_SEC;

    #[test]
    fn openx_reads_the_documented_forms() {
        assert_eq!(openx_text("2018-02-07T19:58:48Z"), Some(T));
        assert_eq!(openx_text("2018-02-07T19:58:48.123456789Z"), Some(T + 123_456_789));
        assert_eq!(openx_text("2018-2-7 19:58:48.14"), Some(T + 140_000_000));
        assert_eq!(openx_text("2018-02-07 19:58:48"), Some(T));
        assert_eq!(openx_text("2018-02-07T19:58:48"), None, "the ISO form ends in Z");
        assert_eq!(openx_text("2018-02-07 19:58:48.1234567891"), None, "at most 9 fraction digits");
        assert_eq!(openx_text("yesterday"), None);
        assert_eq!(openx_text("2018-13-07 19:58:48"), None);
        let n = |v: serde_json::Value| openx_number(&serde_json::from_value(v).unwrap());
        assert_eq!(n(serde_json::json!(1_518_033_528)), Some(T));
        assert_eq!(n(serde_json::json!(1_518_033_528_123_u64)), Some(T + 123_000_000));
        assert_eq!(n(serde_json::json!(1_518_033_528.5)), Some(T + 500_000_000));
    }

    #[test]
    fn hive_reads_valueof_and_joda_patterns() {
        assert_eq!(hive_default("2018-02-07 19:58:48"), Some(T));
        assert_eq!(hive_default("2018-02-07T19:58:48Z"), None);
        let f = hive_formats(&["yyyy-MM-dd'T'HH:mm:ss.SSS'Z'".into(), "millis".into()]).unwrap();
        let HiveFormat::Pattern(p) = &f[0] else { panic!("a pattern") };
        assert_eq!(p.parse("2018-02-07T19:58:48.500Z"), Some(T + 500_000_000));
        assert_eq!(f[1], HiveFormat::Millis);
        assert!(hive_formats(&["yyyy-MM-dd Z".into()]).unwrap_err().contains("uses 'Z'"));
        let dmy = Pattern::joda("dd/MM/yyyy HH:mm").unwrap();
        assert_eq!(dmy.parse("07/02/2018 19:58"), Some(T - 48 * NANOS_PER_SEC));
    }
}
