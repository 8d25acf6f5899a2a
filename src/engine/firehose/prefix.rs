//! S3 prefixes and their `!{namespace:value}` expressions (spec firehose-analytics.md §1.9): parsing,
//! AWS's semantic rules at configuration time, and evaluation per object.
//!
//! `timestamp` takes a Java DateTimeFormatter pattern and always evaluates to the arrival time (UTC) of the
//! oldest record in the object; `firehose:random-string` is 11 fresh characters per occurrence;
//! `firehose:error-output-type` names the failure (ErrorOutputPrefix only); `partitionKeyFromQuery` and
//! `partitionKeyFromLambda` name dynamic-partitioning keys (Prefix only).

use crate::engine::kds::datetime::civil_from_days;
use crate::engine::rng::SimRng;
use std::collections::BTreeMap;

/// The most characters an evaluated prefix may have (rule 6; the 2023 guide's 512).
pub const EVALUATED_MAX_CHARS: usize = 512;
/// What Firehose appends to a Prefix without a timestamp, and the hour folders of the defaults (rule 1).
pub const DEFAULT_TIME_FOLDERS: &str = "yyyy/MM/dd/HH/";
/// `random-string` length.
const RANDOM_STRING_CHARS: usize = 11;

/// Where a failed record's error record goes: the value of `!{firehose:error-output-type}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorOutputType {
    ProcessingFailed,
    FormatConversionFailed,
    OpenSearchFailed,
    /// The book era's name for it (an ElasticsearchDestinationConfiguration).
    ElasticsearchFailed,
    SplunkFailed,
    HttpEndpointFailed,
    /// Dynamic partitioning could not get a record's keys or evaluate its prefix [M: the folder name].
    PartitioningFailed,
    /// A new partition beyond the active-partition limit (L34).
    ActivePartitionExceeded,
}

impl ErrorOutputType {
    /// The folder name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorOutputType::ProcessingFailed => "processing-failed",
            ErrorOutputType::FormatConversionFailed => "format-conversion-failed",
            ErrorOutputType::ElasticsearchFailed => "elasticsearch-failed",
            ErrorOutputType::OpenSearchFailed => "AmazonOpenSearchService-failed",
            ErrorOutputType::SplunkFailed => "splunk-failed",
            ErrorOutputType::HttpEndpointFailed => "http-endpoint-failed",
            ErrorOutputType::PartitioningFailed => "partitioning-failed",
            ErrorOutputType::ActivePartitionExceeded => "activePartitionExceeded",
        }
    }
}

/// One pattern element of a `timestamp` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TimeToken {
    Text(String),
    Year4,
    Year2,
    Month { pad: bool },
    Day { pad: bool },
    Hour { pad: bool },
    Minute { pad: bool },
    Second { pad: bool },
    Millis,
}

/// Which key namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    Query,
    Lambda,
}

/// A piece of a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Timestamp(Vec<TimeToken>),
    RandomString,
    ErrorOutputType,
    PartitionKey(KeySource, String),
}

/// A parsed prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
    /// The text it was read from (after the rules' additions).
    pub text: String,
}

/// What an object's prefix is evaluated with.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The oldest record's approximate arrival, epoch milliseconds.
    pub arrival_epoch_ms: u64,
    /// For error prefixes.
    pub error_output_type: Option<&'a str>,
    /// Dynamic-partitioning keys from jq queries.
    pub query_keys: Option<&'a BTreeMap<String, String>>,
    /// Dynamic-partitioning keys from the Lambda's metadata.
    pub lambda_keys: Option<&'a BTreeMap<String, String>>,
}

impl Template {
    /// Parses `text` (rule 2: `!{` may only start a well-formed expression). `field` names it in errors.
    pub fn parse(text: &str, field: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("!{") {
            if at > 0 {
                parts.push(Part::Literal(rest[..at].to_string()));
            }
            let body = &rest[at + 2..];
            let end = body.find('}').ok_or_else(|| {
                format!("{field} has '!{{' without a closing '}}': '!{{' may only start an expression")
            })?;
            parts.push(expression(&body[..end], field)?);
            rest = &body[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(Template { parts, text: text.to_string() })
    }

    /// Whether it has any expression.
    pub fn has_expressions(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Literal(_)))
    }

