//! `kinesis-lab analytics`: an application over a file of input rows, every emitted row printed. Input
//! lines are `{"rowtime_ms": <arrival or processing time>, "row": {…}}`, one per line with
//! non-decreasing rowtime_ms; output lines are `{"stream", "rowtime_ms", "row"}` (see
//! [`crate::engine::analytics::sql::app::Emitted::to_line`]), `error_stream` rows included. At the end of
//! the input every open window closes at its own end.

use super::flink::job::{Job, Output};
use super::flink::pipeline::Pipeline;
use super::sql::app::{output_line, App, Emitted};
use super::sql::error::SqlError;
use super::sql::plan::RefTable;
use super::sql::schema::InputSchema;
use serde_json::Value as Json;
use std::io::Write;

/// Rows DiscoverInputSchema samples when no schema is given.
pub const DISCOVERY_SAMPLE: usize = 100;

/// Why a run could not start.
#[derive(Debug)]
pub enum BatchError {
    /// The input rows, the schema or the reference file (nothing ran).
    Input(String),
    /// The application's code (nothing ran).
    Sql(SqlError),
    /// The pipeline's JSON (nothing ran).
    Pipeline(String),
    Io(std::io::Error),
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Input(m) | BatchError::Pipeline(m) => write!(f, "{m}"),
            BatchError::Sql(e) => write!(f, "{e}"),
            BatchError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The input rows: (rowtime_ms, the record), or the first bad line.
pub fn parse_rows(text: &str) -> Result<Vec<(i64, Json)>, String> {
    Ok(parse_lines(text)?.into_iter().map(|(t, _, r)| (t, r)).collect())
}

/// The input rows with their source channel (`"shard"`, optional: one channel by default).
pub fn parse_lines(text: &str) -> Result<Vec<(i64, String, Json)>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let v: Json = serde_json::from_str(line).map_err(|e| format!("input line {n}: not JSON: {e}"))?;
        let rowtime = v["rowtime_ms"]
            .as_i64()
            .ok_or_else(|| format!("input line {n}: needs \"rowtime_ms\" as a whole number of milliseconds"))?;
        if !v["row"].is_object() {
            return Err(format!("input line {n}: needs \"row\" as a JSON object"));
        }
        let shard = match &v["shard"] {
            Json::Null => "shardId-000000000000".to_string(),
            Json::String(s) if !s.is_empty() => s.clone(),
            other => return Err(format!("input line {n}: \"shard\" must be a non-empty string, not {other}")),
        };
        rows.push((rowtime, shard, v["row"].clone()));
    }
    Ok(rows)
}

/// The reference table file: `{"TableName", "ReferenceSchema": {"RecordColumns": […]}, "Rows": [{…}]}`,
/// each row mapped through the schema as a record is.
pub fn parse_reference(v: &Json) -> Result<RefTable, String> {
    let name = v["TableName"].as_str().filter(|n| !n.is_empty()).ok_or("the reference file needs a TableName")?;
    let schema = InputSchema::from_json(&v["ReferenceSchema"]).map_err(|e| format!("ReferenceSchema: {e}"))?;
    let rows = v["Rows"].as_array().ok_or("the reference file needs Rows: [{…}, …]")?;
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| schema.map(r.to_string().as_bytes()).map_err(|(_, m)| format!("Rows[{i}]: {m}")))
        .collect::<Result<_, _>>()?;
    Ok(RefTable { name: name.to_string(), columns: schema.columns.into_iter().map(|c| c.name).collect(), rows })
}

/// Runs `code` over `input` (the rows file's text), writing every emitted row to `out`. Without a schema,
/// one is discovered from the first rows and returned so the caller can show it.
pub fn run_sql(
    code: &str,
    schema: Option<&Json>,
    reference: Option<&Json>,
    input: &str,
    out: &mut dyn Write,
) -> Result<Option<InputSchema>, BatchError> {
    drive_sql(code, schema, reference, input, &mut |e| writeln!(out, "{}", e.to_line()).map_err(BatchError::Io))
}

/// [`run_sql`] handing each emitted row to `sink` instead of printing it.
pub fn drive_sql(
    code: &str,
    schema: Option<&Json>,
    reference: Option<&Json>,
    input: &str,
    sink: &mut dyn FnMut(&Emitted) -> Result<(), BatchError>,
) -> Result<Option<InputSchema>, BatchError> {
    let rows = parse_rows(input).map_err(BatchError::Input)?;
    let (schema, discovered) = match schema {
        Some(s) => (InputSchema::from_json(s).map_err(|e| BatchError::Input(format!("schema: {e}")))?, false),
        None => {
            let samples: Vec<Json> = rows.iter().take(DISCOVERY_SAMPLE).map(|(_, r)| r.clone()).collect();
            (InputSchema::discover(&samples).map_err(|e| BatchError::Input(format!("schema discovery: {e}")))?, true)
        }
    };
    let reference = reference.map(parse_reference).transpose().map_err(BatchError::Input)?;
    let mut app = App::new(code, schema.clone(), reference).map_err(BatchError::Sql)?;
    for (rowtime, row) in rows {
        app.push(rowtime, row.to_string().as_bytes()).iter().try_for_each(&mut *sink)?;
    }
    app.finish().iter().try_for_each(sink)?;
    Ok(discovered.then_some(schema))
}

