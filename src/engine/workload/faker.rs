//! The faker.js functions a record template may call: the Kinesis Data Generator's set, in a useful subset.
//!
//! Each `{{module.method(args)}}` is resolved once, when the template is parsed, into a [`Fake`]; rendering
//! then only draws from the run's seeded RNG. Argument handling follows faker's `fake()`: the text between
//! the parentheses is parsed as JSON if it can be, else taken as a plain string. Behaviours follow faker.js
//! 4 (what the KDG bundles): `random.number(max)` and `random.number({"min","max","precision"})` are
//! inclusive of max; `address.latitude` prints four decimals; `commerce.price` two.

use super::moment;
use super::words::*;
use crate::engine::rng::SimRng;
use serde_json::Value;
use std::fmt::Write;

/// One resolved template call.
#[derive(Clone, Debug, PartialEq)]
pub enum Fake {
    /// `random.number`: an integer step in `min_steps..=max_steps`, divided by `steps_per_unit`.
    Number { min_steps: i64, max_steps: i64, steps_per_unit: i64 },
    /// `random.arrayElement([...])`.
    ArrayElement(Vec<String>),
    /// `random.weightedArrayElement({"weights": [...], "data": [...]})`: cumulative weights.
    Weighted { cumulative: Vec<f64>, data: Vec<String> },
    /// A word from a fixed list (names, cities, …).
    Pick(&'static [&'static str]),
    /// `name.findName`: first and last name.
    FullName,
    /// `address.state` / `address.stateAbbr`.
    State { abbreviated: bool },
    /// `address.streetAddress`.
    StreetAddress,
    /// `address.zipCode`.
    ZipCode,
    /// `address.latitude` / `address.longitude`: ±span/2 with four decimals.
    Coordinate { span: i64 },
    /// `random.uuid`.
    Uuid,
    /// `random.boolean`.
    Boolean,
    /// `random.alphaNumeric(n)`.
    AlphaNumeric(usize),
    /// `internet.ip`.
    Ipv4,
    /// `internet.ipv6`.
    Ipv6,
    /// `internet.mac`.
    Mac,
    /// `internet.userName`.
    UserName,
    /// `internet.email`.
    Email,
    /// `internet.domainName`.
    DomainName,
    /// `internet.url`.
    Url,
    /// `company.companyName`.
    CompanyName,
    /// `commerce.productName`.
    ProductName,
    /// `commerce.price` / `finance.amount`: cents in `min..=max`, printed with two decimals.
    Amount { min_cents: i64, max_cents: i64 },
    /// `finance.account(n)`: n digits.
    Digits(usize),
    /// `phone.phoneNumber`.
    Phone,
    /// `lorem.words(n)`.
    LoremWords(usize),
    /// `lorem.sentence(n)`: n words, capitalised, with a full stop.
    LoremSentence(Option<usize>),
    /// `date.now` / `date.utc` / `date.simTime`: the simulated wall clock in a moment.js format.
    Date { pattern: String },
    /// `date.recent({"seconds": n, "format": …})` (the lab's): the wall clock less a uniform 0..=n s, so
    /// events arrive out of order by event time, as a phone's do.
    Recent { pattern: String, max_ms: u64 },
}

/// The calls a template may make, for error messages.
pub const SUPPORTED: &str = "random.number, random.arrayElement, random.weightedArrayElement, random.uuid, \
random.boolean, random.alphaNumeric, random.word, name.firstName, name.lastName, name.findName, address.city, \
address.country, address.countryCode, address.state, address.stateAbbr, address.streetAddress, address.zipCode, \
address.latitude, address.longitude, internet.ip, internet.ipv6, internet.mac, internet.userName, internet.email, \
internet.domainName, internet.url, company.companyName, commerce.productName, commerce.price, commerce.department, \
finance.amount, finance.account, phone.phoneNumber, lorem.word, lorem.words, lorem.sentence, date.now, date.utc, \
date.simTime, date.recent";

