//! The jq subset of dynamic partitioning's `MetadataExtractionQuery` (spec §1.8; Firehose runs jq 1.6):
//! an object of keys built from paths (`.a.b`, `.a["b"]`, `.a[0]`, string slices `.a[0:4]`), pipes, and
//! the functions partitioning queries use — `strftime`, `tostring`, `tonumber`, `ascii_downcase`,
//! `ascii_upcase`, `split`, `ltrimstr`, `rtrimstr`, `length`. Anything else is refused at configuration
//! time with the position it stopped at.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Partition keys per query (L35).
pub const KEYS_MAX: usize = 50;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Identity,
    Literal(Value),
    Field(Box<Expr>, String),
    Index(Box<Expr>, i64),
    Slice(Box<Expr>, Option<i64>, Option<i64>),
    Pipe(Box<Expr>, Box<Expr>),
    Object(Vec<(String, Expr)>),
    Call(String, Vec<Expr>),
}

/// A compiled `MetadataExtractionQuery`: an object whose keys are the partition keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    keys: Vec<(String, Expr)>,
    /// The text it was compiled from.
    pub text: String,
}

const FUNCTIONS: [(&str, usize); 9] = [
    ("strftime", 1),
    ("tostring", 0),
    ("tonumber", 0),
    ("ascii_downcase", 0),
    ("ascii_upcase", 0),
    ("split", 1),
    ("ltrimstr", 1),
    ("rtrimstr", 1),
    ("length", 0),
];

impl Query {
    /// Compiles a query; it must build an object (`{key: expr, …}`) of at most 50 keys.
    pub fn compile(text: &str) -> Result<Query, String> {
        let mut p = Parser { s: text.as_bytes(), at: 0 };
        let expr = p.pipe()?;
        p.ws();
        if p.at < p.s.len() {
            return Err(p.error("unexpected text"));
        }
        let Expr::Object(keys) = expr else {
            return Err(
                "MetadataExtractionQuery must build an object of partition keys, e.g. {station:.stationId}".into()
            );
        };
        if keys.is_empty() || keys.len() > KEYS_MAX {
            return Err(format!("MetadataExtractionQuery must have 1–{KEYS_MAX} keys; it has {}", keys.len()));
        }
        Ok(Query { keys, text: text.to_string() })
    }

