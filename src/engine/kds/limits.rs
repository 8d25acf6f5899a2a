//! Every Kinesis Data Streams limit the engine enforces, with its unit in the name.
//!
//! Sources are the sections of `../shared/spec/kds.md` (§2 rules R01–R65). Values the spec marks [M]
//! are not here: they are settings (`settings.rs`) with these defaults.

/// 1 MiB, the unit of every KDS byte limit ("MB" in AWS's KDS docs means MiB).
pub const MIB: u64 = 1_048_576;

/// R06: the largest Data blob, before base64.
pub const RECORD_DATA_BYTES_MAX: u64 = MIB;
/// R07: the largest record counted as data + UTF-8 partition key.
pub const RECORD_BYTES_MAX: u64 = MIB;
/// R08: partition key length in characters.
pub const PARTITION_KEY_CHARS_MAX: u64 = 256;
/// R10: entries in one PutRecords request.
pub const PUT_RECORDS_ENTRIES_MAX: usize = 500;
/// R11: the sum of data + partition key over one PutRecords request.
pub const PUT_RECORDS_BYTES_MAX: u64 = 5 * MIB;

/// R14: records written per shard per second.
pub const SHARD_WRITE_RECORDS_PER_SEC: u64 = 1_000;
/// R15: bytes (data + partition key) written per shard per second.
pub const SHARD_WRITE_BYTES_PER_SEC: u64 = MIB;
/// R19: GetRecords calls per shard per second, shared by all polling consumers.
pub const SHARD_READ_CALLS_PER_SEC: u32 = 5;
/// R20: bytes read per shard per second, shared by all polling consumers.
pub const SHARD_READ_BYTES_PER_SEC: u64 = 2 * MIB;
/// R21: records returned by one GetRecords call at most.
pub const GET_RECORDS_RECORDS_MAX: u64 = 10_000;
/// R21: bytes returned by one GetRecords call at most (a single larger record is still returned whole).
pub const GET_RECORDS_BYTES_MAX: u64 = 10 * MIB;
/// R24: GetShardIterator calls per open shard per second.
pub const GET_SHARD_ITERATOR_PER_SEC: u32 = 5;
/// R35: enhanced fan-out bytes per consumer per shard per second.
pub const EFO_BYTES_PER_SEC: u64 = 2 * MIB;

/// R26: how long an iterator stays valid after it is handed out, in milliseconds.
pub const ITERATOR_LIFETIME_MS: u64 = 300_000;
/// ListShards, ListStreams and ListStreamConsumers NextToken lifetime, in milliseconds.
pub const NEXT_TOKEN_LIFETIME_MS: u64 = 300_000;
/// R36: the longest SubscribeToShard subscription, in milliseconds.
pub const SUBSCRIPTION_LIFETIME_MS: u64 = 300_000;
/// R38: a new subscription for the same consumer and shard within this time is rejected, in milliseconds.
pub const SUBSCRIPTION_OVERLAP_MS: u64 = 5_000;

/// R42: retention bounds and default, in hours.
pub const RETENTION_HOURS_MIN: u32 = 24;
/// R42: the longest retention, 365 days.
pub const RETENTION_HOURS_MAX: u32 = 8_760;
/// R42: the retention of a new stream.
pub const RETENTION_HOURS_DEFAULT: u32 = 24;

/// R33: registered enhanced fan-out consumers per stream.
pub const CONSUMERS_PER_STREAM_MAX: usize = 20;
/// §1.1, R34: consumers in CREATING at once per account.
pub const CONSUMERS_CREATING_MAX: usize = 5;
/// §1.1: streams in CREATING at once per account.
pub const STREAMS_CREATING_MAX: usize = 5;
/// R05: tags per stream.
pub const TAGS_PER_STREAM_MAX: usize = 50;
/// R05: tags per AddTagsToStream or CreateStream request.
pub const TAGS_PER_REQUEST_MAX: usize = 10;

/// R53: UpdateShardCount calls per stream per rolling 24 hours.
pub const UPDATE_SHARD_COUNT_PER_DAY: usize = 10;
/// R53: shards per stream that UpdateShardCount may reach.
pub const SHARDS_PER_STREAM_UPDATE_MAX: u32 = 10_000;
/// R62: StartStreamEncryption / StopStreamEncryption per stream per rolling 24 hours.
pub const ENCRYPTION_CHANGES_PER_DAY: usize = 25;

/// §3.1: results per DescribeStream / ListStreams / ListStreamConsumers page at most.
pub const DESCRIBE_PAGE_MAX: usize = 100;
/// §3.1: results per ListShards page at most.
pub const LIST_SHARDS_PAGE_MAX: usize = 1_000;