impl Fake {
    /// Resolves `module.method` with its raw argument text (`None` without parentheses).
    pub fn resolve(path: &str, args: Option<&str>) -> Result<Fake, String> {
        let arg = args
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| serde_json::from_str(a).unwrap_or(Value::String(a.to_string())));
        let (module, method) = path.split_once('.').unwrap_or((path, ""));
        if !matches!(
            module,
            "random"
                | "name"
                | "address"
                | "internet"
                | "company"
                | "commerce"
                | "finance"
                | "phone"
                | "lorem"
                | "date"
        ) {
            return Err(format!("Invalid module: {module} (supported: {SUPPORTED})"));
        }
        let fake = match (module, method) {
            ("random", "number") => number(arg.as_ref())?,
            ("random", "arrayElement") => Fake::ArrayElement(strings(arg.as_ref(), "random.arrayElement")?),
            ("random", "weightedArrayElement") => weighted(arg.as_ref())?,
            ("random", "uuid") => Fake::Uuid,
            ("random", "boolean") => Fake::Boolean,
            ("random", "alphaNumeric") => Fake::AlphaNumeric(count(arg.as_ref(), 1, "random.alphaNumeric")?),
            ("random", "word") => Fake::Pick(&WORDS),
            ("name", "firstName") => Fake::Pick(&FIRST_NAMES),
            ("name", "lastName") => Fake::Pick(&LAST_NAMES),
            ("name", "findName") => Fake::FullName,
            ("address", "city") => Fake::Pick(&CITIES),
            ("address", "country") => Fake::Pick(&COUNTRIES),
            ("address", "countryCode") => Fake::Pick(&COUNTRY_CODES),
            ("address", "state") => Fake::State { abbreviated: false },
            ("address", "stateAbbr") => Fake::State { abbreviated: true },
            ("address", "streetAddress") => Fake::StreetAddress,
            ("address", "zipCode") => Fake::ZipCode,
            ("address", "latitude") => Fake::Coordinate { span: 180 },
            ("address", "longitude") => Fake::Coordinate { span: 360 },
            ("internet", "ip") => Fake::Ipv4,
            ("internet", "ipv6") => Fake::Ipv6,
            ("internet", "mac") => Fake::Mac,
            ("internet", "userName") => Fake::UserName,
            ("internet", "email") => Fake::Email,
            ("internet", "domainName") => Fake::DomainName,
            ("internet", "url") => Fake::Url,
            ("company", "companyName") => Fake::CompanyName,
            ("commerce", "productName") => Fake::ProductName,
            ("commerce", "department") => Fake::Pick(&DEPARTMENTS),
            ("commerce", "price") => amount(arg.as_ref(), (1, 1_000), "commerce.price")?,
            ("finance", "amount") => amount(arg.as_ref(), (0, 1_000), "finance.amount")?,
            ("finance", "account") => Fake::Digits(count(arg.as_ref(), 8, "finance.account")?),
            ("phone", "phoneNumber") => Fake::Phone,
            ("lorem", "word") => Fake::Pick(&LOREM),
            ("lorem", "words") => Fake::LoremWords(count(arg.as_ref(), 3, "lorem.words")?),
            ("lorem", "sentence") => {
                Fake::LoremSentence(arg.as_ref().map(|a| count(Some(a), 0, "lorem.sentence")).transpose()?)
            }
            ("date", "now" | "simTime") => date(arg.as_ref(), moment::DEFAULT_LOCAL, path)?,
            ("date", "utc") => date(arg.as_ref(), moment::DEFAULT_UTC, path)?,
            ("date", "recent") => {
                let bad = || format!("{path} takes {{\"seconds\": n, \"format\": \"YYYY-MM-DD HH:mm:ss\"}}");
                let a = arg.as_ref().and_then(Value::as_object).ok_or_else(bad)?;
                let seconds = a.get("seconds").and_then(Value::as_u64).filter(|s| *s <= 86_400).ok_or_else(bad)?;
                let pattern = a.get("format").and_then(Value::as_str).unwrap_or(moment::DEFAULT_UTC).to_string();
                Fake::Recent { pattern, max_ms: seconds * 1_000 }
            }
            _ => return Err(format!("Invalid method: {path} (supported: {SUPPORTED})")),
        };
        Ok(fake)
    }

    /// Appends one random value to `out`; `wall_ms` is the simulated wall clock (epoch ms).
    pub fn render(&self, rng: &mut SimRng, wall_ms: i64, out: &mut String) {
        match self {
            Fake::Number { min_steps, max_steps, steps_per_unit } => {
                let step = *min_steps + rng.below((max_steps - min_steps) as u64 + 1) as i64;
                write_steps(out, step, *steps_per_unit);
            }
            Fake::ArrayElement(items) => out.push_str(pick(rng, items)),
            Fake::Weighted { cumulative, data } => {
                let x = rng.unit_f64() * cumulative.last().copied().unwrap_or(0.0);
                let i = cumulative.iter().position(|c| x < *c).unwrap_or(data.len() - 1);
                out.push_str(&data[i]);
            }
            Fake::Pick(list) => out.push_str(pick(rng, list)),
            Fake::FullName => {
                let _ = write!(out, "{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES));
            }
            Fake::State { abbreviated } => {
                let (name, abbr) = STATES[rng.below(STATES.len() as u64) as usize];
                out.push_str(if *abbreviated { abbr } else { name });
            }
            Fake::StreetAddress => {
                let number = rng.range_inclusive(1, 9_999);
                let _ = write!(out, "{number} {} {}", pick(rng, &LAST_NAMES), pick(rng, &STREET_SUFFIXES));
            }
            Fake::ZipCode => digits(rng, 5, out),
            Fake::Coordinate { span } => {
                let ten_thousandths = rng.below(*span as u64 * 10_000 + 1) as i64 - span * 5_000;
                let sign = if ten_thousandths < 0 { "-" } else { "" };
                let v = ten_thousandths.unsigned_abs();
                let _ = write!(out, "{sign}{}.{:04}", v / 10_000, v % 10_000);
            }
            Fake::Uuid => write_uuid(rng, out),
            Fake::Boolean => out.push_str(if rng.below(2) == 1 { "true" } else { "false" }),
            Fake::AlphaNumeric(n) => (0..*n).for_each(|_| out.push(ALNUM[rng.below(36) as usize] as char)),
            Fake::Ipv4 => {
                let _ = write!(out, "{}.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256), rng.below(256));
            }
            Fake::Ipv6 => hex_groups(rng, 8, 4, ':', out),
            Fake::Mac => hex_groups(rng, 6, 2, ':', out),
            Fake::UserName => user_name(rng, out),
            Fake::Email => {
                user_name(rng, out);
                let _ = write!(out, "@{}", pick(rng, &EMAIL_DOMAINS));
            }
            Fake::DomainName => domain(rng, out),
            Fake::Url => {
                out.push_str("http://");
                domain(rng, out);
            }
            Fake::CompanyName => {
                let _ = write!(out, "{} {}", pick(rng, &LAST_NAMES), pick(rng, &COMPANY_SUFFIXES));
            }
            Fake::ProductName => {
                let _ = write!(
                    out,
                    "{} {} {}",
                    pick(rng, &PRODUCT_ADJECTIVES),
                    pick(rng, &PRODUCT_MATERIALS),
                    pick(rng, &PRODUCTS)
                );
            }
            Fake::Amount { min_cents, max_cents } => {
                let cents = *min_cents + rng.below((max_cents - min_cents) as u64 + 1) as i64;
                let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
            }
            Fake::Digits(n) => digits(rng, *n, out),
            Fake::Phone => {
                for c in pick(rng, &PHONE_FORMATS).chars() {
                    if c == '#' {
                        out.push(char::from(b'0' + rng.below(10) as u8));
                    } else {
                        out.push(c);
                    }
                }
            }
            Fake::LoremWords(n) => lorem(rng, *n, out),
            Fake::LoremSentence(n) => {
                let n = n.unwrap_or_else(|| rng.range_inclusive(3, 10) as usize).max(1);
                let start = out.len();
                lorem(rng, n, out);
                if let Some(first) = out[start..].chars().next() {
                    out.replace_range(start..start + first.len_utf8(), &first.to_uppercase().to_string());
                }
                out.push('.');
            }
            Fake::Date { pattern } => out.push_str(&moment::format(wall_ms, pattern)),
            Fake::Recent { pattern, max_ms } => {
                let lag = rng.below(max_ms + 1) as i64;
                out.push_str(&moment::format(wall_ms - lag, pattern));
            }
        }
    }
}

const ALNUM: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8; 16] = b"0123456789abcdef";

