//! The lab's Amazon Redshift: the clusters a Firehose Redshift destination COPYs into (spec §1.10), and
//! the Redshift Data API to make tables and look at them (`"service": "redshift-data"`:
//! ExecuteStatement, DescribeStatement, GetStatementResult). Like buckets, a cluster exists as soon as a
//! request or a stream's `ClusterJDBCURL` names it. Statements run at once ([`sql`]); COPY reads what
//! Firehose staged in S3 ([`copy`]) and records STL_LOAD_ERRORS and STL_LOAD_COMMITS, which SELECT reads
//! like any table. The lab's drill is `InjectOutage {ClusterIdentifier, DurationSeconds}`: the cluster
//! refuses connections until it ends.

pub mod copy;
pub mod sql;
pub mod types;

use crate::columnar::Cell;
use crate::engine::rng::SimRng;
use crate::engine::time::{SimDuration, SimTime};
use copy::{LoadError, Target};
use serde_json::{json, Value};
use sql::{Projection, Statement};
use std::collections::BTreeMap;
use types::RsType;

/// Statements remembered for DescribeStatement and GetStatementResult.
pub const STATEMENTS_KEPT: usize = 1_000;
/// System-table rows kept per cluster.
pub const SYSTEM_ROWS_KEPT: usize = 1_000;

/// A request to the Data API (and the lab's drill).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedshiftRequest {
    ExecuteStatement { cluster: String, database: String, sql: String },
    DescribeStatement { id: String },
    GetStatementResult { id: String },
    InjectOutage { cluster: String, seconds: u64 },
}

/// A failed call: the Data API's exception name and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedshiftError {
    pub code: &'static str,
    pub message: String,
}

/// A table: its columns and rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Target>,
    pub rows: Vec<Vec<Cell>>,
}

/// One cluster.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub tables: BTreeMap<String, Table>,
    pub outage_until: Option<SimTime>,
    /// STL_LOAD_ERRORS: (query, when, error).
    pub load_errors: Vec<(u64, SimTime, LoadError)>,
    /// STL_LOAD_COMMITS: (query, when, file, lines scanned).
    pub load_commits: Vec<(u64, SimTime, String, u64)>,
}

/// A result set: (name, type name) per column, and Data API records.
type ResultSet = (Vec<(String, String)>, Vec<Vec<Value>>);
/// A table's columns and rows, as SELECT reads them.
type Rows = (Vec<(String, RsType)>, Vec<Vec<Cell>>);

/// A statement's outcome: column names and types with rows, or Redshift's error.
#[derive(Clone, Debug, PartialEq)]
struct Run {
    cluster: String,
    database: String,
    sql: String,
    at: SimTime,
    result: Result<ResultSet, String>,
}

/// What a COPY did.
#[derive(Clone, Debug, PartialEq)]
pub enum CopyOutcome {
    /// Read: the rows to commit when the COPY finishes, the lines scanned per file, and the bad fields
    /// within MAXERROR.
    Loaded { query: u64, rows: Vec<Vec<Cell>>, lines: Vec<(String, u64)>, errors: usize },
    /// Refused: Firehose's error code [M] and Redshift's message.
    Failed { code: &'static str, message: String },
}

/// A COPY as Firehose issues it.
#[derive(Clone, Debug)]
pub struct CopyRequest<'a> {
    pub cluster: &'a str,
    pub table: &'a str,
    /// `DataTableColumns`, comma-separated.
    pub columns: Option<&'a str>,
    /// `CopyOptions`.
    pub options: &'a str,
    /// The manifest's files: S3 URL and body.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The account's clusters.
#[derive(Clone, Debug)]
pub struct Clusters {
    epoch_ms: u64,
    rng: SimRng,
    clusters: BTreeMap<String, Cluster>,
    runs: BTreeMap<String, Run>,
    order: std::collections::VecDeque<String>,
    queries: u64,
}

/// The cluster and database a `ClusterJDBCURL` names: `jdbc:redshift://<cluster>.<…>:<port>/<database>`.
pub fn cluster_of(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("jdbc:redshift://")?;
    let (host, database) = rest.split_once('/')?;
    let cluster = host.split('.').next().filter(|c| !c.is_empty())?;
    let database = database.split('?').next().filter(|d| !d.is_empty())?;
    Some((cluster.to_ascii_lowercase(), database.to_string()))
}

impl Clusters {
    /// No clusters yet.
    pub fn new(rng: SimRng, epoch_ms: u64) -> Clusters {
        Clusters {
            epoch_ms,
            rng,
            clusters: BTreeMap::new(),
            runs: BTreeMap::new(),
            order: Default::default(),
            queries: 0,
        }
    }