/// One output line of a pipeline: `{"stream", "rowtime_ms", "row"}`, with `"late_firing": true` for a
/// window fired again by a late element and `"replayed": true` for an output emitted again after a restore.
pub fn pipeline_line(o: &Output) -> String {
    let flags: Vec<&str> = [(o.late_firing, "late_firing"), (o.replayed, "replayed")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
    output_line(&o.stream, o.at, &o.row, &flags)
}

/// Runs a pipeline over `input`, writing every output to `out`. With `fail_at_ms`, the job fails when
/// processing time reaches it, restores its last checkpoint and the source replays from there.
pub fn run_pipeline(
    pipeline: &Json,
    input: &str,
    fail_at_ms: Option<i64>,
    out: &mut dyn Write,
) -> Result<Job, BatchError> {
    drive_pipeline(pipeline, input, fail_at_ms, &mut |o| writeln!(out, "{}", pipeline_line(o)).map_err(BatchError::Io))
}

/// [`run_pipeline`] handing each output to `sink` instead of printing it.
pub fn drive_pipeline(
    pipeline: &Json,
    input: &str,
    fail_at_ms: Option<i64>,
    sink: &mut dyn FnMut(&Output) -> Result<(), BatchError>,
) -> Result<Job, BatchError> {
    let pipeline = Pipeline::from_json(pipeline).map_err(|e| BatchError::Pipeline(format!("pipeline: {e}")))?;
    let rows = parse_lines(input).map_err(BatchError::Input)?;
    for w in rows.windows(2) {
        if w[1].0 < w[0].0 {
            return Err(BatchError::Input(format!("input rowtime_ms goes back from {} to {}", w[0].0, w[1].0)));
        }
    }
    let mut job = Job::new(pipeline);
    let mut write = |outputs: Vec<Output>| -> Result<(), BatchError> { outputs.iter().try_for_each(&mut *sink) };
    let (mut i, mut failure, mut resume_at) = (0, fail_at_ms, i64::MIN);
    while i < rows.len() {
        let (at, shard, row) = &rows[i];
        let at = (*at).max(resume_at);
        if let Some(f) = failure.filter(|f| *f <= at) {
            write(job.advance(f))?;
            let (offset, restart) = job.fail(f);
            failure = None;
            (i, resume_at) = (offset as usize, restart);
            continue;
        }
        write(job.push(at, shard, row))?;
        i += 1;
    }
    if let Some(f) = failure {
        write(job.advance(f))?;
        let (offset, restart) = job.fail(f);
        for (at, shard, row) in &rows[offset as usize..] {
            write(job.push((*at).max(restart), shard, row))?;
        }
    }
    write(job.finish())?;
    Ok(job)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_input_lines_are_named_and_nothing_runs() {
        let code = "SELECT STREAM * FROM SOURCE_SQL_STREAM_001";
        let mut out = Vec::new();
        for (input, want) in [
            ("{\"rowtime_ms\": 1, \"row\": {\"a\": 1}}\nnope", "input line 2: not JSON"),
            ("{\"row\": {}}", "input line 1: needs \"rowtime_ms\""),
            ("{\"rowtime_ms\": 5, \"row\": 3}", "input line 1: needs \"row\" as a JSON object"),
        ] {
            let e = run_sql(code, None, None, input, &mut out).unwrap_err();
            assert!(e.to_string().starts_with(want), "{e}");
        }
        assert!(out.is_empty());
    }

    #[test]
    fn a_discovered_schema_runs_and_is_returned() {
        let input = "{\"rowtime_ms\": 1000, \"row\": {\"n\": 1, \"s\": \"x\"}}\n{\"rowtime_ms\": 2000, \"row\": {\"n\": 2, \"s\": \"y\"}}\n";
        let mut out = Vec::new();
        let schema =
            run_sql("SELECT STREAM \"n\" * 10 AS TEN FROM SOURCE_SQL_STREAM_001", None, None, input, &mut out).unwrap();
        assert_eq!(schema.unwrap().columns.len(), 2);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"stream\":\"(preview)\",\"rowtime_ms\":1000,\"row\":{\"TEN\":10}}\n{\"stream\":\"(preview)\",\"rowtime_ms\":2000,\"row\":{\"TEN\":20}}\n"
        );
    }

    #[test]
    fn a_reference_table_joins_by_its_schema() {
        let reference = json!({
            "TableName": "CompanyName",
            "ReferenceSchema": {"RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}]},
            "Rows": [{"Ticker": "AMZN", "Company": "Amazon"}, {"Ticker": "ABC", "Company": "ABC Corp"}],
        });
        let code = r#"SELECT STREAM "ticker", "c"."Company" FROM SOURCE_SQL_STREAM_001 LEFT JOIN "CompanyName" AS "c" ON SOURCE_SQL_STREAM_001."ticker" = "c"."Ticker""#;
        let input = "{\"rowtime_ms\": 1, \"row\": {\"ticker\": \"AMZN\"}}\n{\"rowtime_ms\": 2, \"row\": {\"ticker\": \"XYZ\"}}\n";
        let mut out = Vec::new();
        run_sql(code, None, Some(&reference), input, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("{\"ticker\":\"AMZN\",\"Company\":\"Amazon\"}"), "{text}");
        assert!(text.contains("{\"ticker\":\"XYZ\",\"Company\":null}"), "a left join keeps the unmatched row: {text}");
        let bad = json!({"TableName": "T", "ReferenceSchema": {"RecordColumns": [{"Name": "n", "SqlType": "INTEGER"}]}, "Rows": [{"n": "x"}]});
        let e = run_sql(code, None, Some(&bad), input, &mut Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "Rows[0]: column \"n\": cannot convert 'x' to INTEGER");
    }
}
