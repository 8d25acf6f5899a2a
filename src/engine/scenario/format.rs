//! The scenario file: a whole pipeline described in JSON — streams, producers, consumers, scheduled
//! actions, the seed — that the command line and the UI both run.
//!
//! Every field is snake_case; times are seconds of simulated time since the scenario started (`*_s`) or
//! milliseconds (`*_ms`); unknown fields are refused, so a typo is an error, not a silent default.

use crate::engine::kds::settings::KdsSettings;
use crate::engine::kds::shard::Detail;
use crate::engine::workload::keys::KeyStrategy;
use crate::engine::workload::rate::RateProfile;
use crate::engine::workload::size::SizeDist;
use serde::{Deserialize, Serialize};

/// A whole what-if run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short identifier (preset name, file stem).
    pub name: String,
    /// One line saying what the scenario shows.
    pub title: String,
    /// Two sentences: what happens, and what it teaches.
    pub explanation: String,
    /// The seed every random choice descends from.
    pub seed: u64,
    /// How long to simulate, in seconds.
    pub duration_s: f64,
    /// The UTC wall-clock time at t = 0, as `YYYY-MM-DDTHH:MM:SSZ` (diurnal curves follow it).
    #[serde(default = "default_start")]
    pub start: String,
    /// `records` keeps every record (live, inspectable); `runs` counts runs of equal records (fast-forward).
    #[serde(default)]
    pub detail: Detail,
    /// How often producers hand records to their client library, in ms (default 100 for records, 1,000 for runs).
    pub tick_ms: Option<u64>,
    /// The interval of the metric series, in seconds.
    #[serde(default = "default_sample_s")]
    pub sample_s: u64,
    /// The simulated account's settings (any subset; the rest keep their defaults).
    #[serde(default)]
    pub kds: KdsSettings,
    /// The simulated Firehose's settings (any subset).
    #[serde(default)]
    pub firehose: crate::engine::firehose::settings::FirehoseSettings,
    /// The simulated S3's settings (any subset).
    #[serde(default)]
    pub s3: crate::engine::s3::S3Settings,
    /// Streams created at the start.
    #[serde(default)]
    pub streams: Vec<StreamSpec>,
    /// Who writes.
    #[serde(default)]
    pub producers: Vec<ProducerSpec>,
    /// Who reads.
    #[serde(default)]
    pub consumers: Vec<ConsumerSpec>,
    /// What happens at given times.
    #[serde(default)]
    pub actions: Vec<ScheduledAction>,
    /// AWS requests made at given times: Firehose streams, buckets and functions, outages.
    #[serde(default)]
    pub calls: Vec<super::firehose::CallSpec>,
    /// Producers writing to Firehose streams with Direct PUT.
    #[serde(default)]
    pub firehose_producers: Vec<super::firehose::DirectPutSpec>,
    /// Prices for the cost estimate (any subset; defaults are illustrative us-east-1 figures).
    #[serde(default)]
    pub prices: crate::planner::cost::Prices,
}

fn default_start() -> String {
    "2024-01-01T00:00:00Z".to_string()
}

fn default_sample_s() -> u64 {
    60
}

/// A stream created when the scenario starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// Its name.
    pub name: String,
    /// `provisioned` (with `shards`) or `on_demand`.
    #[serde(default)]
    pub mode: ModeSpec,
    /// Open shards at creation (provisioned).
    pub shards: Option<u32>,
    /// Retention in hours (24 … 8,760).
    #[serde(default = "default_retention")]
    pub retention_hours: u32,
}

fn default_retention() -> u32 {
    24
}

/// A stream's capacity mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeSpec {
    /// Shards chosen by the owner.
    #[default]
    Provisioned,
    /// Kinesis scales the shards.
    OnDemand,
}

