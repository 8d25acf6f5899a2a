//! A running KDA SQL application (spec firehose-analytics.md §2.1–§2.5): records enter
//! SOURCE_SQL_STREAM_001 through the input schema with their ROWTIME; pumps carry rows from stream to
//! stream in statement order; windows emit when ROWTIME passes their end, on the clock, without waiting
//! for another row; whatever fails goes to `error_stream`. Time is an argument: [`App::push`] takes a
//! record at its ROWTIME, [`App::advance`] moves the clock, [`App::finish`] closes every window.

use super::ast::Statement;
use super::error::SqlError;
use super::parser::parse_program;
use super::plan::{plan_query, Catalog, Chain, RefTable, StreamDef};
use super::schema::{InputSchema, SOURCE_STREAM};
use super::stages::{Failure, Out, Row, Stage};
use crate::engine::analytics::value::{format_timestamp, SqlType, Value};
use serde_json::Value as Json;

/// The system stream failures go to.
pub const ERROR_STREAM: &str = "error_stream";
/// The stream name a `SELECT STREAM` outside a pump prints as (the console's preview).
pub const PREVIEW: &str = "(preview)";
/// How many in-application streams and pumps an application may declare (a guard, not an AWS limit).
const STATEMENTS_MAX: usize = 200;

/// A row an application emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Emitted {
    /// The in-application stream, `error_stream`, or [`PREVIEW`].
    pub stream: String,
    pub rowtime: i64,
    /// The row's columns in the stream's order.
    pub row: Vec<(String, Json)>,
}

impl Emitted {
    /// The value of column `name` (NULL when there is none).
    pub fn get(&self, name: &str) -> &Json {
        self.row.iter().find(|(n, _)| n == name).map_or(&Json::Null, |(_, v)| v)
    }

    /// `{"stream", "rowtime_ms", "row"}` as `kinesis-lab analytics` prints it, columns in order.
    pub fn to_line(&self) -> String {
        output_line(&self.stream, self.rowtime, &self.row, &[])
    }
}

/// An output line of `kinesis-lab analytics`: `{"stream", "rowtime_ms", "row"}` with the row's columns in
/// order (a JSON map would sort them), then each of `flags` set to true.
pub fn output_line(stream: &str, rowtime_ms: i64, row: &[(String, Json)], flags: &[&str]) -> String {
    let columns: Vec<String> = row.iter().map(|(n, v)| format!("{}:{v}", Json::String(n.clone()))).collect();
    let flags: String = flags.iter().map(|f| format!(",\"{f}\":true")).collect();
    format!(
        "{{\"stream\":{},\"rowtime_ms\":{rowtime_ms},\"row\":{{{}}}{flags}}}",
        Json::String(stream.to_string()),
        columns.join(",")
    )
}

#[derive(Clone, Debug)]
struct Pump {
    name: String,
    /// The target stream and, per output column, the target column it fills (`None`: a preview).
    target: Option<(usize, Vec<usize>)>,
    chains: Vec<Chain>,
}

/// An application.
#[derive(Clone, Debug)]
pub struct App {
    streams: Vec<StreamDef>,
    schema: InputSchema,
    pumps: Vec<Pump>,
    /// The largest ROWTIME so far (rows must not go back).
    now: i64,
}