    fn has_timestamp(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Timestamp(_)))
    }

    fn has_error_output_type(&self) -> bool {
        self.parts.contains(&Part::ErrorOutputType)
    }

    /// The partition keys it uses, with their namespace.
    pub fn partition_keys(&self) -> Vec<(KeySource, &str)> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::PartitionKey(source, key) => Some((*source, key.as_str())),
                _ => None,
            })
            .collect()
    }

    fn appended(&self, extra: &str) -> Template {
        let text = format!("{}{extra}", self.text);
        Template::parse(&text, "Prefix").expect("a valid template plus a valid expression parses")
    }

    /// The prefix for one object; `Err` names a key the record did not have.
    pub fn evaluate(&self, ctx: &Context, rng: &mut SimRng) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Timestamp(tokens) => format_time(tokens, ctx.arrival_epoch_ms, &mut out),
                Part::RandomString => {
                    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                    for _ in 0..RANDOM_STRING_CHARS {
                        out.push(CHARS[rng.below(CHARS.len() as u64) as usize] as char);
                    }
                }
                Part::ErrorOutputType => out.push_str(ctx.error_output_type.unwrap_or_default()),
                Part::PartitionKey(source, key) => {
                    let keys = match source {
                        KeySource::Query => ctx.query_keys,
                        KeySource::Lambda => ctx.lambda_keys,
                    };
                    let value =
                        keys.and_then(|k| k.get(key)).ok_or_else(|| format!("no value for partition key {key}"))?;
                    out.push_str(value);
                }
            }
        }
        if out.chars().count() > EVALUATED_MAX_CHARS {
            return Err(format!(
                "the evaluated prefix has {} characters; at most {EVALUATED_MAX_CHARS}",
                out.chars().count()
            ));
        }
        Ok(out)
    }
}

fn expression(body: &str, field: &str) -> Result<Part, String> {
    let (namespace, value) = body
        .split_once(':')
        .ok_or_else(|| format!("{field} expression '!{{{body}}}' must be '!{{namespace:value}}'"))?;
    match (namespace, value) {
        ("timestamp", pattern) => Ok(Part::Timestamp(time_pattern(pattern, field)?)),
        ("firehose", "random-string") => Ok(Part::RandomString),
        ("firehose", "error-output-type") => Ok(Part::ErrorOutputType),
        ("firehose", other) => Err(format!(
            "{field} expression '!{{firehose:{other}}}': the firehose namespace has random-string and error-output-type"
        )),
        ("partitionKeyFromQuery", key) if !key.is_empty() => Ok(Part::PartitionKey(KeySource::Query, key.into())),
        ("partitionKeyFromLambda", key) if !key.is_empty() => Ok(Part::PartitionKey(KeySource::Lambda, key.into())),
        _ => Err(format!(
            "{field} expression '!{{{body}}}': the namespace must be timestamp, firehose, partitionKeyFromQuery or \
             partitionKeyFromLambda"
        )),
    }
}

/// A DateTimeFormatter pattern: the letters y M d H m s S (runs), '…' quoted text, other characters as is.
fn time_pattern(pattern: &str, field: &str) -> Result<Vec<TimeToken>, String> {
    if pattern.is_empty() {
        return Err(format!("{field} expression '!{{timestamp:}}' needs a DateTimeFormatter pattern"));
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let close = chars[i + 1..]
                .iter()
                .position(|&c| c == '\'')
                .ok_or_else(|| format!("{field} timestamp pattern '{pattern}' has an unclosed quote"))?;
            let text: String = chars[i + 1..i + 1 + close].iter().collect();
            tokens.push(TimeToken::Text(if text.is_empty() { "'".into() } else { text }));
            i += close + 2;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&d| d == c).count();
        let token = match (c, run) {
            ('y' | 'u', 2) => TimeToken::Year2,
            ('y' | 'u', _) => TimeToken::Year4,
            ('M', 1) => TimeToken::Month { pad: false },
            ('M', 2) => TimeToken::Month { pad: true },
            ('d', 1 | 2) => TimeToken::Day { pad: run == 2 },
            ('H', 1 | 2) => TimeToken::Hour { pad: run == 2 },
            ('m', 1 | 2) => TimeToken::Minute { pad: run == 2 },
            ('s', 1 | 2) => TimeToken::Second { pad: run == 2 },
            ('S', 3) => TimeToken::Millis,
            (c, _) if c.is_ascii_alphabetic() => {
                return Err(format!(
                    "{field} timestamp pattern '{pattern}': '{}' is not a pattern this lab supports (y, M, MM, d, dd, \
                     H, HH, m, mm, s, ss, SSS, and text in quotes)",
                    c.to_string().repeat(run)
                ))
            }
            (c, _) => TimeToken::Text(c.to_string().repeat(run)),
        };
        tokens.push(token);
        i += run;
    }
    Ok(tokens)
}