/// A simulated producer application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// Its name.
    pub name: String,
    /// The stream it writes to.
    pub stream: String,
    /// Its rate: one profile or several summed.
    pub rate: OneOrMany<RateProfile>,
    /// How it picks partition keys.
    pub keys: KeyStrategy,
    /// Data bytes per record (give this or `template`).
    pub size: Option<SizeDist>,
    /// A Kinesis Data Generator record template for the bodies (give this or `size`).
    pub template: Option<String>,
    /// PutRecord (one call per record) or PutRecords (batches).
    #[serde(default)]
    pub api: PutApi,
    /// PutRecords batching.
    #[serde(default)]
    pub batch: BatchSpec,
    /// What it does with failed records.
    #[serde(default)]
    pub retry: RetrySpec,
    /// Send through the KPL (collection, aggregation, rate limit, TTL) instead of plain SDK calls.
    pub kpl: Option<KplSpec>,
    /// Records the consumers' failure model rejects.
    pub poison: Option<PoisonSpec>,
    /// When it starts sending, in seconds.
    #[serde(default)]
    pub start_s: f64,
    /// When it stops sending, in seconds (never when absent).
    pub stop_s: Option<f64>,
}

/// One item or a list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single item.
    One(T),
    /// Several.
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    /// The items as a list.
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x.clone()],
            OneOrMany::Many(xs) => xs.clone(),
        }
    }
}

/// Which write API a producer calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PutApi {
    /// One PutRecord call per record.
    PutRecord,
    /// PutRecords with up to 500 records per call.
    #[default]
    PutRecords,
}

/// How a producer groups records into PutRecords calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpec {
    /// Records per call at most (1 … 500).
    #[serde(default = "default_batch_records")]
    pub max_records: u32,
    /// How long a partial batch waits for more records, in ms (0: send every tick's records at once).
    #[serde(default)]
    pub linger_ms: u64,
}

fn default_batch_records() -> u32 {
    500
}

impl Default for BatchSpec {
    fn default() -> Self {
        BatchSpec { max_records: 500, linger_ms: 0 }
    }
}

/// Retries of failed records (spec §4.7, §5.8): delay_n = jitter(min(cap, base·2^n)).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Sends per record at most, the first included (1: never retry).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// The first backoff, in ms.
    #[serde(default = "default_base_ms")]
    pub base_ms: u64,
    /// The longest backoff, in ms.
    #[serde(default = "default_cap_ms")]
    pub cap_ms: u64,
    /// `full` (AWS SDK style), `equal`, or `none` (every retry at the full delay: synchronized storms).
    #[serde(default)]
    pub jitter: Jitter,
    /// Fraction (0–1) of calls whose acknowledgement is lost after they succeeded (a timeout): the
    /// producer resends the whole call, and the stored records are written twice (duplicates).
    #[serde(default)]
    pub lost_ack_fraction: f64,
}

fn default_attempts() -> u32 {
    4
}
fn default_base_ms() -> u64 {
    100
}
fn default_cap_ms() -> u64 {
    5_000
}

impl Default for RetrySpec {
    fn default() -> Self {
        RetrySpec { max_attempts: 4, base_ms: 100, cap_ms: 5_000, jitter: Jitter::Full, lost_ack_fraction: 0.0 }
    }
}

/// How a backoff is randomised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// U(0, d).
    #[default]
    Full,
    /// d/2 + U(0, d/2).
    Equal,
    /// d exactly.
    None,
}

/// KPL settings (spec §1.10); defaults are the KPL's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KplSpec {
    /// AggregationEnabled: pack user records into Kinesis records.
    #[serde(default = "yes")]
    pub aggregation: bool,
    /// AggregationMaxSize in bytes (64 … 1,048,576).
    #[serde(default = "default_aggregation_bytes")]
    pub aggregation_max_bytes: u32,
    /// RecordMaxBufferedTime in ms (≥ 100): how long records wait to be collected.
    #[serde(default = "default_buffered_ms")]
    pub max_buffered_ms: u64,
    /// RecordTtl in ms: user records not put by then fail as expired.
    #[serde(default = "default_ttl_ms")]
    pub record_ttl_ms: u64,
    /// RateLimit: the most the client sends to one shard, in percent of the shard's limits.
    #[serde(default = "default_rate_limit")]
    pub rate_limit_percent: u32,
    /// FailIfThrottled: throttled records fail at once instead of being retried.
    #[serde(default)]
    pub fail_if_throttled: bool,
}