    /// The clusters, by identifier.
    pub fn clusters(&self) -> &BTreeMap<String, Cluster> {
        &self.clusters
    }

    /// Makes sure a cluster exists.
    pub fn ensure(&mut self, cluster: &str) {
        self.clusters.entry(cluster.to_ascii_lowercase()).or_default();
    }

    /// Answers one request.
    pub fn handle(&mut self, now: SimTime, request: RedshiftRequest) -> Result<Value, RedshiftError> {
        match request {
            RedshiftRequest::ExecuteStatement { cluster, database, sql } => {
                let id = crate::engine::firehose::delivery::uuid(&mut self.rng);
                let result = self.execute(now, &cluster.to_ascii_lowercase(), &sql);
                let run = Run { cluster: cluster.clone(), database: database.clone(), sql, at: now, result };
                self.runs.insert(id.clone(), run);
                self.order.push_back(id.clone());
                if self.order.len() > STATEMENTS_KEPT {
                    let old = self.order.pop_front().expect("longer than the limit");
                    self.runs.remove(&old);
                }
                Ok(
                    json!({ "Id": id, "ClusterIdentifier": cluster, "Database": database, "CreatedAt": self.epoch(now) }),
                )
            }
            RedshiftRequest::DescribeStatement { id } => {
                let run = self.run(&id)?;
                let mut d = json!({
                    "Id": id,
                    "ClusterIdentifier": run.cluster,
                    "Database": run.database,
                    "QueryString": run.sql,
                    "CreatedAt": self.epoch(run.at),
                    "UpdatedAt": self.epoch(run.at),
                    "Duration": 0,
                });
                match &run.result {
                    Ok((columns, rows)) => {
                        d["Status"] = json!("FINISHED");
                        d["HasResultSet"] = json!(!columns.is_empty());
                        d["ResultRows"] = json!(if columns.is_empty() { -1 } else { rows.len() as i64 });
                    }
                    Err(e) => {
                        d["Status"] = json!("FAILED");
                        d["Error"] = json!(format!("ERROR: {e}"));
                        d["HasResultSet"] = json!(false);
                    }
                }
                Ok(d)
            }
            RedshiftRequest::GetStatementResult { id } => {
                let run = self.run(&id)?;
                match &run.result {
                    Ok((columns, rows)) if !columns.is_empty() => Ok(json!({
                        "ColumnMetadata": columns.iter().map(|(n, t)| json!({"name": n, "label": n, "typeName": t})).collect::<Vec<_>>(),
                        "Records": rows,
                        "TotalNumRows": rows.len(),
                    })),
                    _ => Err(RedshiftError {
                        code: "ResourceNotFoundException",
                        message: "Query does not have result. Please check query status with DescribeStatement.".into(),
                    }),
                }
            }
            RedshiftRequest::InjectOutage { cluster, seconds } => {
                let c = self.clusters.entry(cluster.to_ascii_lowercase()).or_default();
                c.outage_until = Some(now + SimDuration::from_secs(seconds));
                Ok(json!({}))
            }
        }
    }

    fn run(&self, id: &str) -> Result<&Run, RedshiftError> {
        self.runs
            .get(id)
            .ok_or_else(|| RedshiftError { code: "ResourceNotFoundException", message: "Query does not exist.".into() })
    }

    fn epoch(&self, at: SimTime) -> f64 {
        (self.epoch_ms + at.as_millis()) as f64 / 1_000.0
    }