fn format_time(tokens: &[TimeToken], epoch_ms: u64, out: &mut String) {
    let secs = epoch_ms / 1_000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let num = |out: &mut String, v: u64, pad: bool| {
        if pad {
            out.push_str(&format!("{v:02}"));
        } else {
            out.push_str(&v.to_string());
        }
    };
    for token in tokens {
        match token {
            TimeToken::Text(t) => out.push_str(t),
            TimeToken::Year4 => out.push_str(&format!("{year:04}")),
            TimeToken::Year2 => out.push_str(&format!("{:02}", year.rem_euclid(100))),
            TimeToken::Month { pad } => num(out, month as u64, *pad),
            TimeToken::Day { pad } => num(out, day as u64, *pad),
            TimeToken::Hour { pad } => num(out, secs / 3_600 % 24, *pad),
            TimeToken::Minute { pad } => num(out, secs / 60 % 60, *pad),
            TimeToken::Second { pad } => num(out, secs % 60, *pad),
            TimeToken::Millis => out.push_str(&format!("{:03}", epoch_ms % 1_000)),
        }
    }
}

/// The destination's use of prefixes, for the rules that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefixUse {
    /// Extended S3 (and the backup bucket of the others).
    S3 { dynamic_partitioning: bool },
    /// Redshift's intermediate bucket (rule 7).
    Redshift,
}

/// A destination's prefixes after AWS's rules: what objects and error records are written under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefixes {
    pub prefix: Template,
    pub error_prefix: Template,
}