impl Default for KplSpec {
    fn default() -> Self {
        KplSpec {
            aggregation: true,
            aggregation_max_bytes: default_aggregation_bytes(),
            max_buffered_ms: default_buffered_ms(),
            record_ttl_ms: default_ttl_ms(),
            rate_limit_percent: default_rate_limit(),
            fail_if_throttled: false,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_aggregation_bytes() -> u32 {
    51_200
}
fn default_buffered_ms() -> u64 {
    100
}
fn default_ttl_ms() -> u64 {
    30_000
}
fn default_rate_limit() -> u32 {
    150
}

/// Which records are poison pills for consumers with a failure model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoisonSpec {
    /// Send one malformed record at each of these times (seconds).
    #[serde(default)]
    pub at_s: Vec<f64>,
}

/// A simulated consumer application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConsumerSpec {
    /// A shared-throughput reader: GetRecords per shard in a loop (spec §1.7).
    Polling(PollingSpec),
    /// An enhanced fan-out consumer: SubscribeToShard pushes (spec §1.6).
    Efo(EfoSpec),
    /// A KCL application: workers sharing shards through leases, with checkpoints (spec §1.8).
    Kcl(KclSpec),
    /// A Lambda function behind an event source mapping (spec §1.9).
    Lambda(LambdaSpec),
}

impl ConsumerSpec {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            ConsumerSpec::Polling(p) => &p.name,
            ConsumerSpec::Efo(e) => &e.name,
            ConsumerSpec::Kcl(k) => &k.name,
            ConsumerSpec::Lambda(l) => &l.name,
        }
    }

    /// The stream it reads.
    pub fn stream(&self) -> &str {
        match self {
            ConsumerSpec::Polling(p) => &p.stream,
            ConsumerSpec::Efo(e) => &e.stream,
            ConsumerSpec::Kcl(k) => &k.stream,
            ConsumerSpec::Lambda(l) => &l.stream,
        }
    }

    /// When it starts, in seconds.
    pub fn start_s(&self) -> f64 {
        match self {
            ConsumerSpec::Polling(p) => p.start_s,
            ConsumerSpec::Efo(e) => e.start_s,
            ConsumerSpec::Kcl(k) => k.start_s,
            ConsumerSpec::Lambda(l) => l.start_s,
        }
    }
}

/// A polling consumer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollingSpec {
    /// Its name.
    pub name: String,
    /// The stream it reads.
    pub stream: String,
    /// Where it starts in each shard.
    #[serde(default)]
    pub start: StartSpec,
    /// Pause between a batch's processing and the next GetRecords, in ms.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// GetRecords Limit (1 … 10,000).
    #[serde(default = "default_limit")]
    pub limit: u64,
    /// Processing time per record, in ms (fractions allowed).
    #[serde(default)]
    pub process_ms_per_record: f64,
    /// When it starts, in seconds.
    #[serde(default)]
    pub start_s: f64,
}

fn default_poll_ms() -> u64 {
    1_000
}
fn default_limit() -> u64 {
    10_000
}

/// An enhanced fan-out consumer (its name is the registered consumer's name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfoSpec {
    /// Its name (1–128 of a-z, A-Z, 0-9, '_', '.', '-').
    pub name: String,
    /// The stream it reads.
    pub stream: String,
    /// Where it starts in each shard.
    #[serde(default)]
    pub start: StartSpec,
    /// When it registers, in seconds.
    #[serde(default)]
    pub start_s: f64,
}

/// A KCL application; defaults are the KCL's (spec §1.8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KclSpec {
    /// The application name (names its lease table).
    pub name: String,
    /// The stream it reads.
    pub stream: String,
    /// Workers at the start.
    #[serde(default = "one")]
    pub workers: u32,
    /// Initial position in a shard without a checkpoint (KCL's default: TRIM_HORIZON).
    #[serde(default = "trim_horizon")]
    pub start: StartSpec,
    /// failoverTimeMillis: a lease not renewed for this long may be taken.
    #[serde(default = "default_failover_ms")]
    pub failover_ms: u64,
    /// idleTimeBetweenReadsInMillis.
    #[serde(default = "default_idle_ms")]
    pub idle_ms: u64,
    /// maxRecords per GetRecords.
    #[serde(default = "default_limit")]
    pub max_records: u64,
    /// Checkpoint at most this often, in ms (0: after every batch).
    #[serde(default)]
    pub checkpoint_every_ms: u64,
    /// shardSyncIntervalMillis.
    #[serde(default = "default_shard_sync_ms")]
    pub shard_sync_ms: u64,
    /// Processing time per record, in ms.
    #[serde(default)]
    pub process_ms_per_record: f64,
    /// When the workers start, in seconds.
    #[serde(default)]
    pub start_s: f64,
}

