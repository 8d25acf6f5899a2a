//! One Kinesis Data Analytics application (spec §2.1, §3.1): its configuration as CreateApplication gave it,
//! its status, and — while it runs — its SQL application or Flink-style job with the reader of its source
//! and the rows waiting for their destinations.

use super::runtime::{Runtime, RuntimeSpec, Stepped};
use crate::engine::kds::reader::StreamReader;
use crate::engine::kds::types::ShardIteratorType;
use crate::engine::time::SimTime;
use serde_json::Value as Json;
use std::collections::{BTreeMap, VecDeque};

/// How many emitted rows an application keeps for its result table.
pub const RESULTS_KEPT: usize = 200;

/// ApplicationStatus (§3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ready,
    Starting,
    Running,
    Stopping,
}

impl Status {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "READY",
            Status::Starting => "STARTING",
            Status::Running => "RUNNING",
            Status::Stopping => "STOPPING",
        }
    }
}

/// Where output rows go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A Kinesis data stream (PutRecords).
    Kinesis(String),
    /// A Firehose stream (PutRecordBatch).
    Firehose(String),
    /// Kept in the application's result table only (a Flink `table` sink).
    Table,
}

/// A SQL output (§2.1): an in-application stream, its destination and the record format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlOutput {
    /// The in-application stream (case-sensitive).
    pub name: String,
    pub destination: Destination,
    /// CSV (true) or JSON.
    pub csv: bool,
}

/// Where the application's rows go.
#[derive(Clone, Debug, PartialEq)]
pub enum Config {
    /// SQL-1_0: the outputs.
    Sql { outputs: Vec<SqlOutput> },
    /// FLINK-*: the sink, its partition key field, and the KPUs from Parallelism and ParallelismPerKPU.
    Flink { sink: Destination, sink_name: String, partition_key: Option<String>, kpus: u32 },
}

/// A row on its way to a destination; it is retried until accepted (KDA retries forever, §2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub destination: Destination,
    pub partition_key: String,
    pub data: Vec<u8>,
}

/// A row the application emitted, for its result table.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    /// The in-application stream, sink or side output.
    pub stream: String,
    /// ROWTIME (SQL) or the processing time of the emission (Flink), epoch milliseconds.
    pub rowtime_ms: i64,
    pub row: Vec<(String, Json)>,
    /// Emitted again after a restore from a checkpoint.
    pub replayed: bool,
}

/// Counts over the application's life.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records read from the source.
    pub records_in: u64,
    pub bytes_in: u64,
    /// Rows emitted, per in-application stream or sink.
    pub rows_out: BTreeMap<String, u64>,
    /// Rows emitted again after a restore (the sink's duplicates).
    pub replayed: u64,
    /// Records each destination accepted.
    pub delivered: BTreeMap<String, u64>,
    /// Delivery attempts a destination refused (they are retried).
    pub refused: u64,
    /// GetRecords calls the shared shard limits refused.
    pub throttled_reads: u64,
    /// MillisBehindLatest of the last read.
    pub millis_behind_latest: u64,
    /// Restarts after an injected failure (Flink's fullRestarts).
    pub full_restarts: u64,
    /// Why the last start failed, if it did.
    pub start_failure: Option<String>,
}

/// What an application reads (spec §2.2: exactly one streaming input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A KDS stream, as one standard consumer.
    Kds(String),
    /// A Firehose stream: the records it accepts, as they enter it (their rows carry no shard).
    Firehose(String),
}

/// Where a running application reads from, once a second.
#[derive(Debug)]
pub enum Source {
    Kds(StreamReader),
    Firehose { stream: String, next_poll: Option<SimTime> },
}

impl Source {
    pub fn next_poll(&self) -> Option<SimTime> {
        match self {
            Source::Kds(r) => r.next_poll,
            Source::Firehose { next_poll, .. } => *next_poll,
        }
    }

    pub fn set_next_poll(&mut self, at: Option<SimTime>) {
        match self {
            Source::Kds(r) => r.next_poll = at,
            Source::Firehose { next_poll, .. } => *next_poll = at,
        }
    }

    pub fn due(&self, now: SimTime) -> bool {
        self.next_poll().is_some_and(|at| at <= now)
    }
}

/// A running application.
#[derive(Debug)]
pub struct Run {
    pub runtime: Box<dyn Runtime>,
    /// Where it stood after its last step.
    pub last: Stepped,
    pub source: Source,
    pub outbox: VecDeque<Pending>,
    /// Records read since the start, in order, kept for a Flink job's replay after a restore.
    pub log: Vec<super::runtime::SourceRecord>,
    /// When a restored job resumes reading its log, and from which record.
    pub replay: Option<(SimTime, usize)>,
    /// Since when it has run without interruption (uptime).
    pub up_since: SimTime,
}

/// One application.
#[derive(Debug)]
pub struct Application {
    pub name: String,
    pub arn: String,
    pub description: String,
    /// `SQL-1_0`, `FLINK-1_15`, …
    pub runtime: String,
    pub role: String,
    pub code: String,
    pub status: Status,
    pub version_id: u64,
    pub created: SimTime,
    pub updated: SimTime,
    pub config: Config,
    /// What its runtime is started from.
    pub spec: RuntimeSpec,
    /// What it reads.
    pub input: Input,
    /// Where it starts reading when started without a RunConfiguration.
    pub start_position: ShardIteratorType,
    /// The member JSON of ApplicationConfiguration, echoed by DescribeApplication.
    pub configuration: Json,
    /// When STARTING or STOPPING ends.
    pub settles_at: Option<SimTime>,
    pub run: Option<Run>,
    pub stats: Stats,
    pub results: VecDeque<ResultRow>,
    pub metrics: super::metrics::AppMetrics,
}

impl Application {
    /// The KPUs it runs on: Flink's ceil(Parallelism / ParallelismPerKPU) plus the orchestration KPU
    /// (§3.1); a SQL application's one KPU per in-application input stream [SIM] (the service scales it).
    pub fn kpus(&self) -> u32 {
        match &self.config {
            Config::Flink { kpus, .. } => kpus + 1,
            Config::Sql { .. } => 1,
        }
    }

    /// Keeps `row` for the result table, dropping the oldest past [`RESULTS_KEPT`].
    pub fn keep(&mut self, row: ResultRow) {
        *self.stats.rows_out.entry(row.stream.clone()).or_default() += 1;
        self.stats.replayed += u64::from(row.replayed);
        if self.results.len() == RESULTS_KEPT {
            self.results.pop_front();
        }
        self.results.push_back(row);
    }
}
