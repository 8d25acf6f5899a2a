//! Data transformation (spec §1.6): the Lambda record contract and the lab's library of built-in functions
//! a learner picks instead of writing code — useful ones and deliberately faulty ones for drills.
//!
//! A function is invoked with Firehose's event (`invocationId`, `deliveryStreamArn`, `region`, `records`
//! of `{recordId, approximateArrivalTimestamp, data}`) and answers JSON bytes, as a real Lambda does;
//! [`check`] then applies Firehose's contract to those bytes. The functions are pure: randomness comes
//! from the seeded PRNG, time from the arrival timestamps.

use crate::engine::kds::datetime::iso8601_millis;
use crate::engine::rng::SimRng;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A synchronous invocation's request and response limit (L23: 6 MB).
pub const PAYLOAD_MAX_BYTES: usize = 6 * 1024 * 1024;
/// Firehose gives up on an invocation after 5 minutes (L24).
pub const DURATION_MAX_MS: u64 = 5 * 60 * 1_000;

/// A built-in function and its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "function", rename_all = "snake_case", deny_unknown_fields)]
pub enum Builtin {
    /// Returns every record unchanged.
    Identity,
    /// Keeps only these JSON fields.
    SelectFields { fields: Vec<String> },
    /// Renames one JSON field.
    RenameField { from: String, to: String },
    /// Drops records whose field equals the value (`result: "Dropped"`).
    DropWhen { field: String, equals: Value },
    /// One CSV line per record to a JSON object with these column names.
    CsvToJson { columns: Vec<String> },
    /// An Apache common or combined log line to JSON (the book's blueprint).
    ApacheLogToJson,
    /// Appends `\n` so objects are splittable (Firehose adds no delimiters).
    AddNewline,
    /// Adds a field with a constant, or the record's arrival time when no value is given.
    Enrich { field: String, value: Option<String> },
    /// Adds `into` with the value a lookup table gives for the record's `field` (the book's
    /// `KDFLookupAddressTransform`, with a table in place of DynamoDB); records without a match pass as they are.
    Lookup { field: String, into: String, table: std::collections::BTreeMap<String, String> },
    /// The `cloudwatch-logs-processor` blueprint: gunzips a CloudWatch Logs subscription record and returns
    /// its log events' messages, one per line; control messages are Dropped.
    CloudWatchLogsProcessor,
    /// Returns records unchanged with `metadata.partitionKeys` from these JSON fields (for dynamic
    /// partitioning's `partitionKeyFromLambda`).
    PartitionKeys { fields: Vec<String> },
    /// Drill: this share of records (percent) comes back ProcessingFailed.
    FailShare { percent: u64 },
    /// Drill: the function throws; Firehose retries the whole batch.
    Throw,
    /// Drill: each invocation takes this long (over 5 minutes is a timeout).
    Slow { millis: u64 },
    /// Drill: every record comes back this many times bigger (past 6 MB the response is refused).
    Inflate { factor: u64 },
    /// Drill: `result: "dropped"` in lowercase, as the seed article's function does.
    LowercaseDropped,
    /// Drill: every n-th record is left out of the response.
    ForgetRecordIds { every: u64 },
    /// Drill: the async handler that never returns `{records}` (the seed article's bug): the response is `null`.
    NeverReturns,
}

/// One record handed to a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRecord {
    pub record_id: String,
    pub arrival_epoch_ms: u64,
    pub data: Vec<u8>,
}

/// What one invocation did.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    /// The response bytes, or the function's error.
    pub response: Result<Vec<u8>, String>,
    /// How long it ran.
    pub duration_ms: u64,
}

/// What became of one record under the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordResult {
    /// Transformed: goes on with these bytes (and `metadata.partitionKeys`, if any).
    Ok { data: Vec<u8>, partition_keys: Option<std::collections::BTreeMap<String, String>> },
    /// Filtered out on purpose: counted as processed, delivered nowhere.
    Dropped,
    /// Goes to `processing-failed/` with the original bytes.
    ProcessingFailed { code: &'static str, message: String },
}

/// Why a whole invocation failed (retried `NumberOfRetries` times, then every record is ProcessingFailed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvocationFailure {
    /// The error code Firehose logs [M].
    pub code: &'static str,
    pub message: String,
}

/// The event Firehose sends (spec §1.6).
pub fn event(invocation_id: &str, stream_arn: &str, region: &str, records: &[InputRecord]) -> Value {
    json!({
        "invocationId": invocation_id,
        "deliveryStreamArn": stream_arn,
        "region": region,
        "records": records.iter().map(|r| json!({
            "recordId": r.record_id,
            "approximateArrivalTimestamp": r.arrival_epoch_ms,
            "data": STANDARD.encode(&r.data),
        })).collect::<Vec<_>>(),
    })
}