/// Applies the semantic rules of §1.9 to a Prefix and ErrorOutputPrefix as given.
pub fn resolve(prefix: Option<&str>, error_prefix: Option<&str>, usage: PrefixUse) -> Result<Prefixes, String> {
    let given = Template::parse(prefix.unwrap_or(""), "Prefix")?;
    let error = error_prefix.filter(|e| !e.is_empty()).map(|e| Template::parse(e, "ErrorOutputPrefix")).transpose()?;
    if given.has_error_output_type() {
        return Err("The expression !{firehose:error-output-type} is not allowed in Prefix.".into());
    }
    let dynamic = matches!(usage, PrefixUse::S3 { dynamic_partitioning: true });
    let keys = given.partition_keys();
    if !keys.is_empty() && !dynamic {
        return Err(format!(
            "Prefix uses !{{partitionKeyFrom…:{}}}, which needs dynamic partitioning enabled",
            keys[0].1
        ));
    }
    if dynamic && keys.is_empty() {
        return Err("With dynamic partitioning enabled, Prefix must use at least one partitionKeyFromQuery or \
                    partitionKeyFromLambda expression"
            .into());
    }
    if usage == PrefixUse::Redshift && (given.has_expressions() || error.is_some()) {
        return Err("For a Redshift destination, the S3 Prefix cannot have expressions and ErrorOutputPrefix must \
                    be null"
            .into());
    }
    if let Some(error) = &error {
        if !error.partition_keys().is_empty() {
            return Err("partitionKeyFromQuery and partitionKeyFromLambda expressions are not allowed in \
                        ErrorOutputPrefix."
                .into());
        }
        if error.has_expressions() && !error.has_error_output_type() {
            return Err("ErrorOutputPrefix must contain !{firehose:error-output-type} when it has expressions.".into());
        }
    }
    let prefix = if given.has_timestamp() || dynamic {
        given.clone()
    } else {
        given.appended(&format!("!{{timestamp:{DEFAULT_TIME_FOLDERS}}}"))
    };
    let error_prefix = match error {
        Some(error) => error,
        None if given.has_expressions() || dynamic => {
            return Err("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.".into())
        }
        None => given.appended(&format!("!{{firehose:error-output-type}}/!{{timestamp:{DEFAULT_TIME_FOLDERS}}}")),
    };
    let probe =
        Context { arrival_epoch_ms: 0, error_output_type: Some("format-conversion-failed"), ..Context::default() };
    let mut rng = SimRng::new(crate::engine::rng::Seed(0));
    for (name, template) in [("Prefix", &prefix), ("ErrorOutputPrefix", &error_prefix)] {
        if template.partition_keys().is_empty() {
            template.evaluate(&probe, &mut rng).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(Prefixes { prefix, error_prefix })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    const ARRIVAL: u64 = 1_609_808_228_000; // 2021-01-05 00:57:08 UTC

    fn eval(t: &Template, error_type: Option<&str>) -> String {
        let ctx = Context { arrival_epoch_ms: ARRIVAL, error_output_type: error_type, ..Context::default() };
        t.evaluate(&ctx, &mut SimRng::new(Seed(1))).unwrap()
    }

    #[test]
    fn the_books_hive_prefix_and_error_prefix_evaluate_as_the_spec_says() {
        let p = resolve(
            Some("logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"),
            Some("logs/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/"),
            PrefixUse::S3 { dynamic_partitioning: false },
        )
        .unwrap();
        assert_eq!(eval(&p.prefix, None), "logs/year=2021/month=01/day=05/hour=00/");
        assert_eq!(eval(&p.error_prefix, Some("processing-failed")), "logs/processing-failed/2021/01/05/00/");
    }

    #[test]
    fn defaults_append_the_hour_folders() {
        let s3 = PrefixUse::S3 { dynamic_partitioning: false };
        let p = resolve(None, None, s3).unwrap();
        assert_eq!(eval(&p.prefix, None), "2021/01/05/00/");
        assert_eq!(eval(&p.error_prefix, Some("processing-failed")), "processing-failed/2021/01/05/00/");
        let p = resolve(Some("rawdata/rides/"), None, s3).unwrap();
        assert_eq!(eval(&p.prefix, None), "rawdata/rides/2021/01/05/00/");
        let p = resolve(None, Some("myFirehoseFailures/!{firehose:error-output-type}/"), s3).unwrap();
        assert_eq!(eval(&p.error_prefix, Some("processing-failed")), "myFirehoseFailures/processing-failed/");
        let quoted =
            resolve(Some("!{timestamp:yyyy'-'MM'-'dd}/"), Some("e/!{firehose:error-output-type}"), s3).unwrap();
        assert_eq!(eval(&quoted.prefix, None), "2021-01-05/");
    }

    #[test]
    fn the_rules_refuse_what_aws_refuses() {
        let s3 = PrefixUse::S3 { dynamic_partitioning: false };
        let err = |p: Option<&str>, e: Option<&str>, u| resolve(p, e, u).unwrap_err();
        assert!(err(Some("!{timestamp:yyyy/MM/dd}"), None, s3).contains("cannot be null"));
        assert!(
            err(Some("a/"), Some("logs/{firehose:error-output-type}/!{timestamp:yyyy}/"), s3)
                .contains("must contain !{firehose:error-output-type}"),
            "the book's erratum without '!'"
        );
        assert!(err(Some("x/!{firehose:error-output-type}/"), Some("e/"), s3).contains("not allowed in Prefix"));
        assert!(err(Some("x/!{timestamp:yyyy"), None, s3).contains("without a closing"));
        assert!(err(Some("x/!{time:yyyy}/"), Some("e/!{firehose:error-output-type}"), s3).contains("namespace"));
        assert!(err(Some("!{timestamp:EEE}/"), Some("e/!{firehose:error-output-type}"), s3).contains("'EEE'"));
        assert!(err(Some("!{partitionKeyFromQuery:id}/"), Some("e/!{firehose:error-output-type}"), s3)
            .contains("dynamic partitioning"));
        let dp = PrefixUse::S3 { dynamic_partitioning: true };
        assert!(err(Some("!{partitionKeyFromQuery:id}/"), None, dp).contains("cannot be null"));
        assert!(err(Some("plain/"), Some("e/!{firehose:error-output-type}"), dp).contains("at least one"));
        assert!(err(
            Some("!{partitionKeyFromQuery:id}/"),
            Some("e/!{firehose:error-output-type}/!{partitionKeyFromQuery:id}"),
            dp
        )
        .contains("not allowed in ErrorOutputPrefix"));
        assert!(err(Some("x/!{timestamp:yyyy}/"), None, PrefixUse::Redshift).contains("Redshift"));
        assert!(err(Some(&"a".repeat(600)), None, s3).contains("at most 512"));
    }

    #[test]
    fn random_strings_are_eleven_fresh_characters_and_keys_fill_in() {
        let p = Template::parse("!{firehose:random-string}/!{firehose:random-string}/", "Prefix").unwrap();
        let out = eval(&p, None);
        let (a, b) = out.trim_end_matches('/').split_once('/').unwrap();
        assert_eq!((a.len(), b.len()), (11, 11));
        assert_ne!(a, b);
        let t = Template::parse("station=!{partitionKeyFromQuery:stationId}/", "Prefix").unwrap();
        let keys = BTreeMap::from([("stationId".to_string(), "100".to_string())]);
        let ctx = Context { arrival_epoch_ms: ARRIVAL, query_keys: Some(&keys), ..Context::default() };
        assert_eq!(t.evaluate(&ctx, &mut SimRng::new(Seed(1))).unwrap(), "station=100/");
        assert!(t.evaluate(&Context::default(), &mut SimRng::new(Seed(1))).unwrap_err().contains("stationId"));
    }
}