fn number(arg: Option<&Value>) -> Result<Fake, String> {
    const USAGE: &str = "random.number takes a number (the max) or {\"min\": …, \"max\": …, \"precision\": …}";
    let field = |v: &Value, name: &str| -> Result<Option<f64>, String> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x.as_f64().map(Some).ok_or_else(|| format!("{USAGE}; {name} is not a number")),
        }
    };
    let (min, max, precision) = match arg {
        None => (0.0, 99_999.0, 1.0),
        Some(Value::Number(n)) => (0.0, n.as_f64().unwrap_or(0.0), 1.0),
        Some(v @ Value::Object(_)) => (
            field(v, "min")?.unwrap_or(0.0),
            field(v, "max")?.unwrap_or(99_999.0),
            field(v, "precision")?.unwrap_or(1.0),
        ),
        Some(_) => return Err(USAGE.to_string()),
    };
    if !(precision > 0.0 && precision <= 1.0) || (1.0 / precision).fract().abs() > 1e-9 {
        return Err(format!("{USAGE}; precision must be 1 or 1/n (0.1, 0.01, …), got {precision}"));
    }
    let steps_per_unit = libm::round(1.0 / precision) as i64;
    let to_steps = |x: f64| libm::round(x * steps_per_unit as f64) as i64;
    let (min_steps, max_steps) = (to_steps(min), to_steps(max));
    if min_steps > max_steps || max_steps.abs() > 1 << 50 || min_steps.abs() > 1 << 50 {
        return Err(format!("{USAGE}; needs min ≤ max within ±2^50 steps, got min {min}, max {max}"));
    }
    Ok(Fake::Number { min_steps, max_steps, steps_per_unit })
}