impl App {
    /// Parses, validates and plans `code` over input of `schema`, with an optional reference table.
    pub fn new(code: &str, schema: InputSchema, reference: Option<RefTable>) -> Result<App, SqlError> {
        let statements = parse_program(code)?;
        if statements.len() > STATEMENTS_MAX {
            return Err(SqlError::new(
                super::error::Pos { line: 1, col: 1 },
                format!("more than {STATEMENTS_MAX} statements"),
            ));
        }
        let mut streams = vec![StreamDef {
            name: SOURCE_STREAM.to_string(),
            columns: schema.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(),
        }];
        let mut pumps = Vec::new();
        for s in &statements {
            match s {
                Statement::CreateStream { name, columns } => {
                    if name.name == SOURCE_STREAM || name.name == ERROR_STREAM {
                        return Err(SqlError::new(name.pos, format!("'{}' is a system stream", name.name)));
                    }
                    let mut cols: Vec<(String, SqlType)> = Vec::new();
                    for c in columns {
                        if cols.iter().any(|(n, _)| *n == c.name.name) {
                            return Err(SqlError::new(c.name.pos, format!("Duplicate column name '{}'", c.name.name)));
                        }
                        cols.push((c.name.name.clone(), c.ty));
                    }
                    let def = StreamDef { name: name.name.clone(), columns: cols };
                    // CREATE OR REPLACE: a second definition replaces the first.
                    match streams.iter().position(|s| s.name == def.name) {
                        Some(i) => streams[i] = def,
                        None => streams.push(def),
                    }
                }
                Statement::CreatePump { name, target, columns, query } => {
                    let cat = Catalog { streams: &streams, reference: reference.as_ref() };
                    let chains = plan_query(query, &cat)?;
                    let Some(t) = streams.iter().position(|s| s.name == target.name) else {
                        return Err(SqlError::new(target.pos, format!("Table '{}' not found", target.name)));
                    };
                    if t == 0 {
                        return Err(SqlError::new(target.pos, format!("a pump cannot insert into {SOURCE_STREAM}")));
                    }
                    let width = chains[0].columns.len();
                    let slots: Vec<usize> = match columns {
                        None => (0..streams[t].columns.len()).collect(),
                        Some(cols) => {
                            cols.iter()
                                .map(|c| {
                                    streams[t].columns.iter().position(|(n, _)| *n == c.name).ok_or_else(|| {
                                        SqlError::new(c.pos, format!("Unknown target column '{}'", c.name))
                                    })
                                })
                                .collect::<Result<_, _>>()?
                        }
                    };
                    if slots.len() != width {
                        return Err(SqlError::new(
                            query.pos,
                            format!(
                                "Number of INSERT target columns ({}) does not equal number of source items ({width})",
                                slots.len()
                            ),
                        ));
                    }
                    pumps.push(Pump { name: name.name.clone(), target: Some((t, slots)), chains });
                }
                Statement::Select(query) => {
                    let cat = Catalog { streams: &streams, reference: reference.as_ref() };
                    let chains = plan_query(query, &cat)?;
                    pumps.push(Pump { name: PREVIEW.to_string(), target: None, chains });
                }
            }
        }
        if let Some(name) = loop_through(&pumps, streams.len()) {
            return Err(SqlError::new(
                super::error::Pos { line: 1, col: 1 },
                format!("the pumps feed stream {} back into itself", streams[name].name),
            ));
        }
        Ok(App { streams, schema, pumps, now: i64::MIN })
    }

    /// The in-application streams (SOURCE_SQL_STREAM_001 first) and their columns.
    pub fn streams(&self) -> &[StreamDef] {
        &self.streams
    }

    /// A record arrives with ROWTIME `rowtime_ms`: windows that end by then emit first.
    pub fn push(&mut self, rowtime_ms: i64, record: &[u8]) -> Vec<Emitted> {
        let mut out = Vec::new();
        if rowtime_ms < self.now {
            let row = Row { rowtime: rowtime_ms, values: Vec::new() };
            let message = format!(
                "ROWTIME {} is before the stream's {}",
                format_timestamp(rowtime_ms),
                format_timestamp(self.now)
            );
            out.push(error_row(
                self.now,
                &Failure { name: "Out of order ROWTIME", message, row },
                SOURCE_STREAM,
                Some(record),
            ));
            return out;
        }
        self.advance_into(rowtime_ms, &mut out);
        match self.schema.map(record) {
            Ok(values) => self.route(0, Row { rowtime: rowtime_ms, values }, &mut out, 0),
            Err((name, message)) => {
                let failure = Failure { name, message, row: Row { rowtime: rowtime_ms, values: Vec::new() } };
                out.push(error_row(rowtime_ms, &failure, SOURCE_STREAM, Some(record)));
            }
        }
        out
    }

    /// The clock moves to `now_ms` with no record: windows that end by then emit.
    pub fn advance(&mut self, now_ms: i64) -> Vec<Emitted> {
        let mut out = Vec::new();
        self.advance_into(now_ms, &mut out);
        out
    }

    /// The end of the input: every open window closes at its own end.
    pub fn finish(&mut self) -> Vec<Emitted> {
        self.advance(i64::MAX)
    }

    /// The next instant something will emit without new input.
    pub fn deadline(&self) -> Option<i64> {
        self.pumps.iter().flat_map(|p| &p.chains).flat_map(|c| &c.stages).filter_map(Stage::deadline).min()
    }

    fn advance_into(&mut self, to: i64, out: &mut Vec<Emitted>) {
        while let Some(d) = self.deadline().filter(|d| *d <= to) {
            self.now = self.now.max(d);
            for p in 0..self.pumps.len() {
                for c in 0..self.pumps[p].chains.len() {
                    let result = drive(&mut self.pumps[p].chains[c].stages, Vec::new(), Some(d));
                    self.deliver(p, result, out, 0);
                }
            }
        }
        self.now = self.now.max(to);
    }

    /// `row` enters stream `s`: every pump reading it runs.
    fn route(&mut self, s: usize, row: Row, out: &mut Vec<Emitted>, depth: usize) {
        for p in 0..self.pumps.len() {
            for c in 0..self.pumps[p].chains.len() {
                if self.pumps[p].chains[c].source == s {
                    let result = drive(&mut self.pumps[p].chains[c].stages, vec![row.clone()], None);
                    self.deliver(p, result, out, depth);
                }
            }
        }
    }

