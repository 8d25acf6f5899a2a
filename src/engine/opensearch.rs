//! The lab's Amazon OpenSearch Service domains, as a Firehose OpenSearch destination indexes into them
//! (spec §1.10): `_bulk` requests of single-line JSON documents with Firehose's own document ids, dynamic
//! mapping from the first document that has a field, and per-document failures when a later document
//! does not fit the mapping (OpenSearch's `mapper_parsing_exception`). A domain exists as soon as a
//! stream's DomainARN or ClusterEndpoint names it.
//!
//! The lab's service is `"service": "opensearch"`: `Search {Domain, Index, Size?, From?}` and
//! `GetMapping {Domain, Index}` answer in OpenSearch's shapes, `CatIndices {Domain}` lists the indices,
//! and `ConfigureDomain {Domain, Mode, DurationSeconds?, LatencyMs?}` sets a drill: `Ok`, `Unreachable`
//! (no connection), `Rejecting` (429 `es_rejected_execution_exception` for every request) or `ReadOnly`
//! (403 `cluster_block_exception`, as when the disk fills).

use crate::engine::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Documents kept per index; older ones leave (the count goes on).
pub const DOCUMENTS_KEPT: usize = 10_000;
/// A bulk request's answer comes this long after it is sent, by default [SIM].
pub const LATENCY_MS_DEFAULT: u64 = 100;

/// How a domain answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    #[default]
    Ok,
    Unreachable,
    Rejecting,
    ReadOnly,
}

/// A field's mapped type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Long,
    Float,
    Boolean,
    Text,
    Date,
    Object,
}

impl FieldType {
    fn name(self) -> &'static str {
        match self {
            FieldType::Long => "long",
            FieldType::Float => "float",
            FieldType::Boolean => "boolean",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Object => "object",
        }
    }
}

/// One index.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Field paths (`bikedetail.bikenum`) to their types.
    pub mapping: BTreeMap<String, FieldType>,
    /// (id, version, source), newest last.
    pub documents: Vec<(String, u64, Value)>,
    pub count: u64,
}

/// One domain.
#[derive(Clone, Debug, Default)]
pub struct Domain {
    pub mode: Mode,
    pub until: Option<SimTime>,
    pub latency_ms: u64,
    pub indices: BTreeMap<String, Index>,
}

impl Domain {
    fn mode_at(&self, now: SimTime) -> Mode {
        match self.until {
            Some(until) if now >= until => Mode::Ok,
            _ => self.mode,
        }
    }
}

/// One document of a bulk request.
#[derive(Clone, Debug)]
pub struct BulkItem<'a> {
    pub index: &'a str,
    pub id: &'a str,
    pub source: &'a [u8],
}

/// A bulk request's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkReply {
    /// The request failed as a whole: the status (0: no connection) and the error body.
    Refused { status: u16, error: String },
    /// Per document: `None` indexed, or `Some((status, error JSON))`.
    Items(Vec<Option<(u16, String)>>),
}

/// A request to the lab's `opensearch` service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenSearchRequest {
    ConfigureDomain { domain: String, mode: Mode, seconds: Option<u64>, latency_ms: Option<u64> },
    Search { domain: String, index: String, size: usize, from: usize },
    GetMapping { domain: String, index: String },
    CatIndices { domain: String },
}

/// A failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenSearchError {
    pub code: &'static str,
    pub message: String,
}

/// The account's domains.
#[derive(Clone, Debug, Default)]
pub struct Domains {
    domains: BTreeMap<String, Domain>,
}

/// The domain a DomainARN (`arn:aws:es:…:domain/name`) or ClusterEndpoint (`https://host`) names.
pub fn domain_of(arn_or_endpoint: &str) -> Option<String> {
    if let Some(name) = arn_or_endpoint.strip_prefix("arn:aws:es:").and_then(|r| r.split("domain/").nth(1)) {
        return Some(name.to_string()).filter(|n| !n.is_empty() && !n.contains('/'));
    }
    let host = arn_or_endpoint.strip_prefix("https://")?.split(['/', ':']).next()?;
    Some(host.to_ascii_lowercase()).filter(|h| !h.is_empty())
}