    fn execute(&mut self, now: SimTime, cluster: &str, text: &str) -> Result<ResultSet, String> {
        let statement = sql::parse(text)?;
        let epoch_ms = self.epoch_ms;
        let c = self.clusters.entry(cluster.to_string()).or_default();
        if c.outage_until.is_some_and(|until| now < until) {
            return Err(format!(
                "could not connect to server: cluster {cluster} is unreachable (the lab's outage drill)"
            ));
        }
        let none = Ok((Vec::new(), Vec::new()));
        match statement {
            Statement::CreateTable { name, if_not_exists, columns } => {
                if c.tables.contains_key(&name) || name.starts_with("stl_") {
                    return if if_not_exists { none } else { Err(format!("Relation \"{name}\" already exists")) };
                }
                let columns =
                    columns.into_iter().map(|d| Target { name: d.name, ty: d.ty, not_null: d.not_null }).collect();
                c.tables.insert(name, Table { columns, rows: Vec::new() });
                none
            }
            Statement::DropTable { name, if_exists } => match c.tables.remove(&name) {
                Some(_) => none,
                None if if_exists => none,
                None => Err(format!("Table \"{name}\" does not exist")),
            },
            Statement::Truncate { name } => {
                c.tables.get_mut(&name).ok_or_else(|| missing(&name))?.rows.clear();
                none
            }
            Statement::Select { projection, table, limit } => {
                let (columns, rows) = system_table(c, &table, epoch_ms).map_or_else(
                    || {
                        let t = c.tables.get(&table).ok_or_else(|| missing(&table))?;
                        let columns: Vec<(String, RsType)> =
                            t.columns.iter().map(|c| (c.name.clone(), c.ty.clone())).collect();
                        Ok::<_, String>((columns, t.rows.clone()))
                    },
                    Ok,
                )?;
                select(columns, rows, &projection, limit, &table)
            }
        }
    }

    /// Runs a COPY now: the rows it read, or why it failed. Bad fields go to STL_LOAD_ERRORS either way.
    pub fn copy(&mut self, now: SimTime, req: &CopyRequest) -> CopyOutcome {
        let failed = |code, message: String| CopyOutcome::Failed { code, message };
        let c = self.clusters.entry(req.cluster.to_ascii_lowercase()).or_default();
        if c.outage_until.is_some_and(|until| now < until) {
            return failed(
                "Redshift.ConnectionFailed",
                format!(
                    "The connection to the specified Amazon Redshift cluster failed. Ensure that security settings allow \
                     Firehose connections, that the cluster or database specified in the Amazon Redshift destination \
                     configuration or JDBC URL is correct, and that the cluster is available. (Cluster {} is in the \
                     lab's outage drill.)",
                    req.cluster
                ),
            );
        }
        let name = req.table.to_ascii_lowercase();
        let Some(table) = c.tables.get(&name) else {
            return failed("Redshift.TableNotFound", format!("ERROR: relation \"{name}\" does not exist"));
        };
        let options = match copy::options(req.options) {
            Ok(o) => o,
            Err(e) => return failed("Redshift.SyntaxError", format!("ERROR: {e}")),
        };
        let listed: Option<Vec<String>> = req
            .columns
            .map(|l| l.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect());
        self.queries += 1;
        let query = self.queries;
        let loaded = match copy::load(&table.columns, listed.as_deref(), &options, &req.files) {
            Ok(l) => l,
            Err(e) if e.contains("does not exist") => return failed("Redshift.ColumnNotFound", format!("ERROR: {e}")),
            Err(e) => return failed("Redshift.DataLoadFailed", format!("ERROR: {e}")),
        };
        let errors = loaded.errors.len();
        c.load_errors.extend(loaded.errors.into_iter().map(|e| (query, now, e)));
        trim(&mut c.load_errors);
        if errors as u64 > options.max_error {
            return failed(
                "Redshift.DataLoadFailed",
                format!("ERROR: Load into table '{name}' failed.  Check 'stl_load_errors' system table for details."),
            );
        }
        CopyOutcome::Loaded { query, rows: loaded.rows, lines: loaded.lines, errors }
    }