    /// The key names.
    pub fn key_names(&self) -> Vec<&str> {
        self.keys.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The partition keys of one JSON record, as text; `Err` says why they cannot be had.
    pub fn extract(&self, record: &[u8]) -> Result<BTreeMap<String, String>, String> {
        let input: Value = serde_json::from_slice(record).map_err(|e| format!("the record is not JSON: {e}"))?;
        let mut out = BTreeMap::new();
        for (key, expr) in &self.keys {
            let value = eval(expr, &input)?;
            let text = match value {
                Value::Null => return Err(format!("partition key {key} is null or missing")),
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.insert(key.clone(), text);
        }
        Ok(out)
    }
}

fn eval(expr: &Expr, input: &Value) -> Result<Value, String> {
    Ok(match expr {
        Expr::Identity => input.clone(),
        Expr::Literal(v) => v.clone(),
        Expr::Field(base, name) => match eval(base, input)? {
            Value::Object(o) => o.get(name).cloned().unwrap_or(Value::Null),
            Value::Null => Value::Null,
            other => return Err(format!("Cannot index {} with \"{name}\"", kind(&other))),
        },
        Expr::Index(base, i) => match eval(base, input)? {
            Value::Array(a) => {
                let i = if *i < 0 { a.len() as i64 + i } else { *i };
                usize::try_from(i).ok().and_then(|i| a.get(i)).cloned().unwrap_or(Value::Null)
            }
            Value::Null => Value::Null,
            other => return Err(format!("Cannot index {} with number", kind(&other))),
        },
        Expr::Slice(base, from, to) => match eval(base, input)? {
            Value::String(s) => {
                let chars: Vec<char> = s.chars().collect();
                let (a, b) = bounds(chars.len(), *from, *to);
                Value::String(chars[a..b].iter().collect())
            }
            Value::Array(v) => {
                let (a, b) = bounds(v.len(), *from, *to);
                Value::Array(v[a..b].to_vec())
            }
            Value::Null => Value::Null,
            other => return Err(format!("Cannot slice {}", kind(&other))),
        },
        Expr::Pipe(a, b) => eval(b, &eval(a, input)?)?,
        Expr::Object(keys) => {
            let mut o = Map::new();
            for (k, e) in keys {
                o.insert(k.clone(), eval(e, input)?);
            }
            Value::Object(o)
        }
        Expr::Call(name, args) => call(name, args, input)?,
    })
}

fn bounds(len: usize, from: Option<i64>, to: Option<i64>) -> (usize, usize) {
    let fix = |i: i64| if i < 0 { (len as i64 + i).max(0) as usize } else { (i as usize).min(len) };
    let a = from.map_or(0, fix);
    let b = to.map_or(len, fix);
    (a, b.max(a))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn call(name: &str, args: &[Expr], input: &Value) -> Result<Value, String> {
    let arg = |i: usize| -> Result<String, String> {
        match eval(&args[i], input)? {
            Value::String(s) => Ok(s),
            other => Err(format!("{name} needs a string argument, not {}", kind(&other))),
        }
    };
    let text = || match input {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!("{name} needs a string input, not {}", kind(other))),
    };
    Ok(match name {
        "tostring" => match input {
            Value::String(s) => Value::String(s.clone()),
            other => Value::String(other.to_string()),
        },
        "tonumber" => match input {
            Value::Number(_) => input.clone(),
            Value::String(s) => serde_json::from_str::<serde_json::Number>(s.trim())
                .map(Value::Number)
                .map_err(|_| format!("Cannot parse '{s}' as a number"))?,
            other => return Err(format!("{} cannot be parsed as a number", kind(other))),
        },
        "ascii_downcase" => Value::String(text()?.to_ascii_lowercase()),
        "ascii_upcase" => Value::String(text()?.to_ascii_uppercase()),
        "ltrimstr" => {
            let (s, p) = (text()?, arg(0)?);
            Value::String(s.strip_prefix(p.as_str()).map_or(s.clone(), str::to_string))
        }
        "rtrimstr" => {
            let (s, p) = (text()?, arg(0)?);
            Value::String(s.strip_suffix(p.as_str()).map_or(s.clone(), str::to_string))
        }
        "split" => Value::Array(text()?.split(arg(0)?.as_str()).map(|p| Value::String(p.into())).collect()),
        "length" => match input {
            Value::String(s) => Value::from(s.chars().count()),
            Value::Array(a) => Value::from(a.len()),
            Value::Object(o) => Value::from(o.len()),
            Value::Null => Value::from(0),
            other => return Err(format!("{} has no length", kind(other))),
        },
        "strftime" => {
            let secs = input
                .as_f64()
                .ok_or_else(|| format!("strftime/1 requires parsed datetime inputs, not {}", kind(input)))?;
            Value::String(strftime(&arg(0)?, secs.floor() as i64)?)
        }
        other => return Err(format!("{other} is not a function this lab's jq has")),
    })
}

/// C strftime for the conversions partition keys use: %Y %m %d %H %M %S %j %e %y %%.
fn strftime(format: &str, epoch_secs: i64) -> Result<String, String> {
    let days = epoch_secs.div_euclid(86_400);
    let in_day = epoch_secs.rem_euclid(86_400);
    let (y, m, d) = crate::engine::kds::datetime::civil_from_days(days);
    let yday = days - crate::engine::kds::datetime::days_from_civil(y, 1, 1) + 1;
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&format!("{y:04}")),
            Some('y') => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:2}")),
            Some('H') => out.push_str(&format!("{:02}", in_day / 3_600)),
            Some('M') => out.push_str(&format!("{:02}", in_day / 60 % 60)),
            Some('S') => out.push_str(&format!("{:02}", in_day % 60)),
            Some('j') => out.push_str(&format!("{yday:03}")),
            Some('%') => out.push('%'),
            Some(other) => return Err(format!("strftime: %{other} is not a conversion this lab supports")),
            None => return Err("strftime: the format ends with %".into()),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("jq: {what} at character {} of the query", self.at + 1)
    }

    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            return true;
        }
        false
    }

    fn pipe(&mut self) -> Result<Expr, String> {
        let mut left = self.postfix()?;
        while self.eat(b'|') {
            let right = self.postfix()?;
            left = Expr::Pipe(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.at;
        while self.at < self.s.len() && (self.s[self.at].is_ascii_alphanumeric() || self.s[self.at] == b'_') {
            self.at += 1;
        }
        (self.at > start && !self.s[start].is_ascii_digit())
            .then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
            .or_else(|| {
                self.at = start;
                None
            })
    }

    fn string(&mut self) -> Result<String, String> {
        self.ws();
        let start = self.at;
        if !self.eat(b'"') {
            return Err(self.error("expected a string"));
        }
        while self.at < self.s.len() {
            match self.s[self.at] {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    let raw = std::str::from_utf8(&self.s[start..self.at]).map_err(|_| self.error("bad UTF-8"))?;
                    return serde_json::from_str(raw).map_err(|_| self.error("bad string"));
                }
                _ => self.at += 1,
            }
        }
        Err(self.error("unterminated string"))
    }

    fn number(&mut self) -> Option<i64> {
        self.ws();
        let start = self.at;
        if self.s.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        while self.at < self.s.len() && self.s[self.at].is_ascii_digit() {
            self.at += 1;
        }
        let n = std::str::from_utf8(&self.s[start..self.at]).ok().and_then(|t| t.parse().ok());
        if n.is_none() {
            self.at = start;
        }
        n
    }

    fn primary(&mut self) -> Result<Expr, String> {
        self.ws();
        match self.s.get(self.at) {
            Some(b'.') => {
                self.at += 1;
                let mut e = Expr::Identity;
                if let Some(name) = self.ident() {
                    e = Expr::Field(Box::new(e), name);
                } else if self.s.get(self.at) == Some(&b'"') {
                    e = Expr::Field(Box::new(e), self.string()?);
                }
                Ok(e)
            }
            Some(b'{') => {
                self.at += 1;
                let mut keys = Vec::new();
                loop {
                    if self.eat(b'}') {
                        break;
                    }
                    self.ws();
                    let key = if self.s.get(self.at) == Some(&b'"') {
                        self.string()?
                    } else {
                        self.ident().ok_or_else(|| self.error("expected a key"))?
                    };
                    if !self.eat(b':') {
                        return Err(self.error("expected ':' after the key"));
                    }
                    keys.push((key, self.pipe()?));
                    if self.eat(b'}') {
                        break;
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected ',' or '}'"));
                    }
                }
                Ok(Expr::Object(keys))
            }
            Some(b'"') => Ok(Expr::Literal(Value::String(self.string()?))),
            Some(b'(') => {
                self.at += 1;
                let e = self.pipe()?;
                if !self.eat(b')') {
                    return Err(self.error("expected ')'"));
                }
                Ok(e)
            }
            _ => {
                if let Some(n) = self.number() {
                    return Ok(Expr::Literal(Value::from(n)));
                }
                let name = self.ident().ok_or_else(|| self.error("expected an expression"))?;
                let mut args = Vec::new();
                if self.eat(b'(') {
                    loop {
                        args.push(self.pipe()?);
                        if self.eat(b')') {
                            break;
                        }
                        if !self.eat(b';') {
                            return Err(self.error("expected ';' or ')'"));
                        }
                    }
                }
                match FUNCTIONS.iter().find(|(f, _)| *f == name) {
                    Some((_, arity)) if *arity == args.len() => Ok(Expr::Call(name, args)),
                    Some((_, arity)) => Err(format!("jq: {name}/{} is not defined (it takes {arity})", args.len())),
                    None => Err(format!("jq: {name}/{} is not defined in this lab's jq subset", args.len())),
                }
            }
        }
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut e = self.primary()?;
        loop {
            self.ws();
            match self.s.get(self.at) {
                Some(b'.')
                    if self.s.get(self.at + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'"') =>
                {
                    self.at += 1;
                    let name = if self.s.get(self.at) == Some(&b'"') {
                        self.string()?
                    } else {
                        self.ident().ok_or_else(|| self.error("expected a field name"))?
                    };
                    e = Expr::Field(Box::new(e), name);
                }
                Some(b'[') => {
                    self.at += 1;
                    self.ws();
                    if self.s.get(self.at) == Some(&b'"') {
                        e = Expr::Field(Box::new(e), self.string()?);
                    } else {
                        let from = self.number();
                        if self.eat(b':') {
                            let to = self.number();
                            e = Expr::Slice(Box::new(e), from, to);
                        } else {
                            let i = from.ok_or_else(|| self.error("expected an index"))?;
                            e = Expr::Index(Box::new(e), i);
                        }
                    }
                    if !self.eat(b']') {
                        return Err(self.error("expected ']'"));
                    }
                }
                _ => return Ok(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(query: &str, record: &str) -> Result<Vec<(String, String)>, String> {
        Ok(Query::compile(query)?.extract(record.as_bytes())?.into_iter().collect())
    }

    #[test]
    fn the_docs_queries_extract_keys() {
        let record = r#"{"customer_id":"1234","type":{"device":"mobile"},"event_timestamp":1609808228,"eventUTCTime":"2021-01-05 00:57:08","stationId":100,"tags":["a","b"]}"#;
        assert_eq!(
            keys("{customer_id:.customer_id, device:.type.device}", record).unwrap(),
            [("customer_id".into(), "1234".into()), ("device".into(), "mobile".into())]
        );
        let time = r#"{year:.event_timestamp|strftime("%Y"), hour: .event_timestamp | strftime("%H")}"#;
        assert_eq!(keys(time, record).unwrap(), [("hour".into(), "00".into()), ("year".into(), "2021".into())]);
        assert_eq!(keys("{station:.stationId}", record).unwrap(), [("station".into(), "100".into())]);
        assert_eq!(keys(r#"{h:.eventUTCTime[11:13]}"#, record).unwrap(), [("h".into(), "00".into())]);
        assert_eq!(keys(r#"{d:.eventUTCTime|split(" ")[0]}"#, record).unwrap(), [("d".into(), "2021-01-05".into())]);
        assert_eq!(keys(r#"{t:.tags[-1]|ascii_upcase, "n":.["type"].device|length}"#, record).unwrap().len(), 2);
    }

    #[test]
    fn missing_keys_bad_records_and_bad_queries_say_why() {
        assert!(keys("{c:.customer}", r#"{"a":1}"#).unwrap_err().contains("null or missing"));
        assert!(keys("{c:.a}", "not json").unwrap_err().contains("not JSON"));
        assert!(keys("{c:.a.b}", r#"{"a":"text"}"#).unwrap_err().contains("Cannot index string"));
        assert!(Query::compile(".customer_id").unwrap_err().contains("must build an object"));
        assert!(Query::compile("{c:.a|nope}").unwrap_err().contains("nope/0 is not defined"));
        assert!(Query::compile("{c:.a").unwrap_err().contains("expected ',' or '}'"));
        let many = format!("{{{}}}", (0..51).map(|i| format!("k{i}:.a")).collect::<Vec<_>>().join(","));
        assert!(Query::compile(&many).unwrap_err().contains("1–50 keys"));
    }
}