fn one() -> u32 {
    1
}
fn trim_horizon() -> StartSpec {
    StartSpec::TrimHorizon
}
fn default_failover_ms() -> u64 {
    10_000
}
fn default_idle_ms() -> u64 {
    1_500
}
fn default_shard_sync_ms() -> u64 {
    60_000
}

/// A Lambda function and its event source mapping; names and ranges are the AWS parameters'.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaSpec {
    /// The function's name.
    pub name: String,
    /// The stream it reads (shared throughput).
    pub stream: String,
    /// StartingPosition.
    #[serde(default)]
    pub start: StartSpec,
    /// BatchSize (1 … 10,000).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// MaximumBatchingWindowInSeconds (0 … 300).
    #[serde(default)]
    pub batching_window_s: u32,
    /// ParallelizationFactor (1 … 10): concurrent batches per shard.
    #[serde(default = "one")]
    pub parallelization_factor: u32,
    /// BisectBatchOnFunctionError.
    #[serde(default)]
    pub bisect_on_error: bool,
    /// MaximumRetryAttempts (−1: until the records expire; 0 … 10,000).
    #[serde(default = "minus_one")]
    pub max_retry_attempts: i64,
    /// MaximumRecordAgeInSeconds (−1: no limit; 60 … 604,800).
    #[serde(default = "minus_one")]
    pub max_record_age_s: i64,
    /// FunctionResponseTypes ["ReportBatchItemFailures"]: the function names the first failed record.
    #[serde(default)]
    pub report_batch_item_failures: bool,
    /// DestinationConfig.OnFailure: where discarded batches' metadata goes (an SQS queue or SNS topic).
    pub on_failure: Option<String>,
    /// How long an invocation takes, in ms, before its records.
    #[serde(default = "default_invocation_ms")]
    pub invocation_ms: f64,
    /// Extra time per record, in ms.
    #[serde(default)]
    pub ms_per_record: f64,
    /// The failure model beyond poison records: the fraction (0–1) of invocations that fail transiently.
    #[serde(default)]
    pub error_fraction: f64,
    /// The pause before a failed batch is retried, in ms [M: not documented; retries are prompt].
    #[serde(default = "default_retry_delay_ms")]
    pub retry_delay_ms: u64,
    /// When the mapping is enabled, in seconds.
    #[serde(default)]
    pub start_s: f64,
}

fn default_batch_size() -> u32 {
    100
}
fn minus_one() -> i64 {
    -1
}
fn default_invocation_ms() -> f64 {
    50.0
}
fn default_retry_delay_ms() -> u64 {
    500
}

/// Where a consumer starts reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartSpec {
    /// The oldest record kept.
    TrimHorizon,
    /// Only records arriving from now on.
    #[default]
    Latest,
}

/// Something that happens at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledAction {
    /// When, in seconds.
    pub at_s: f64,
    /// What.
    #[serde(flatten)]
    pub action: Action,
}

/// The actions a scenario can schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// UpdateShardCount with UNIFORM_SCALING.
    UpdateShardCount { stream: String, target: u32 },
    /// SplitShard at `at_key` (a decimal hash key), or in the middle of the shard's range.
    SplitShard {
        stream: String,
        shard: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_key: Option<String>,
    },
    /// MergeShards of two adjacent shards.
    MergeShards { stream: String, shard: String, adjacent: String },
    /// Increase or DecreaseStreamRetentionPeriod.
    SetRetention { stream: String, hours: u32 },
    /// UpdateStreamMode.
    SetMode { stream: String, mode: ModeSpec },
    /// A producer stops sending.
    StopProducer { producer: String },
    /// A KCL application gains a worker.
    AddWorker { consumer: String },
    /// A KCL worker crashes (its leases move after failoverTimeMillis); the newest running one by default.
    CrashWorker { consumer: String, worker: Option<u32> },
    /// A KCL worker shuts down cleanly (it checkpoints and releases its leases); the newest by default.
    StopWorker { consumer: String, worker: Option<u32> },
    /// A stopped producer sends again.
    StartProducer { producer: String },
}