    /// A pump's output: inserted into its target (typed as the target's columns) and routed on.
    fn deliver(&mut self, p: usize, result: Out, out: &mut Vec<Emitted>, depth: usize) {
        let pump = self.pumps[p].name.clone();
        for f in &result.failures {
            out.push(error_row(f.row.rowtime, f, &pump, None));
        }
        for row in result.rows {
            let Some((t, slots)) = self.pumps[p].target.clone() else {
                // A preview: printed under the select's own column names.
                let names = &self.pumps[p].chains[0].columns;
                let map = names.iter().cloned().zip(row.values.iter().map(Value::to_json)).collect();
                out.push(Emitted { stream: PREVIEW.to_string(), rowtime: row.rowtime, row: map });
                continue;
            };
            let def = &self.streams[t];
            let mut values = vec![Value::Null; def.columns.len()];
            let mut problem = None;
            for (v, slot) in row.values.iter().zip(&slots) {
                match v.coerce(def.columns[*slot].1) {
                    Ok(v) => values[*slot] = v,
                    Err(m) => {
                        problem = Some(format!("column {}: {m}", def.columns[*slot].0));
                        break;
                    }
                }
            }
            if let Some(message) = problem {
                out.push(error_row(row.rowtime, &Failure { name: "Coercion error", message, row }, &pump, None));
                continue;
            }
            let map = def.columns.iter().map(|(n, _)| n.clone()).zip(values.iter().map(Value::to_json)).collect();
            out.push(Emitted { stream: def.name.clone(), rowtime: row.rowtime, row: map });
            if depth < STATEMENTS_MAX {
                self.route(t, Row { rowtime: row.rowtime, values }, out, depth + 1);
            }
        }
    }
}

/// A stream the pumps feed back into itself (through any number of pumps), if there is one.
fn loop_through(pumps: &[Pump], streams: usize) -> Option<usize> {
    let edges: Vec<(usize, usize)> = pumps
        .iter()
        .filter_map(|p| p.target.as_ref().map(|(t, _)| (p, *t)))
        .flat_map(|(p, t)| p.chains.iter().map(move |c| (c.source, t)))
        .collect();
    (0..streams).find(|start| {
        // Depth-first from `start`'s targets; reaching `start` again is a loop.
        let mut seen = vec![false; streams];
        let mut todo: Vec<usize> = edges.iter().filter(|(a, _)| a == start).map(|(_, b)| *b).collect();
        while let Some(s) = todo.pop() {
            if s == *start {
                return true;
            }
            if !std::mem::replace(&mut seen[s], true) {
                todo.extend(edges.iter().filter(|(a, _)| *a == s).map(|(_, b)| *b));
            }
        }
        false
    })
}

/// Runs `rows` through `stages` (each stage first catches up to the row's ROWTIME), then, with `until`,
/// moves every stage's clock there.
fn drive(stages: &mut [Stage], rows: Vec<Row>, until: Option<i64>) -> Out {
    let mut carried = rows;
    let mut failures = Vec::new();
    for stage in stages.iter_mut() {
        let mut out = Out::default();
        for r in carried {
            stage.advance(r.rowtime, &mut out);
            stage.push(r, &mut out);
        }
        if let Some(t) = until {
            stage.advance(t, &mut out);
        }
        carried = out.rows;
        failures.extend(out.failures);
    }
    Out { rows: carried, failures }
}

/// An `error_stream` row (§2.1): ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW
/// (hex of the record, or of the row's text) and PUMP_NAME.
fn error_row(at: i64, f: &Failure, pump: &str, record: Option<&[u8]>) -> Emitted {
    let data: Vec<u8> = match record {
        Some(r) => r.to_vec(),
        None => f.row.values.iter().map(Value::to_string).collect::<Vec<_>>().join(",").into_bytes(),
    };
    let hex: String = data.iter().take(49_152 / 2).map(|b| format!("{b:02x}")).collect();
    let row = vec![
        ("ERROR_TIME".to_string(), Json::String(format_timestamp(at))),
        ("ERROR_LEVEL".to_string(), Json::String("ERROR".into())),
        ("ERROR_NAME".to_string(), Json::String(f.name.to_string())),
        ("MESSAGE".to_string(), Json::String(f.message.chars().take(4_096).collect())),
        ("DATA_ROWTIME".to_string(), Json::String(format_timestamp(f.row.rowtime))),
        ("DATA_ROW".to_string(), Json::String(hex)),
        ("PUMP_NAME".to_string(), Json::String(pump.to_string())),
    ];
    Emitted { stream: ERROR_STREAM.to_string(), rowtime: at, row }
}