    /// A COPY that finished: its rows join the table and its files STL_LOAD_COMMITS.
    pub fn commit(
        &mut self,
        now: SimTime,
        cluster: &str,
        table: &str,
        query: u64,
        rows: Vec<Vec<Cell>>,
        lines: Vec<(String, u64)>,
    ) {
        let c = self.clusters.entry(cluster.to_ascii_lowercase()).or_default();
        if let Some(t) = c.tables.get_mut(&table.to_ascii_lowercase()) {
            t.rows.extend(rows);
        }
        c.load_commits.extend(lines.into_iter().map(|(file, n)| (query, now, file, n)));
        trim(&mut c.load_commits);
    }
}

fn trim<T>(rows: &mut Vec<T>) {
    if rows.len() > SYSTEM_ROWS_KEPT {
        rows.drain(..rows.len() - SYSTEM_ROWS_KEPT);
    }
}

fn missing(name: &str) -> String {
    format!("relation \"{name}\" does not exist")
}

/// STL_LOAD_ERRORS and STL_LOAD_COMMITS as tables.
fn system_table(c: &Cluster, name: &str, epoch_ms: u64) -> Option<Rows> {
    let time = |at: &SimTime| Cell::Timestamp(((epoch_ms + at.as_millis()) * 1_000_000) as i64);
    let text = |s: &str| Cell::Text(s.to_string());
    let col = |n: &str, t: RsType| (n.to_string(), t);
    match name {
        "stl_load_errors" => Some((
            vec![
                col("query", RsType::Integer),
                col("starttime", RsType::Timestamp),
                col("filename", RsType::Varchar(256)),
                col("line_number", RsType::BigInt),
                col("colname", RsType::Char(127)),
                col("type", RsType::Char(10)),
                col("raw_line", RsType::Char(1024)),
                col("raw_field_value", RsType::Char(1024)),
                col("err_code", RsType::Integer),
                col("err_reason", RsType::Char(100)),
            ],
            c.load_errors
                .iter()
                .map(|(q, at, e)| {
                    vec![
                        Cell::Int(*q as i64),
                        time(at),
                        text(&e.filename),
                        Cell::Int(e.line_number as i64),
                        text(&e.colname),
                        text(&e.type_name),
                        text(&e.raw_line),
                        text(&e.raw_field_value),
                        Cell::Int(i64::from(e.err_code)),
                        text(&e.err_reason),
                    ]
                })
                .collect(),
        )),
        "stl_load_commits" => Some((
            vec![
                col("query", RsType::Integer),
                col("filename", RsType::Char(256)),
                col("lines_scanned", RsType::Integer),
                col("curtime", RsType::Timestamp),
            ],
            c.load_commits
                .iter()
                .map(|(q, at, f, n)| vec![Cell::Int(*q as i64), text(f), Cell::Int(*n as i64), time(at)])
                .collect(),
        )),
        _ => None,
    }
}

/// A SELECT's columns and Data API records.
fn select(
    columns: Vec<(String, RsType)>,
    rows: Vec<Vec<Cell>>,
    projection: &Projection,
    limit: Option<u64>,
    table: &str,
) -> Result<ResultSet, String> {
    let limit = limit.map_or(usize::MAX, |l| l as usize);
    let picked: Vec<usize> = match projection {
        Projection::Count => {
            return Ok((vec![("count".into(), "int8".into())], vec![vec![json!({ "longValue": rows.len() })]]));
        }
        Projection::All => (0..columns.len()).collect(),
        Projection::Columns(names) => names
            .iter()
            .map(|n| {
                columns
                    .iter()
                    .position(|(c, _)| c == n)
                    .ok_or_else(|| format!("column \"{n}\" does not exist in {table}"))
            })
            .collect::<Result<_, _>>()?,
    };
    let records =
        rows.iter().take(limit).map(|row| picked.iter().map(|&i| field(&row[i], &columns[i].1)).collect()).collect();
    Ok((picked.iter().map(|&i| (columns[i].0.clone(), columns[i].1.name())).collect(), records))
}

/// A Data API `Field`.
fn field(cell: &Cell, ty: &RsType) -> Value {
    match cell {
        Cell::Null => json!({ "isNull": true }),
        Cell::Int(v) => json!({ "longValue": v }),
        Cell::Float(v) => json!({ "doubleValue": v }),
        Cell::Bool(b) => json!({ "booleanValue": b }),
        other => json!({ "stringValue": types::text(other, ty) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    fn run(c: &mut Clusters, at: u64, sql: &str) -> Value {
        let req = RedshiftRequest::ExecuteStatement { cluster: "lab".into(), database: "dev".into(), sql: sql.into() };
        let id = c.handle(SimTime::from_secs(at), req).unwrap()["Id"].as_str().unwrap().to_string();
        let d = c.handle(SimTime::from_secs(at), RedshiftRequest::DescribeStatement { id: id.clone() }).unwrap();
        match d["Status"].as_str() {
            Some("FINISHED") if d["HasResultSet"] == json!(true) => {
                c.handle(SimTime::from_secs(at), RedshiftRequest::GetStatementResult { id }).unwrap()
            }
            _ => d,
        }
    }

    #[test]
    fn statements_copy_commit_and_system_tables() {
        let mut c = Clusters::new(SimRng::new(Seed(1)), 1_700_000_000_000);
        assert_eq!(
            cluster_of("jdbc:redshift://Lab.abc123.us-east-1.redshift.amazonaws.com:5439/dev"),
            Some(("lab".into(), "dev".into()))
        );
        run(&mut c, 0, "CREATE TABLE rides (stationid INTEGER NOT NULL, action VARCHAR(8))");
        let missing = run(&mut c, 0, "SELECT * FROM nope");
        assert_eq!(
            (missing["Status"].as_str(), missing["Error"].as_str()),
            (Some("FAILED"), Some("ERROR: relation \"nope\" does not exist"))
        );
        let body = br#"{"stationid": 1, "action": "RENTED"} {"stationid": "x"}"#.to_vec();
        let req = CopyRequest {
            cluster: "lab",
            table: "rides",
            columns: None,
            options: "JSON 'auto'",
            files: vec![("s3://b/k".into(), body.clone())],
        };
        let CopyOutcome::Failed { code, message } = c.copy(SimTime::from_secs(1), &req) else {
            panic!("over MAXERROR 0")
        };
        assert_eq!(code, "Redshift.DataLoadFailed");
        assert_eq!(
            message,
            "ERROR: Load into table 'rides' failed.  Check 'stl_load_errors' system table for details."
        );
        let errors = run(&mut c, 2, "SELECT err_code, err_reason FROM stl_load_errors");
        assert_eq!(errors["Records"][0][0]["longValue"], 1207);
        let lenient = CopyRequest { options: "JSON 'auto' MAXERROR 1", ..req };
        let CopyOutcome::Loaded { query, rows, lines, errors } = c.copy(SimTime::from_secs(3), &lenient) else {
            panic!("within MAXERROR")
        };
        assert_eq!((rows.len(), errors), (1, 1));
        assert_eq!(run(&mut c, 4, "select count(*) from rides")["Records"][0][0]["longValue"], 0, "not committed yet");
        c.commit(SimTime::from_secs(5), "lab", "rides", query, rows, lines);
        let all = run(&mut c, 6, "SELECT * FROM rides");
        assert_eq!(all["Records"], json!([[{"longValue": 1}, {"stringValue": "RENTED"}]]));
        assert_eq!(all["ColumnMetadata"][1]["typeName"], "varchar(8)");
        assert_eq!(run(&mut c, 6, "SELECT lines_scanned FROM stl_load_commits")["Records"][0][0]["longValue"], 2);
        c.handle(SimTime::from_secs(7), RedshiftRequest::InjectOutage { cluster: "LAB".into(), seconds: 60 }).unwrap();
        let CopyOutcome::Failed { code, .. } = c.copy(SimTime::from_secs(8), &lenient) else { panic!("an outage") };
        assert_eq!(code, "Redshift.ConnectionFailed");
        assert!(matches!(
            c.copy(SimTime::from_secs(70), &CopyRequest { table: "gone", ..lenient.clone() }),
            CopyOutcome::Failed { code: "Redshift.TableNotFound", .. }
        ));
        assert!(matches!(
            c.copy(SimTime::from_secs(70), &CopyRequest { options: "JSON 'auto' BOGUS", ..lenient }),
            CopyOutcome::Failed { code: "Redshift.SyntaxError", .. }
        ));
    }
}