/// Runs a built-in on a batch, as its Lambda would.
pub fn invoke(function: &Builtin, records: &[InputRecord], rng: &mut SimRng) -> Invocation {
    let base_ms = 20 + records.len() as u64 / 10; // [SIM] a warm function's cost
    let duration_ms = match function {
        Builtin::Slow { millis } => *millis,
        _ => base_ms,
    };
    let response = match function {
        Builtin::Throw => Err("Error: the lab's drill function threw (Runtime.HandlerError)".to_string()),
        Builtin::NeverReturns => Ok(b"null".to_vec()),
        _ => {
            let out: Vec<Value> = records.iter().enumerate().filter_map(|(i, r)| answer(function, i, r, rng)).collect();
            Ok(serde_json::to_vec(&json!({ "records": out })).expect("JSON values serialise"))
        }
    };
    Invocation { response, duration_ms }
}

/// One record's answer, or `None` when the function leaves it out.
fn answer(function: &Builtin, index: usize, r: &InputRecord, rng: &mut SimRng) -> Option<Value> {
    let ok = |data: Vec<u8>| json!({ "recordId": r.record_id, "result": "Ok", "data": STANDARD.encode(data) });
    let failed = || json!({ "recordId": r.record_id, "result": "ProcessingFailed", "data": STANDARD.encode(&r.data) });
    let as_object = || serde_json::from_slice::<Value>(&r.data).ok().and_then(|v| v.as_object().cloned());
    let with_object = |change: &dyn Fn(&mut Map<String, Value>)| match as_object() {
        Some(mut object) => {
            change(&mut object);
            ok(serde_json::to_vec(&object).expect("JSON values serialise"))
        }
        None => failed(),
    };
    Some(match function {
        Builtin::Identity | Builtin::Slow { .. } => ok(r.data.clone()),
        Builtin::SelectFields { fields } => with_object(&|o| o.retain(|k, _| fields.contains(k))),
        Builtin::RenameField { from, to } => with_object(&|o| {
            if let Some(v) = o.remove(from) {
                o.insert(to.clone(), v);
            }
        }),
        Builtin::DropWhen { field, equals } => match as_object() {
            Some(o) if o.get(field) == Some(equals) => json!({ "recordId": r.record_id, "result": "Dropped" }),
            Some(_) => ok(r.data.clone()),
            None => failed(),
        },
        Builtin::CsvToJson { columns } => match std::str::from_utf8(&r.data) {
            Ok(line) => {
                let cells: Vec<&str> = line.trim_end_matches(['\r', '\n']).split(',').collect();
                if cells.len() != columns.len() {
                    failed()
                } else {
                    let o: Map<String, Value> =
                        columns.iter().zip(cells).map(|(c, v)| (c.clone(), Value::from(v))).collect();
                    ok(serde_json::to_vec(&o).expect("JSON values serialise"))
                }
            }
            Err(_) => failed(),
        },
        Builtin::ApacheLogToJson => match std::str::from_utf8(&r.data).ok().and_then(apache_log) {
            Some(o) => ok(serde_json::to_vec(&o).expect("JSON values serialise")),
            None => failed(),
        },
        Builtin::AddNewline => {
            let mut data = r.data.clone();
            if data.last() != Some(&b'\n') {
                data.push(b'\n');
            }
            ok(data)
        }
        Builtin::Enrich { field, value } => {
            let v = value.clone().unwrap_or_else(|| iso8601_millis(r.arrival_epoch_ms));
            with_object(&|o| {
                o.insert(field.clone(), Value::from(v.clone()));
            })
        }
        Builtin::CloudWatchLogsProcessor => {
            let mut text = Vec::new();
            let unzipped = std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&r.data[..]), &mut text);
            let envelope: Option<Value> = unzipped.ok().and_then(|_| serde_json::from_slice(&text).ok());
            match envelope.as_ref().and_then(|e| e.get("messageType")).and_then(Value::as_str) {
                Some("CONTROL_MESSAGE") => json!({ "recordId": r.record_id, "result": "Dropped" }),
                Some("DATA_MESSAGE") => {
                    let events = envelope.as_ref().and_then(|e| e.get("logEvents")).and_then(Value::as_array);
                    let lines: String = events
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e.get("message").and_then(Value::as_str))
                        .map(|m| format!("{m}\n"))
                        .collect();
                    ok(lines.into_bytes())
                }
                _ => failed(),
            }
        }
        Builtin::Lookup { field, into, table } => with_object(&|o| {
            let key = o.get(field).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if let Some(found) = key.and_then(|k| table.get(&k)) {
                o.insert(into.clone(), Value::from(found.clone()));
            }
        }),
        Builtin::FailShare { percent } => {
            if rng.below(100) < *percent {
                failed()
            } else {
                ok(r.data.clone())
            }
        }
        Builtin::Inflate { factor } => ok(r.data.repeat((*factor).max(1) as usize)),
        Builtin::PartitionKeys { fields } => match as_object() {
            Some(o) => {
                let keys: Map<String, Value> = fields
                    .iter()
                    .filter_map(|f| {
                        let v = o.get(f)?;
                        Some((f.clone(), Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_string))))
                    })
                    .collect();
                let mut answer = ok(r.data.clone());
                answer["metadata"] = json!({ "partitionKeys": keys });
                answer
            }
            None => failed(),
        },
        Builtin::LowercaseDropped => json!({ "recordId": r.record_id, "result": "dropped" }),
        Builtin::ForgetRecordIds { every } => {
            if *every > 0 && (index as u64 + 1).is_multiple_of(*every) {
                return None;
            }
            ok(r.data.clone())
        }
        Builtin::Throw | Builtin::NeverReturns => unreachable!("answered before the records"),
    })
}