fn strings(arg: Option<&Value>, call: &str) -> Result<Vec<String>, String> {
    let Some(Value::Array(items)) = arg else {
        return Err(format!("{call} takes a JSON array, e.g. [\"OK\",\"FAIL\",\"WARN\"]"));
    };
    if items.is_empty() {
        return Err(format!("{call} needs at least one element"));
    }
    Ok(items.iter().map(js_string).collect())
}

fn weighted(arg: Option<&Value>) -> Result<Fake, String> {
    const USAGE: &str = "random.weightedArrayElement takes {\"weights\": [0.3, 0.7], \"data\": [\"a\", \"b\"]}";
    let weights = arg.and_then(|a| a.get("weights")).and_then(Value::as_array).ok_or(USAGE)?;
    let data = strings(arg.and_then(|a| a.get("data")), "random.weightedArrayElement data")?;
    if weights.len() != data.len() {
        return Err(format!("{USAGE}; weights has {} entries but data has {}", weights.len(), data.len()));
    }
    let mut total = 0.0;
    let mut cumulative = Vec::with_capacity(weights.len());
    for w in weights {
        let w = w
            .as_f64()
            .filter(|w| *w >= 0.0 && w.is_finite())
            .ok_or_else(|| format!("{USAGE}; weights must be non-negative numbers"))?;
        total += w;
        cumulative.push(total);
    }
    if total <= 0.0 {
        return Err(format!("{USAGE}; at least one weight must be positive"));
    }
    Ok(Fake::Weighted { cumulative, data })
}

