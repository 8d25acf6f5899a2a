//! Request validation against an action's model, as the AWS JSON protocol front end does it.
//!
//! Two passes, in AWS's order (kinesalite's suite recorded production's texts):
//! 1. **Types.** A value of the wrong JSON type is a `SerializationException` with Java's wording
//!    (`class java.lang.String can not be converted to an Long`…). Unknown members and nulls are ignored.
//! 2. **Constraints.** Every member in model order, then each rule in order; all failures are collected
//!    into one `ValidationException`: `N validation errors detected: Value '…' at 'path' failed to
//!    satisfy constraint: …`, at most 10, with paths like `records.3.member.data` (1-based).

use base64::Engine as _;
use serde_json::{Map, Value};

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The member's name in the request body (`StreamName`).
    pub name: &'static str,
    /// Its type and rules.
    pub shape: Shape,
    /// Required: absent or null is "Member must not be null".
    pub required: bool,
}

/// A value's type and its rules.
#[derive(Debug)]
pub enum Shape {
    /// A string.
    String(&'static [Rule]),
    /// A string from a fixed set, listed as the service lists them.
    Enum(&'static [&'static str]),
    /// An integer (Integer or Long).
    Long(&'static [Rule]),
    /// true / false.
    Boolean,
    /// Base64 bytes; length rules count decoded bytes.
    Blob(&'static [Rule]),
    /// Epoch seconds.
    Timestamp,
    /// A list of `member`, shown as `[…]` (or `member_text` per item) in messages.
    List { member: &'static Shape, rules: &'static [Rule], member_text: Option<&'static str> },
    /// A string-keyed map; key and value length limits.
    Map { key_len: (u64, u64), value_len: (u64, u64), rules: &'static [Rule] },
    /// A nested structure.
    Structure(&'static [Member]),
}

/// One constraint.
#[derive(Debug)]
pub enum Rule {
    /// Must match; shown as the pattern text.
    Pattern(&'static str, fn(&str) -> bool),
    /// Length (characters, bytes for blobs, items for lists and maps) at least.
    LenMin(u64),
    /// Length at most.
    LenMax(u64),
    /// Value at least.
    Min(i64),
    /// Value at most.
    Max(i64),
}

/// The first type mismatch in a request body, as a SerializationException message.
pub fn type_error(body: &Map<String, Value>, members: &[Member]) -> Option<String> {
    members.iter().find_map(|m| body.get(m.name).and_then(|v| type_error_at(v, &m.shape)))
}

fn type_error_at(value: &Value, shape: &Shape) -> Option<String> {
    let target = match shape {
        Shape::String(_) | Shape::Enum(_) => "String",
        Shape::Long(_) => "Long",
        Shape::Boolean => "Boolean",
        Shape::Blob(_) => "Blob",
        Shape::Timestamp => "Timestamp",
        Shape::List { .. } => "List",
        Shape::Map { .. } => "Map",
        Shape::Structure(_) => "Structure",
    };
    let article = if target == "Blob" { "a" } else { "an" };
    let scalar = |v: &Value| match v {
        Value::Bool(_) => Some(format!("class java.lang.Boolean can not be converted to {article} {target}")),
        Value::Number(_) => Some(format!("class java.math.BigDecimal can not be converted to {article} {target}")),
        Value::String(_) => Some(format!("class java.lang.String can not be converted to {article} {target}")),
        Value::Array(_) => Some("Start of list found where not expected".into()),
        Value::Object(_) => Some("Start of structure or map found where not expected.".into()),
        Value::Null => None,
    };
    match (shape, value) {
        (_, Value::Null) => None,
        (Shape::String(_) | Shape::Enum(_), Value::String(_)) => None,
        (Shape::Long(_) | Shape::Timestamp, Value::Number(_)) => None,
        (Shape::Boolean, Value::Bool(_)) => None,
        (Shape::Boolean, Value::String(s)) if matches!(s.to_ascii_lowercase().as_str(), "true" | "false") => None,
        (Shape::Boolean, Value::String(s)) => {
            Some(format!("'{}' can not be converted to an Boolean", s.to_uppercase()))
        }
        (Shape::Blob(_), Value::String(s)) => blob_error(s),
        (Shape::List { member, .. }, Value::Array(items)) => items.iter().find_map(|i| type_error_at(i, member)),
        (
            Shape::List { .. } | Shape::Map { .. } | Shape::Structure(_),
            Value::Bool(_) | Value::Number(_) | Value::String(_),
        ) => Some(match shape {
            Shape::List { .. } => "Expected list or null".into(),
            Shape::Map { .. } => "Expected map or null".into(),
            _ => "Expected null".into(),
        }),
        (Shape::Map { .. }, Value::Object(map)) => map.values().find_map(|v| type_error_at(v, &Shape::String(&[]))),
        (Shape::Structure(members), Value::Object(map)) => type_error(map, members),
        (_, other) => scalar(other),
    }
}

fn blob_error(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(4) {
        return Some(format!(
            "'{s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.len()
        ));
    }
    if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/' || *c == '=')) {
        return Some(format!("'{s}' can not be converted to a Blob: Invalid Base64 character: '{bad}'"));
    }
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(_) => None,
        Err(_) => {
            Some(format!("'{s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"))
        }
    }
}

/// Every constraint violation in a (type-checked) body, in model order, at most 10.
pub fn violations(body: &Map<String, Value>, members: &[Member]) -> Vec<String> {
    let mut out = Vec::new();
    check_members(body, members, "", &mut out);
    out.truncate(10);
    out
}

fn check_members(body: &Map<String, Value>, members: &[Member], parent: &str, out: &mut Vec<String>) {
    for member in members {
        let path = format!("{parent}{}", lower_first(member.name));
        match body.get(member.name).filter(|v| !v.is_null()) {
            None if member.required => {
                out.push(format!("Value null at '{path}' failed to satisfy constraint: Member must not be null"))
            }
            None => {}
            Some(value) => check_value(value, &member.shape, &path, out),
        }
    }
}

fn check_value(value: &Value, shape: &Shape, path: &str, out: &mut Vec<String>) {
    let shown = shown_value(value, shape);
    let mut fail =
        |constraint: String| out.push(format!("Value {shown} at '{path}' failed to satisfy constraint: {constraint}"));
    match (shape, value) {
        (Shape::String(rules), Value::String(s)) => apply(rules, Measure::Text(s), &mut fail),
        (Shape::Enum(values), Value::String(s)) if !values.contains(&s.as_str()) => {
            fail(format!("Member must satisfy enum value set: [{}]", values.join(", ")))
        }
        (Shape::Long(rules), Value::Number(n)) => {
            apply(rules, Measure::Number(n.as_f64().unwrap_or(0.0).floor()), &mut fail)
        }
        (Shape::Blob(rules), Value::String(s)) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(s).map_or(0, |b| b.len());
            apply(rules, Measure::Length(bytes as u64), &mut fail)
        }
        (Shape::List { member, rules, .. }, Value::Array(items)) => {
            apply(rules, Measure::Length(items.len() as u64), &mut fail);
            for (i, item) in items.iter().enumerate() {
                check_member_value(item, member, &format!("{path}.{}.member", i + 1), out);
            }
        }
        (Shape::Map { key_len, value_len, rules }, Value::Object(map)) => {
            apply(rules, Measure::Length(map.len() as u64), &mut fail);
            let within = |s: &str, (lo, hi): (u64, u64)| (lo..=hi).contains(&(s.chars().count() as u64));
            if !map.keys().all(|k| within(k, *key_len)) {
                fail(format!("Map keys must satisfy constraint: [Member must have length less than or equal to {}, Member must have length greater than or equal to {}]", key_len.1, key_len.0));
            }
            if !map.values().all(|v| within(v.as_str().unwrap_or(""), *value_len)) {
                fail(format!("Map value must satisfy constraint: [Member must have length less than or equal to {}, Member must have length greater than or equal to {}]", value_len.1, value_len.0));
            }
        }
        (Shape::Structure(members), Value::Object(map)) => check_members(map, members, &format!("{path}."), out),
        _ => {}
    }
}

/// A list item: structures recurse with `path.` as the parent; scalars are checked at `path`.
fn check_member_value(value: &Value, shape: &Shape, path: &str, out: &mut Vec<String>) {
    match (shape, value) {
        (Shape::Structure(members), Value::Object(map)) => check_members(map, members, &format!("{path}."), out),
        (_, Value::Null) => {}
        _ => check_value(value, shape, path, out),
    }
}

enum Measure<'a> {
    Text(&'a str),
    Length(u64),
    Number(f64),
}

fn apply(rules: &[Rule], measure: Measure<'_>, fail: &mut impl FnMut(String)) {
    let length = match &measure {
        Measure::Text(s) => s.chars().count() as u64,
        Measure::Length(n) => *n,
        Measure::Number(_) => 0,
    };
    for rule in rules {
        match (rule, &measure) {
            (Rule::Pattern(text, matches), Measure::Text(s)) if !matches(s) => {
                fail(format!("Member must satisfy regular expression pattern: {text}"))
            }
            (Rule::LenMin(n), Measure::Text(_) | Measure::Length(_)) if length < *n => {
                fail(format!("Member must have length greater than or equal to {n}"))
            }
            (Rule::LenMax(n), Measure::Text(_) | Measure::Length(_)) if length > *n => {
                fail(format!("Member must have length less than or equal to {n}"))
            }
            (Rule::Min(n), Measure::Number(v)) if *v < *n as f64 => {
                fail(format!("Member must have value greater than or equal to {n}"))
            }
            (Rule::Max(n), Measure::Number(v)) if *v > *n as f64 => {
                fail(format!("Member must have value less than or equal to {n}"))
            }
            _ => {}
        }
    }
}

/// How a failing value is quoted: `'text'`, `'5'`, `'java.nio.HeapByteBuffer[…]'`, `'[a, b]'`, `'{k=v}'`.
fn shown_value(value: &Value, shape: &Shape) -> String {
    let inner = match (shape, value) {
        (_, Value::String(s)) if !matches!(shape, Shape::Blob(_)) => s.clone(),
        (Shape::Blob(_), Value::String(s)) => {
            let n = base64::engine::general_purpose::STANDARD.decode(s).map_or(0, |b| b.len());
            format!("java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]")
        }
        (Shape::List { member_text, .. }, Value::Array(items)) => {
            let shown: Vec<String> =
                items.iter().map(|i| member_text.map_or_else(|| plain(i), str::to_string)).collect();
            format!("[{}]", shown.join(", "))
        }
        (_, Value::Object(map)) => {
            let shown: Vec<String> = map.iter().rev().map(|(k, v)| format!("{k}={}", plain(v))).collect();
            format!("{{{}}}", shown.join(", "))
        }
        (_, Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e18 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        (_, other) => plain(other),
    };
    format!("'{inner}'")
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// `[a-zA-Z0-9_.-]+`
pub fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// `0|([1-9]\d{0,38})`
pub fn is_hash_key(s: &str) -> bool {
    is_decimal(s, 39)
}

/// `0|([1-9]\d{0,128})`
pub fn is_sequence_number(s: &str) -> bool {
    is_decimal(s, 129)
}

fn is_decimal(s: &str, max_digits: usize) -> bool {
    s == "0"
        || (s.len() <= max_digits
            && s.bytes().next().is_some_and(|b| (b'1'..=b'9').contains(&b))
            && s.bytes().all(|b| b.is_ascii_digit()))
}

/// `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`
pub fn is_stream_arn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("arn:aws") else { return false };
    let Some(at) = rest.find(":kinesis:") else { return false };
    let rest = &rest[at + ":kinesis:".len()..];
    rest.match_indices(":stream/").any(|(i, _)| {
        let before = &rest[..i];
        let account = before.rsplit(':').next().unwrap_or("");
        let name = &rest[i + ":stream/".len()..];
        account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !name.is_empty()
            && !name.contains(char::is_whitespace)
    })
}

/// `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`
pub fn is_consumer_arn(s: &str) -> bool {
    let Some((stream_part, rest)) = s.split_once("/consumer/") else { return false };
    let Some((name, secs)) = rest.rsplit_once(':') else { return false };
    let stream_name = stream_part.rsplit('/').next().unwrap_or("");
    is_stream_arn(stream_part)
        && is_name(stream_name)
        && is_name(name)
        && !secs.is_empty()
        && secs.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTRY: Shape = Shape::Structure(&[
        Member { name: "Data", shape: Shape::Blob(&[Rule::LenMax(4)]), required: true },
        Member { name: "PartitionKey", shape: Shape::String(&[Rule::LenMin(1), Rule::LenMax(3)]), required: true },
    ]);
    const MODEL: &[Member] = &[
        Member { name: "Limit", shape: Shape::Long(&[Rule::Min(1), Rule::Max(10)]), required: false },
        Member {
            name: "Records",
            shape: Shape::List { member: &ENTRY, rules: &[Rule::LenMin(1)], member_text: Some("Entry@2") },
            required: true,
        },
        Member {
            name: "StreamName",
            shape: Shape::String(&[Rule::Pattern("[a-zA-Z0-9_.-]+", is_name), Rule::LenMin(1)]),
            required: true,
        },
        Member { name: "Type", shape: Shape::Enum(&["B", "A"]), required: false },
    ];

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    #[test]
    fn type_errors_read_like_java() {
        let cases = [
            (json!({"StreamName": 5}), "class java.math.BigDecimal can not be converted to an String"),
            (json!({"Limit": "5"}), "class java.lang.String can not be converted to an Long"),
            (json!({"Records": "x"}), "Expected list or null"),
            (json!({"Records": [true]}), "Expected null"),
            (json!({"Records": [{"Data": "abc"}]}), "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
            (json!({"Records": [{"Data": "ab!="}]}), "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'"),
            (json!({"StreamName": {}}), "Start of structure or map found where not expected."),
            (json!({"StreamName": []}), "Start of list found where not expected"),
        ];
        for (v, want) in cases {
            assert_eq!(type_error(&body(v.clone()), MODEL).as_deref(), Some(want), "{v}");
        }
        assert_eq!(type_error(&body(json!({"StreamName": null, "Unknown": 1})), MODEL), None);
    }

    #[test]
    fn violations_follow_model_order_with_member_paths() {
        let v = violations(
            &body(json!({"StreamName": "", "Limit": 0, "Records": [{"Data": "AAAAAAAA"}], "Type": "C"})),
            MODEL,
        );
        assert_eq!(
            v,
            [
                "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
                "Value 'java.nio.HeapByteBuffer[pos=0 lim=6 cap=6]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 4",
                "Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null",
                "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
                "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
                "Value 'C' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [B, A]",
            ]
        );
        let empty = violations(&body(json!({"Records": []})), MODEL);
        assert_eq!(
            empty[0],
            "Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        let listed =
            violations(&body(json!({"StreamName": "s", "Records": [{"Data": "", "PartitionKey": "abcd"}]})), MODEL);
        assert_eq!(listed, ["Value 'abcd' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 3"]);
    }

    #[test]
    fn at_most_ten_violations_are_listed() {
        let records: Vec<Value> = (0..20).map(|_| json!({"Data": ""})).collect();
        assert_eq!(violations(&body(json!({"StreamName": "s", "Records": records})), MODEL).len(), 10);
    }

    #[test]
    fn patterns_match_the_model_regexes() {
        assert!(is_name("a-b_c.d") && !is_name("") && !is_name("a b"));
        assert!(
            is_hash_key("0") && is_hash_key(&"9".repeat(39)) && !is_hash_key(&"9".repeat(40)) && !is_hash_key("01")
        );
        assert!(is_sequence_number(&"1".repeat(129)) && !is_sequence_number(""));
        assert!(is_stream_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
        assert!(is_stream_arn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/x"));
        assert!(!is_stream_arn("arn:aws:kinesis:us-east-1:12345:stream/s") && !is_stream_arn("stream/s"));
        assert!(is_consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"));
        assert!(!is_consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c"));
    }
}