/// Apache common/combined log format: `host ident user [time] "request" status bytes ["referer" "agent"]`.
fn apache_log(line: &str) -> Option<Map<String, Value>> {
    let line = line.trim_end();
    let (host, rest) = line.split_once(' ')?;
    let (ident, rest) = rest.split_once(' ')?;
    let (user, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix('[')?;
    let (time, rest) = rest.split_once("] \"")?;
    let (request, rest) = rest.split_once('"')?;
    let mut tail = rest.trim_start().splitn(3, ' ');
    let status: u64 = tail.next()?.parse().ok()?;
    let bytes = tail.next()?;
    let mut o = Map::new();
    o.insert("host".into(), host.into());
    o.insert("ident".into(), ident.into());
    o.insert("authuser".into(), user.into());
    o.insert("datetime".into(), time.into());
    o.insert("request".into(), request.into());
    o.insert("response".into(), status.into());
    o.insert("bytes".into(), bytes.parse::<u64>().map(Value::from).unwrap_or(Value::Null));
    if let Some(rest) = tail.next() {
        let quoted: Vec<&str> = rest.split('"').filter(|s| !s.trim().is_empty()).collect();
        if let [referer, agent, ..] = quoted[..] {
            o.insert("referer".into(), referer.into());
            o.insert("agent".into(), agent.into());
        }
    }
    Some(o)
}

/// `metadata.partitionKeys` of an answer, as text.
fn partition_keys(answer: &Value) -> Option<std::collections::BTreeMap<String, String>> {
    let keys = answer.get("metadata")?.get("partitionKeys")?.as_object()?;
    Some(keys.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
}

/// Firehose's contract applied to an invocation of `records` (spec §1.6): per record Ok, Dropped or
/// ProcessingFailed, or the failure of the whole invocation (which Firehose retries).
pub fn check(records: &[InputRecord], invocation: &Invocation) -> Result<Vec<RecordResult>, InvocationFailure> {
    let fail = |code, message: &str| Err(InvocationFailure { code, message: message.to_string() });
    if invocation.duration_ms > DURATION_MAX_MS {
        return fail("Lambda.FunctionTimedOut", "The Lambda function ran longer than Firehose's 5-minute limit.");
    }
    let bytes = match &invocation.response {
        Err(e) => return Err(InvocationFailure { code: "Lambda.FunctionError", message: e.clone() }),
        Ok(bytes) => bytes,
    };
    if bytes.len() > PAYLOAD_MAX_BYTES {
        return fail("Lambda.ResponseSizeExceeded", "The Lambda response exceeded the 6 MB synchronous payload limit.");
    }
    let Some(answers) = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("records").cloned())
        .and_then(|r| r.as_array().cloned())
    else {
        return fail(
            "Lambda.JsonProcessingException",
            "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose.",
        );
    };
    let ids: BTreeSet<&str> = records.iter().map(|r| r.record_id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut by_id = std::collections::BTreeMap::new();
    for a in &answers {
        let id = a.get("recordId").and_then(Value::as_str).unwrap_or_default();
        if !seen.insert(id.to_string()) {
            return fail("Lambda.DuplicatedRecordId", "Multiple records were returned with the same record ID.");
        }
        by_id.insert(id.to_string(), a);
    }
    let transformation_failure =
        |message: String| RecordResult::ProcessingFailed { code: "Lambda.ProcessingFailed", message };
    let mut out: Vec<RecordResult> = records
        .iter()
        .map(|r| match by_id.get(&r.record_id) {
            None => RecordResult::ProcessingFailed {
                code: "Lambda.MissingRecordId",
                message: "One or more record IDs were not returned.".into(),
            },
            Some(a) => match (a.get("result").and_then(Value::as_str), a.get("data").and_then(Value::as_str)) {
                (Some("Ok"), Some(data)) => match STANDARD.decode(data) {
                    Ok(data) => RecordResult::Ok { data, partition_keys: partition_keys(a) },
                    Err(_) => transformation_failure("data is not base64".into()),
                },
                (Some("Ok"), None) => transformation_failure("result Ok without data".into()),
                (Some("Dropped"), _) => RecordResult::Dropped,
                (Some("ProcessingFailed"), _) => {
                    transformation_failure("The Lambda function returned ProcessingFailed.".into())
                }
                (other, _) => transformation_failure(format!(
                    "result {} is not one of Ok, Dropped, ProcessingFailed (case-sensitive)",
                    other.map_or("missing".to_string(), |s| format!("'{s}'"))
                )),
            },
        })
        .collect();
    // An answer for an id Firehose never sent is a transformation failure for the batch's records it shadows.
    if by_id.keys().any(|id| !ids.contains(id.as_str())) {
        for r in out
            .iter_mut()
            .filter(|r| matches!(r, RecordResult::ProcessingFailed { code: "Lambda.MissingRecordId", .. }))
        {
            *r = transformation_failure("The Lambda function returned a record ID that was not in its input.".into());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    fn records(lines: &[&str]) -> Vec<InputRecord> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| InputRecord {
                record_id: format!("r{i}"),
                arrival_epoch_ms: 1_609_808_228_000,
                data: l.as_bytes().to_vec(),
            })
            .collect()
    }

    fn run(f: Builtin, lines: &[&str]) -> Result<Vec<RecordResult>, InvocationFailure> {
        let input = records(lines);
        check(&input, &invoke(&f, &input, &mut SimRng::new(Seed(3))))
    }

    fn ok_text(r: &RecordResult) -> String {
        match r {
            RecordResult::Ok { data, .. } => String::from_utf8(data.clone()).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_useful_functions_transform_as_named() {
        let out = run(Builtin::SelectFields { fields: vec!["a".into()] }, &[r#"{"a":1,"b":2}"#]).unwrap();
        assert_eq!(ok_text(&out[0]), r#"{"a":1}"#);
        let out = run(Builtin::RenameField { from: "a".into(), to: "z".into() }, &[r#"{"a":1}"#]).unwrap();
        assert_eq!(ok_text(&out[0]), r#"{"z":1}"#);
        let drop = Builtin::DropWhen { field: "action".into(), equals: json!("RENTED") };
        let out = run(drop, &[r#"{"action":"RENTED"}"#, r#"{"action":"DOCKED"}"#, "not json"]).unwrap();
        assert_eq!(out[0], RecordResult::Dropped);
        assert!(matches!(out[1], RecordResult::Ok { .. }));
        assert!(matches!(out[2], RecordResult::ProcessingFailed { .. }));
        let csv = Builtin::CsvToJson { columns: vec!["stationid".into(), "location".into()] };
        let out = run(csv, &["100,7033 Summerhouse Ave\n", "1,2,3"]).unwrap();
        assert_eq!(ok_text(&out[0]), r#"{"location":"7033 Summerhouse Ave","stationid":"100"}"#);
        assert!(matches!(out[1], RecordResult::ProcessingFailed { .. }), "wrong column count");
        let log = r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/ HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0""#;
        let json: Value = serde_json::from_str(&ok_text(&run(Builtin::ApacheLogToJson, &[log]).unwrap()[0])).unwrap();
        assert_eq!(
            (json["host"].as_str(), json["response"].as_u64(), json["bytes"].as_u64()),
            (Some("83.149.9.216"), Some(200), Some(203_023))
        );
        assert_eq!(json["agent"], "Mozilla/5.0");
        assert_eq!(ok_text(&run(Builtin::AddNewline, &["x"]).unwrap()[0]), "x\n");
        let enrich = Builtin::Enrich { field: "ingested".into(), value: None };
        assert_eq!(ok_text(&run(enrich, &["{}"]).unwrap()[0]), r#"{"ingested":"2021-01-05T00:57:08.000Z"}"#);
        let table = [("100".to_string(), "7033 Summerhouse Ave.".to_string())].into_iter().collect();
        let lookup = Builtin::Lookup { field: "stationId".into(), into: "stationAddress".into(), table };
        let out = run(lookup, &[r#"{"stationId":100}"#, r#"{"stationId":999}"#]).unwrap();
        assert_eq!(ok_text(&out[0]), r#"{"stationAddress":"7033 Summerhouse Ave.","stationId":100}"#);
        assert_eq!(ok_text(&out[1]), r#"{"stationId":999}"#, "no match: unchanged");
        let gz = |text: &str| super::super::compress::Compression::Gzip.apply(text.as_bytes(), "", 0);
        let data =
            gz(r#"{"messageType":"DATA_MESSAGE","logEvents":[{"message":"GET /a 200"},{"message":"GET /b 500"}]}"#);
        let control = gz(r#"{"messageType":"CONTROL_MESSAGE","logEvents":[]}"#);
        let records: Vec<InputRecord> = [data, control, b"plain".to_vec()]
            .into_iter()
            .enumerate()
            .map(|(i, data)| InputRecord { record_id: i.to_string(), arrival_epoch_ms: 0, data })
            .collect();
        let invocation =
            invoke(&Builtin::CloudWatchLogsProcessor, &records, &mut SimRng::new(crate::engine::rng::Seed(1)));
        let out = check(&records, &invocation).unwrap();
        assert_eq!(ok_text(&out[0]), "GET /a 200\nGET /b 500\n");
        assert!(matches!(out[1], RecordResult::Dropped));
        assert!(matches!(out[2], RecordResult::ProcessingFailed { .. }), "not a CloudWatch Logs record");
    }

    #[test]
    fn the_faulty_functions_break_the_contract_the_way_the_spec_says() {
        let lowercase = run(Builtin::LowercaseDropped, &["a"]).unwrap();
        assert!(
            matches!(&lowercase[0], RecordResult::ProcessingFailed { message, .. } if message.contains("'dropped'"))
        );
        let forgot = run(Builtin::ForgetRecordIds { every: 2 }, &["a", "b", "c"]).unwrap();
        assert!(matches!(forgot[1], RecordResult::ProcessingFailed { code: "Lambda.MissingRecordId", .. }));
        assert!(matches!(forgot[2], RecordResult::Ok { .. }));
        assert_eq!(run(Builtin::Throw, &["a"]).unwrap_err().code, "Lambda.FunctionError");
        assert_eq!(run(Builtin::NeverReturns, &["a"]).unwrap_err().code, "Lambda.JsonProcessingException");
        assert_eq!(run(Builtin::Slow { millis: 300_001 }, &["a"]).unwrap_err().code, "Lambda.FunctionTimedOut");
        assert!(run(Builtin::Slow { millis: 300_000 }, &["a"]).is_ok());
        let big = "x".repeat(1_000_000);
        let inflated = run(Builtin::Inflate { factor: 5 }, &[&big]).unwrap_err();
        assert_eq!(inflated.code, "Lambda.ResponseSizeExceeded", "5 MB becomes ~6.7 MB in base64");
        let failing = run(Builtin::FailShare { percent: 30 }, &["a"; 1_000]).unwrap();
        let failed = failing.iter().filter(|r| matches!(r, RecordResult::ProcessingFailed { .. })).count();
        assert!((250..350).contains(&failed), "about 30%: {failed}");
    }

    #[test]
    fn duplicated_and_unknown_ids_are_refused() {
        let input = records(&["a", "b"]);
        let respond = |body: Value| Invocation { response: Ok(serde_json::to_vec(&body).unwrap()), duration_ms: 1 };
        let dup = respond(
            json!({"records": [{"recordId": "r0", "result": "Ok", "data": "YQ=="}, {"recordId": "r0", "result": "Ok", "data": "YQ=="}]}),
        );
        assert_eq!(check(&input, &dup).unwrap_err().code, "Lambda.DuplicatedRecordId");
        let unknown = respond(
            json!({"records": [{"recordId": "r0", "result": "Ok", "data": "YQ=="}, {"recordId": "zz", "result": "Ok", "data": "YQ=="}]}),
        );
        let out = check(&input, &unknown).unwrap();
        assert!(
            matches!(&out[1], RecordResult::ProcessingFailed { message, .. } if message.contains("not in its input"))
        );
        let event = event("inv-1", "arn:aws:firehose:us-east-1:1:deliverystream/s", "us-east-1", &input);
        assert_eq!(event["records"][1]["data"], "Yg==");
        assert_eq!(event["records"][0]["approximateArrivalTimestamp"], 1_609_808_228_000u64);
    }
}