fn count(arg: Option<&Value>, default: usize, call: &str) -> Result<usize, String> {
    match arg {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|n| *n <= 1_000)
            .map(|n| n as usize)
            .ok_or_else(|| format!("{call} takes a whole number from 0 to 1000")),
    }
}

fn amount(arg: Option<&Value>, default: (i64, i64), call: &str) -> Result<Fake, String> {
    let (min, max) = match arg {
        None => default,
        Some(Value::Number(n)) => (0, n.as_f64().unwrap_or(0.0) as i64),
        Some(Value::Object(o)) => (
            o.get("min").and_then(Value::as_f64).map_or(default.0, |v| v as i64),
            o.get("max").and_then(Value::as_f64).map_or(default.1, |v| v as i64),
        ),
        Some(_) => return Err(format!("{call} takes a max or {{\"min\": …, \"max\": …}}")),
    };
    if min > max || max > 1 << 40 || min < -(1 << 40) {
        return Err(format!("{call} needs min ≤ max, got min {min}, max {max}"));
    }
    Ok(Fake::Amount { min_cents: min * 100, max_cents: max * 100 })
}

fn date(arg: Option<&Value>, default: &str, call: &str) -> Result<Fake, String> {
    match arg {
        None => Ok(Fake::Date { pattern: default.to_string() }),
        Some(Value::String(s)) => Ok(Fake::Date { pattern: s.clone() }),
        Some(_) => Err(format!("{call} takes a moment.js format string, e.g. \"YYYY-MM-DD HH:mm:ss\"")),
    }
}

/// JavaScript's string conversion of a JSON value, as faker's string concatenation prints it.
fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        Value::Array(items) => items.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_string(),
        other => other.to_string(),
    }
}

fn pick<'a, S: AsRef<str>>(rng: &mut SimRng, items: &'a [S]) -> &'a str {
    items[rng.below(items.len() as u64) as usize].as_ref()
}

fn write_steps(out: &mut String, step: i64, steps_per_unit: i64) {
    if steps_per_unit == 1 {
        let _ = write!(out, "{step}");
    } else {
        // The shortest decimal that reads back as the same double, as JavaScript prints numbers.
        let _ = write!(out, "{}", step as f64 / steps_per_unit as f64);
    }
}

fn digits(rng: &mut SimRng, n: usize, out: &mut String) {
    (0..n).for_each(|_| out.push(char::from(b'0' + rng.below(10) as u8)));
}

fn hex_groups(rng: &mut SimRng, groups: usize, width: usize, sep: char, out: &mut String) {
    for g in 0..groups {
        if g > 0 {
            out.push(sep);
        }
        (0..width).for_each(|_| out.push(HEX[rng.below(16) as usize] as char));
    }
}

/// A random (version 4) UUID in its 36-character text form.
pub fn write_uuid(rng: &mut SimRng, out: &mut String) {
    let (hi, lo) = (rng.next_u64(), rng.next_u64());
    let hi = (hi & !0xf000) | 0x4000; // version 4
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    let _ = write!(
        out,
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    );
}

fn user_name(rng: &mut SimRng, out: &mut String) {
    let (first, last) = (pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES));
    match rng.below(3) {
        0 => {
            let _ = write!(out, "{first}{}", rng.below(100));
        }
        1 => {
            let _ = write!(out, "{first}.{last}");
        }
        _ => {
            let _ = write!(out, "{first}_{last}{}", rng.below(100));
        }
    }
}

fn domain(rng: &mut SimRng, out: &mut String) {
    let _ = write!(out, "{}.{}", pick(rng, &WORDS), pick(rng, &DOMAIN_SUFFIXES));
}

fn lorem(rng: &mut SimRng, n: usize, out: &mut String) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(pick(rng, &LOREM));
    }
}