impl Domains {
    /// Makes sure a domain exists.
    pub fn ensure(&mut self, domain: &str) {
        self.domains
            .entry(domain.to_string())
            .or_insert_with(|| Domain { latency_ms: LATENCY_MS_DEFAULT, ..Domain::default() });
    }

    /// The domains, by name.
    pub fn domains(&self) -> &BTreeMap<String, Domain> {
        &self.domains
    }

    /// Handles a `_bulk` request at `now`: the answer, and how long it took.
    pub fn bulk(&mut self, now: SimTime, domain: &str, items: &[BulkItem]) -> (BulkReply, u64) {
        self.ensure(domain);
        let d = self.domains.get_mut(domain).expect("ensured above");
        let latency = d.latency_ms;
        let refused = |status, error: Value| (BulkReply::Refused { status, error: error.to_string() }, latency);
        match d.mode_at(now) {
            Mode::Unreachable => {
                return (
                    BulkReply::Refused { status: 0, error: format!("Unable to connect to the domain {domain}.") },
                    latency,
                )
            }
            Mode::Rejecting => {
                return refused(
                    429,
                    json!({"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}),
                )
            }
            Mode::ReadOnly => {
                return refused(
                    403,
                    json!({"type": "cluster_block_exception", "reason": "index [read_only_allow_delete] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];"}),
                )
            }
            Mode::Ok => {}
        }
        let replies = items.iter().map(|item| index_document(d, item)).collect();
        (BulkReply::Items(replies), latency)
    }

    /// Answers one request of the lab's service.
    pub fn handle(&mut self, now: SimTime, request: OpenSearchRequest) -> Result<Value, OpenSearchError> {
        let missing = |what: String| OpenSearchError { code: "ResourceNotFoundException", message: what };
        match request {
            OpenSearchRequest::ConfigureDomain { domain, mode, seconds, latency_ms } => {
                self.ensure(&domain);
                let d = self.domains.get_mut(&domain).expect("ensured above");
                d.mode = mode;
                d.until = seconds.map(|s| now + SimDuration::from_secs(s));
                if let Some(l) = latency_ms {
                    d.latency_ms = l;
                }
                Ok(json!({}))
            }
            OpenSearchRequest::Search { domain, index, size, from } => {
                let d = self.domains.get(&domain).ok_or_else(|| missing(format!("Domain not found: {domain}")))?;
                let i = d.indices.get(&index).ok_or_else(|| missing(format!("no such index [{index}]")))?;
                let hits: Vec<Value> = i
                    .documents
                    .iter()
                    .skip(from)
                    .take(size)
                    .map(|(id, version, source)| json!({"_index": index, "_id": id, "_version": version, "_source": source}))
                    .collect();
                Ok(
                    json!({"took": 1, "timed_out": false, "hits": {"total": {"value": i.count, "relation": "eq"}, "hits": hits}}),
                )
            }
            OpenSearchRequest::GetMapping { domain, index } => {
                let d = self.domains.get(&domain).ok_or_else(|| missing(format!("Domain not found: {domain}")))?;
                let i = d.indices.get(&index).ok_or_else(|| missing(format!("no such index [{index}]")))?;
                Ok(json!({ index: { "mappings": { "properties": properties(&i.mapping, "") } } }))
            }
            OpenSearchRequest::CatIndices { domain } => {
                let d = self.domains.get(&domain).ok_or_else(|| missing(format!("Domain not found: {domain}")))?;
                Ok(Value::Array(
                    d.indices
                        .iter()
                        .map(|(name, i)| json!({"index": name, "docs.count": i.count.to_string()}))
                        .collect(),
                ))
            }
        }
    }
}

/// The mapping below `prefix` as OpenSearch shows it.
fn properties(mapping: &BTreeMap<String, FieldType>, prefix: &str) -> Value {
    let mut out = Map::new();
    for (path, ty) in mapping.range(prefix.to_string()..) {
        let Some(rest) = path.strip_prefix(prefix) else { break };
        if rest.contains('.') {
            continue;
        }
        let field = match ty {
            FieldType::Object => json!({ "properties": properties(mapping, &format!("{path}.")) }),
            FieldType::Text => json!({"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}),
            other => json!({ "type": other.name() }),
        };
        out.insert(rest.to_string(), field);
    }
    Value::Object(out)
}

/// Indexes one document, or says why not (status 400 and the error as OpenSearch writes it).
fn index_document(d: &mut Domain, item: &BulkItem) -> Option<(u16, String)> {
    let failure = |kind: &str, reason: String| Some((400, json!({"type": kind, "reason": reason}).to_string()));
    let source: Value = match serde_json::from_slice(item.source) {
        Ok(v @ Value::Object(_)) => v,
        _ => return failure("mapper_parsing_exception", "failed to parse".into()),
    };
    let index = d.indices.entry(item.index.to_string()).or_default();
    let mut additions = Vec::new();
    if let Err(reason) = check(&index.mapping, &source, "", item.id, &mut additions) {
        return failure("mapper_parsing_exception", reason);
    }
    index.mapping.extend(additions);
    match index.documents.iter_mut().find(|(id, _, _)| id == item.id) {
        // Firehose sends a retried document with the same id: it is overwritten, not duplicated.
        Some(doc) => {
            doc.1 += 1;
            doc.2 = source;
        }
        None => {
            index.documents.push((item.id.to_string(), 1, source));
            index.count += 1;
            if index.documents.len() > DOCUMENTS_KEPT {
                index.documents.remove(0);
            }
        }
    }
    None
}

/// Checks a document against the mapping, collecting the fields it adds (dynamic mapping).
fn check(
    mapping: &BTreeMap<String, FieldType>,
    value: &Value,
    prefix: &str,
    id: &str,
    add: &mut Vec<(String, FieldType)>,
) -> Result<(), String> {
    let Value::Object(map) = value else { return Ok(()) };
    for (key, v) in map {
        let path = format!("{prefix}{key}");
        let values: Vec<&Value> = match v {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for v in values.into_iter().filter(|v| !v.is_null()) {
            let known = mapping.get(&path).copied().or_else(|| add.iter().find(|(p, _)| *p == path).map(|(_, t)| *t));
            let ty = match known {
                Some(ty) => ty,
                None => {
                    let ty = detect(v);
                    add.push((path.clone(), ty));
                    ty
                }
            };
            let preview = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let fits = match (ty, v) {
                (FieldType::Object, Value::Object(_)) => {
                    check(mapping, v, &format!("{path}."), id, add)?;
                    true
                }
                (FieldType::Object, _) => {
                    return Err(format!(
                        "object mapping for [{path}] tried to parse field [{key}] as object, but found a concrete value"
                    ))
                }
                (_, Value::Object(_)) => {
                    return Err(format!("failed to parse field [{path}] of type [{}] in document with id '{id}'. Preview of field's value: '{preview}'", ty.name()))
                }
                (FieldType::Long | FieldType::Float, Value::Number(_)) => true,
                (FieldType::Long | FieldType::Float, Value::String(s)) => s.trim().parse::<f64>().is_ok(),
                (FieldType::Boolean, Value::Bool(_)) => true,
                (FieldType::Boolean, Value::String(s)) => s == "true" || s == "false",
                (FieldType::Date, Value::String(s)) => is_date(s),
                (FieldType::Date, Value::Number(_)) => true,
                (FieldType::Text, _) => true,
                _ => false,
            };
            if !fits {
                return Err(format!(
                    "failed to parse field [{path}] of type [{}] in document with id '{id}'. Preview of field's value: '{preview}'",
                    ty.name()
                ));
            }
        }
    }
    Ok(())
}

/// Dynamic mapping's choice for a field's first value.
fn detect(v: &Value) -> FieldType {
    match v {
        Value::Bool(_) => FieldType::Boolean,
        Value::Number(n) if n.is_f64() => FieldType::Float,
        Value::Number(_) => FieldType::Long,
        Value::Object(_) => FieldType::Object,
        Value::String(s) if is_date(s) => FieldType::Date,
        _ => FieldType::Text,
    }
}

/// `strict_date_optional_time` or `yyyy/MM/dd HH:mm:ss`, the default date detection formats.
fn is_date(s: &str) -> bool {
    use crate::engine::firehose::timestamps::Pattern;
    let patterns = [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd",
        "yyyy/MM/dd HH:mm:ss",
        "yyyy/MM/dd",
    ];
    patterns.iter().any(|p| Pattern::joda(p).is_ok_and(|p| p.parse(s).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(id: &'a str, source: &'a [u8]) -> BulkItem<'a> {
        BulkItem { index: "rides-2021-01-05", id, source }
    }

    #[test]
    fn dynamic_mapping_then_a_conflicting_document_fails_alone() {
        let mut d = Domains::default();
        assert_eq!(domain_of("arn:aws:es:us-east-1:123456789012:domain/bikes"), Some("bikes".into()));
        assert_eq!(
            domain_of("https://vpc-bikes-abc.us-east-1.es.amazonaws.com:443"),
            Some("vpc-bikes-abc.us-east-1.es.amazonaws.com".into())
        );
        let docs = [
            item("a", br#"{"stationId": 100, "at": "2021-01-05T00:57:08Z", "bike": {"num": "B1"}}"#),
            item("b", br#"{"stationId": "abc"}"#),
            item("c", b"not json"),
            item("d", br#"{"bike": "B2"}"#),
            item("e", br#"{"stationId": "110", "at": "yesterday"}"#),
        ];
        let (BulkReply::Items(replies), latency) = d.bulk(SimTime::ZERO, "bikes", &docs) else { panic!("indexed") };
        assert_eq!(latency, LATENCY_MS_DEFAULT);
        assert!(replies[0].is_none());
        assert!(replies[1].as_ref().unwrap().1.contains(
            "failed to parse field [stationId] of type [long] in document with id 'b'. Preview of field's value: 'abc'"
        ));
        assert!(replies[2].as_ref().unwrap().1.contains("\"failed to parse\""));
        assert!(replies[3].as_ref().unwrap().1.contains("tried to parse field [bike] as object"));
        assert!(replies[4].as_ref().unwrap().1.contains("of type [date]"));
        let mapping = d
            .handle(
                SimTime::ZERO,
                OpenSearchRequest::GetMapping { domain: "bikes".into(), index: "rides-2021-01-05".into() },
            )
            .unwrap();
        let props = &mapping["rides-2021-01-05"]["mappings"]["properties"];
        assert_eq!((props["stationId"]["type"].as_str(), props["at"]["type"].as_str()), (Some("long"), Some("date")));
        assert_eq!(props["bike"]["properties"]["num"]["type"], "text");
        d.bulk(SimTime::ZERO, "bikes", &[item("a", br#"{"stationId": 101}"#)]);
        let found = d
            .handle(
                SimTime::ZERO,
                OpenSearchRequest::Search {
                    domain: "bikes".into(),
                    index: "rides-2021-01-05".into(),
                    size: 10,
                    from: 0,
                },
            )
            .unwrap();
        assert_eq!(
            (found["hits"]["total"]["value"].as_u64(), found["hits"]["hits"][0]["_version"].as_u64()),
            (Some(1), Some(2)),
            "the same id overwrites"
        );
    }

    #[test]
    fn drills_refuse_whole_requests_until_they_end() {
        let mut d = Domains::default();
        let mode = |m| OpenSearchRequest::ConfigureDomain {
            domain: "bikes".into(),
            mode: m,
            seconds: Some(60),
            latency_ms: None,
        };
        d.handle(SimTime::ZERO, mode(Mode::Rejecting)).unwrap();
        let (reply, _) = d.bulk(SimTime::from_secs(1), "bikes", &[item("a", b"{}")]);
        assert!(matches!(reply, BulkReply::Refused { status: 429, .. }));
        assert!(matches!(d.bulk(SimTime::from_secs(61), "bikes", &[item("a", b"{}")]).0, BulkReply::Items(_)));
        d.handle(SimTime::from_secs(61), mode(Mode::Unreachable)).unwrap();
        assert!(matches!(d.bulk(SimTime::from_secs(62), "bikes", &[]).0, BulkReply::Refused { status: 0, .. }));
        let cat = d.handle(SimTime::ZERO, OpenSearchRequest::CatIndices { domain: "bikes".into() }).unwrap();
        assert_eq!(cat[0]["docs.count"], "1");
    }
}
