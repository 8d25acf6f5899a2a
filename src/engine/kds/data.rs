//! Data-plane actions: PutRecord, PutRecords, GetShardIterator and GetRecords (spec §3.2).
//!
//! Checks run in the spec's order: model constraints, the stream, its state, semantic arguments,
//! limits, then capacity. Only capacity makes PutRecords fail entry by entry; everything else rejects
//! the whole request. A rejected request or entry takes no capacity and stores nothing.

use super::actions::*;
use super::control::kms_problem;
use super::datetime::{epoch_seconds, java_utc};
use super::error::{KdsError, KdsResult};
use super::hashing::partition_key_hash;
use super::ids::{HashKey, ShardId};
use super::iterator::IteratorToken;
use super::limits::*;
use super::metrics::{Metric, Stat};
use super::sequence::{decode, Decoded};
use super::shard::{Detail, Shard, Taken};
use super::stream::Stream;
use super::types::*;
use super::KdsService;
use crate::engine::time::{SimDuration, SimTime};

impl KdsService {
    pub(super) fn put_record(&mut self, now: SimTime, input: PutRecordInput) -> KdsResult<PutRecordOutput> {
        let violations = entry_violations(&input.partition_key, &input.data, "");
        if !violations.is_empty() {
            return Err(KdsError::validation(validation_message(&violations)));
        }
        check_record_size(&input.partition_key, &input.data)?;
        let hash = hash_of(&input.partition_key, input.explicit_hash_key.as_deref())?;
        let account = self.settings.account_id.clone();
        let wall_secs = self.wall_secs(now);
        let stream = self.data_stream(&input)?;
        if let Some(ordering) = &input.sequence_number_for_ordering {
            check_ordering(stream, ordering, &account)?;
        }
        let (encrypted, encryption_type) = (stream.kms_key.is_some(), stream.encryption_type());
        let shard_id = stream.route(hash);
        let shard = &mut stream.shards[shard_id.0 as usize];
        let size = (input.partition_key.len() + input.data.len()) as u64;
        if !shard.try_take_write(size, now) {
            stream.record(now, Some(shard_id), Metric::WriteProvisionedThroughputExceeded, 1);
            stream.record(now, None, Metric::PutRecordSuccess, 0);
            return Err(KdsError::shard_throughput(&shard_id.to_string(), &stream.name, &account));
        }
        let counter = shard.append(now, input.partition_key, input.data, encrypted);
        let output =
            PutRecordOutput { shard_id, sequence_number: shard.sequence_number(counter, wall_secs), encryption_type };
        let watched = shard.subscribers > 0;
        stream.record(now, Some(shard_id), Metric::IncomingBytes, size);
        stream.record(now, Some(shard_id), Metric::IncomingRecords, 1);
        stream.record(now, None, Metric::PutRecordBytes, size);
        stream.record(now, None, Metric::PutRecordSuccess, 1);
        if watched {
            let name = stream.name.clone();
            self.notify_subscribers(now, &name, shard_id);
        }
        Ok(output)
    }

    pub(super) fn put_records(&mut self, now: SimTime, input: PutRecordsInput) -> KdsResult<PutRecordsOutput> {
        check_put_records_model(&input)?;
        // Only an ExplicitHashKey can be invalid, and it rejects the whole request before any write.
        for entry in &input.records {
            if let Some(text) = &entry.explicit_hash_key {
                hash_of(&entry.partition_key, Some(text))?;
            }
        }
        let account = self.settings.account_id.clone();
        let wall_secs = self.wall_secs(now);
        let stream = self.data_stream(&input)?;
        let encrypted = stream.kms_key.is_some();
        let mut failed = 0;
        let mut records = Vec::with_capacity(input.records.len());
        let mut watched: Vec<ShardId> = Vec::new();
        let total = input.records.len() as u64;
        let mut accepted_bytes = 0;
        // Per-shard (bytes, records, throttled), only when enhanced monitoring wants shard metrics.
        let per_shard = !stream.shard_level_metrics.is_empty();
        let mut shard_counts: std::collections::BTreeMap<ShardId, (u64, u64, u64)> = std::collections::BTreeMap::new();
        // Two passes: hash and route every entry first (a tight loop), then do the per-shard work, whose
        // independent memory accesses the CPU can overlap instead of waiting behind each MD5.
        let routes: Vec<ShardId> = input
            .records
            .iter()
            .map(|e| stream.route(hash_of(&e.partition_key, e.explicit_hash_key.as_deref()).expect("checked above")))
            .collect();
        for (entry, shard_id) in input.records.into_iter().zip(routes) {
            let shard = &mut stream.shards[shard_id.0 as usize];
            let size = (entry.partition_key.len() + entry.data.len()) as u64;
            let accepted = shard.try_take_write(size, now);
            shard.tally.write(now, u64::from(accepted), u64::from(!accepted), size);
            if per_shard {
                let counts = shard_counts.entry(shard_id).or_default();
                *counts = if accepted {
                    (counts.0 + size, counts.1 + 1, counts.2)
                } else {
                    (counts.0, counts.1, counts.2 + 1)
                };
            }
            if accepted {
                let counter = shard.append(now, entry.partition_key, entry.data, encrypted);
                let sequence_number = shard.sequence_number(counter, wall_secs);
                if shard.subscribers > 0 && !watched.contains(&shard_id) {
                    watched.push(shard_id);
                }
                accepted_bytes += size;
                records.push(PutRecordsResultEntry::Ok { sequence_number, shard_id });
            } else {
                failed += 1;
                let error = KdsError::shard_throughput(&shard_id.to_string(), &stream.name, &account);
                records.push(PutRecordsResultEntry::Failed(Box::new(EntryError {
                    error_code: error.kind.aws_code().to_string(),
                    error_message: error.message,
                })));
            }
        }
        let output =
            PutRecordsOutput { failed_record_count: failed, records, encryption_type: stream.encryption_type() };
        let mut tally = PutRecordsTally::default();
        tally.call(total, failed, accepted_bytes);
        tally.record(stream, now);
        record_put_records_shards(stream, now, shard_counts);
        let name = stream.name.clone();
        for shard_id in watched {
            self.notify_subscribers(now, &name, shard_id);
        }
        Ok(output)
    }

    /// The stream a data-plane request writes to: it must exist, not be CREATING (R57), and its key must work.
    fn data_stream(&mut self, names: &impl NamesStream) -> KdsResult<&mut Stream> {
        let account = self.settings.account_id.clone();
        let stream = self.stream_mut(names)?;
        if !stream.serves_data() {
            return Err(KdsError::stream_not_found(&stream.name, &account));
        }
        if let Some(problem) = stream.kms_key.as_deref().and_then(|key| kms_problem(key, true)) {
            return Err(problem);
        }
        Ok(stream)
    }

    pub(super) fn get_shard_iterator(
        &mut self,
        now: SimTime,
        input: &GetShardIteratorInput,
    ) -> KdsResult<GetShardIteratorOutput> {
        let account = self.settings.account_id.clone();
        let name = self.stream_name_of(input)?;
        let Some(shard_id) = ShardId::resolve(&input.shard_id) else {
            return Err(KdsError::could_not_find_shard(&input.shard_id, &name, &account));
        };
        let not_found = || KdsError::shard_not_found(&shard_id.to_string(), &name, &account);
        let wall_now_ms = self.wall_ms(now);
        let epoch_ms = self.settings.epoch_ms;
        let stream = self.streams.get_mut(&name).filter(|s| s.serves_data()).ok_or_else(not_found)?;
        stream.raise_trim_floor(now);
        let generation = stream.generation;
        let shard = stream.live_shard_mut(shard_id).ok_or_else(not_found)?;
        if !shard.iterator_call_allowed(now) {
            return Err(KdsError::shard_throughput(&shard_id.to_string(), &name, &account));
        }
        let position = Position {
            kind: input.shard_iterator_type,
            sequence: input.starting_sequence_number.as_deref(),
            timestamp: input.timestamp,
        };
        let after_counter = start_position(shard, &position, &name, &account, (epoch_ms, wall_now_ms))?;
        shard.count_iterator_call(now);
        let token = IteratorToken { generation, issued_at: now, shard: shard_id, after_counter, stream: name };
        Ok(GetShardIteratorOutput { shard_iterator: token.encode() })
    }

    pub(super) fn get_records(&mut self, now: SimTime, input: &GetRecordsInput) -> KdsResult<GetRecordsOutput> {
        let token = IteratorToken::decode(&input.shard_iterator).ok_or_else(KdsError::invalid_iterator)?;
        if now.saturating_since(token.issued_at) > SimDuration::from_millis(ITERATOR_LIFETIME_MS) {
            let issued = java_utc(self.wall_ms(token.issued_at));
            return Err(KdsError::expired_iterator(&issued, &java_utc(self.wall_ms(now))));
        }
        let account = self.settings.account_id.clone();
        let epoch_ms = self.settings.epoch_ms;
        let not_found = || KdsError::shard_not_found(&token.shard.to_string(), &token.stream, &account);
        let stream = self
            .streams
            .get_mut(&token.stream)
            .filter(|s| s.generation == token.generation && s.serves_data())
            .ok_or_else(not_found)?;
        if let Some(problem) = stream.kms_key.as_deref().and_then(|key| kms_problem(key, true)) {
            return Err(problem);
        }
        if stream.detail == Detail::Runs {
            return Err(KdsError::invalid_argument(format!(
                "Stream {} under account {account} is simulated in fast-forward: its records are counted in runs \
                 and have no bodies to return. Read it with a scenario consumer, or run the scenario in record detail.",
                token.stream
            )));
        }
        stream.trim_shard(token.shard, now);
        let children = child_shards(stream, token.shard);
        let shard = stream.live_shard_mut(token.shard).ok_or_else(not_found)?;
        if !shard.try_begin_read(now) {
            stream.record(now, Some(token.shard), Metric::ReadProvisionedThroughputExceeded, 1);
            stream.record(now, None, Metric::GetRecordsSuccess, 0);
            return Err(KdsError::shard_throughput(&token.shard.to_string(), &token.stream, &account));
        }
        let limit = input.limit.map_or(GET_RECORDS_RECORDS_MAX, |l| l.clamp(1, GET_RECORDS_RECORDS_MAX as i64) as u64);
        let (records, taken) = read_records(shard, token.after_counter, limit, GET_RECORDS_BYTES_MAX, now, epoch_ms);
        let (bytes, last) = (taken.bytes, taken.last);
        shard.charge_read(bytes, now);
        let next_after = last.map_or(token.after_counter, |(counter, _)| counter);
        let at_end = !shard.has_records_after(next_after);
        let millis_behind_latest = match (at_end, last) {
            (false, Some((_, arrival))) => now.saturating_since(arrival).as_millis(),
            _ => 0,
        };
        let closed_end = at_end && !shard.is_open();
        // Spec §5.4: the age of the last record returned; 0 when nothing was returned.
        let age = last.map_or(0, |(_, arrival)| now.saturating_since(arrival).as_millis());
        record_get_records(stream, now, token.shard, &taken, age);
        let next = IteratorToken { after_counter: next_after, issued_at: now, ..token };
        Ok(GetRecordsOutput {
            records,
            next_shard_iterator: (!closed_end).then(|| next.encode()),
            millis_behind_latest,
            child_shards: closed_end.then_some(children),
        })
    }
}

/// Per-shard (bytes stored, records stored, records throttled) of one PutRecords call.
pub(super) type ShardCounts = std::collections::BTreeMap<ShardId, (u64, u64, u64)>;

/// The stream-level CloudWatch datapoints of PutRecords calls made at one instant: gathered call by call,
/// then recorded at once (a fast-forward tick makes hundreds of calls).
#[derive(Clone, Debug, Default)]
pub(super) struct PutRecordsTally {
    stats: [Stat; 9],
}

impl PutRecordsTally {
    const METRICS: [Metric; 9] = [
        Metric::PutRecordsSuccess,
        Metric::PutRecordsTotalRecords,
        Metric::PutRecordsSuccessfulRecords,
        Metric::PutRecordsFailedRecords,
        Metric::PutRecordsThrottledRecords,
        Metric::PutRecordsBytes,
        Metric::WriteProvisionedThroughputExceeded,
        Metric::IncomingBytes,
        Metric::IncomingRecords,
    ];

    /// One call of `total` entries, `failed` of them throttled, storing `accepted_bytes`.
    pub(super) fn call(&mut self, total: u64, failed: u64, accepted_bytes: u64) {
        let stored = total - failed;
        let values = [1, total, stored, 0, failed, accepted_bytes, failed];
        for (stat, value) in self.stats.iter_mut().zip(values) {
            stat.add(value);
        }
        if stored > 0 {
            self.stats[7].add(accepted_bytes);
            self.stats[8].add(stored);
        }
    }

    /// Records what was gathered at `now`.
    pub(super) fn record(self, stream: &mut Stream, now: SimTime) {
        let second = now.as_micros() / 1_000_000;
        for (metric, stat) in Self::METRICS.into_iter().zip(&self.stats) {
            stream.metrics.merge(second, metric, stat);
        }
    }
}

/// The shard-level CloudWatch datapoints of one PutRecords call (kept only with enhanced monitoring).
pub(super) fn record_put_records_shards(stream: &mut Stream, now: SimTime, shard_counts: ShardCounts) {
    let second = now.as_micros() / 1_000_000;
    for (shard_id, (bytes, records, throttled)) in shard_counts {
        let enabled = &stream.shard_level_metrics;
        if records > 0 {
            stream.metrics.add_shard(second, shard_id, Metric::IncomingBytes, bytes, enabled);
            stream.metrics.add_shard(second, shard_id, Metric::IncomingRecords, records, enabled);
        }
        if throttled > 0 {
            stream.metrics.add_shard(second, shard_id, Metric::WriteProvisionedThroughputExceeded, throttled, enabled);
        }
    }
}

/// The CloudWatch datapoints of one successful GetRecords call that took `taken`, with iterator age `age_ms`.
pub(super) fn record_get_records(stream: &mut Stream, now: SimTime, shard: ShardId, taken: &Taken, age_ms: u64) {
    for (metric, shard, value) in [
        (Metric::GetRecordsBytes, None, taken.bytes),
        (Metric::GetRecordsRecords, None, taken.records),
        (Metric::GetRecordsSuccess, None, 1),
        (Metric::GetRecordsIteratorAgeMilliseconds, None, age_ms),
        (Metric::IteratorAgeMilliseconds, Some(shard), age_ms),
        (Metric::OutgoingBytes, Some(shard), taken.bytes),
        (Metric::OutgoingRecords, Some(shard), taken.records),
    ] {
        stream.record(now, shard, metric, value);
    }
}

/// Up to `limit` records after `after` that arrived by `visible_by`, within `bytes_max` (the first record
/// always): the wire views and what was taken. A run-detail shard's records have no bodies: no views.
pub(super) fn read_records(
    shard: &Shard,
    after: u64,
    limit: u64,
    bytes_max: u64,
    visible_by: SimTime,
    epoch_ms: u64,
) -> (Vec<RecordView>, Taken) {
    let taken = shard.take_after(after, limit, bytes_max, visible_by);
    let views = shard
        .records_after(after)
        .take(taken.records as usize)
        .map(|record| {
            let arrival_ms = epoch_ms + record.arrival.as_millis();
            RecordView {
                sequence_number: shard.sequence_number(record.counter(), arrival_ms / 1_000),
                approximate_arrival_timestamp: epoch_seconds(arrival_ms),
                data: record.data().to_vec(),
                partition_key: record.partition_key().to_string(),
                encryption_type: record.encrypted().then_some(EncryptionType::Kms),
            }
        })
        .collect();
    (views, taken)
}

/// The children of a shard, as GetRecords reports them at its end.
pub(super) fn child_shards(stream: &Stream, id: ShardId) -> Vec<ChildShard> {
    let Some(shard) = stream.shards.get(id.0 as usize) else { return Vec::new() };
    shard
        .children
        .iter()
        .map(|&child| {
            let c = &stream.shards[child.0 as usize];
            ChildShard {
                shard_id: child,
                parent_shards: c.parent.into_iter().chain(c.adjacent_parent).collect(),
                hash_key_range: HashKeyRangeView { starting_hash_key: c.range.start, ending_hash_key: c.range.end },
            }
        })
        .collect()
}

/// A starting position as a request gives it.
pub(super) struct Position<'a> {
    /// The iterator type.
    pub kind: ShardIteratorType,
    /// StartingSequenceNumber (or the subscription's SequenceNumber).
    pub sequence: Option<&'a str>,
    /// Timestamp, epoch seconds.
    pub timestamp: Option<f64>,
}

/// Where a new iterator or subscription starts, as "after counter c" (R28–R31); `clock` is
/// (epoch ms at t = 0, wall ms now).
pub(super) fn start_position(
    shard: &Shard,
    position: &Position<'_>,
    stream: &str,
    account: &str,
    clock: (u64, u64),
) -> KdsResult<u64> {
    use ShardIteratorType as T;
    let (epoch_ms, wall_now_ms) = clock;
    let kind = position.kind;
    let type_text = iterator_type_text(kind);
    let mismatch = |what: &str| {
        KdsError::invalid_argument(format!(
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or \
             (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified {type_text} and {what} StartingSequenceNumber."
        ))
    };
    match (kind, position.sequence) {
        (T::TrimHorizon | T::Latest, Some(_)) => Err(mismatch("also a")),
        (T::AtSequenceNumber | T::AfterSequenceNumber, None) => Err(mismatch("no")),
        (T::TrimHorizon, None) => Ok(0),
        (T::Latest, None) => Ok(shard.last_counter()),
        (T::AtTimestamp, _) => {
            let Some(seconds) = position.timestamp else {
                return Err(KdsError::invalid_argument(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
                ));
            };
            let at_ms = (seconds * 1_000.0).round().max(0.0) as u64;
            if at_ms > wall_now_ms {
                return Err(KdsError::invalid_argument(format!(
                    "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. \
                     timestampInMillis: {at_ms}, currentTimestampInMillis: {wall_now_ms}"
                )));
            }
            Ok(shard.counter_before_time(SimTime::from_millis(at_ms.saturating_sub(epoch_ms))))
        }
        (T::AtSequenceNumber | T::AfterSequenceNumber, Some(text)) => {
            let counter = sequence_counter(shard, text, stream, account)?;
            Ok(if kind == T::AtSequenceNumber { counter.saturating_sub(1) } else { counter })
        }
    }
}

/// The counter a sequence number given to GetShardIterator names in `shard` (R30).
fn sequence_counter(shard: &Shard, text: &str, stream: &str, account: &str) -> KdsResult<u64> {
    let shard_text = shard.id.to_string();
    let invalid = |suffix: &str, shown: &str| {
        KdsError::invalid_argument(format!(
            "StartingSequenceNumber {shown} used in GetShardIterator on shard {shard_text} in stream {stream} under account {account} is invalid{suffix}."
        ))
    };
    let encodes_other = |index: u32| {
        KdsError::invalid_argument(format!(
            "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {shard_text}",
            ShardId(index)
        ))
    };
    match decode(text) {
        None => Err(invalid("", text)),
        Some(Decoded::Old { shard_index, .. }) if shard_index != shard.id.0 => Err(encodes_other(shard_index)),
        Some(Decoded::Old { shown, .. }) => Err(invalid(" because it did not come from this stream", &shown)),
        Some(Decoded::Current(seq)) if seq.shard_index != shard.id.0 => Err(encodes_other(seq.shard_index)),
        Some(Decoded::Current(seq)) if seq.shard_created_secs != shard.created_secs => {
            Err(invalid(" because it did not come from this stream", text))
        }
        Some(Decoded::Current(seq)) => Ok(seq.counter),
    }
}

fn iterator_type_text(kind: ShardIteratorType) -> &'static str {
    match kind {
        ShardIteratorType::AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        ShardIteratorType::AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        ShardIteratorType::TrimHorizon => "TRIM_HORIZON",
        ShardIteratorType::Latest => "LATEST",
        ShardIteratorType::AtTimestamp => "AT_TIMESTAMP",
    }
}

/// R13: SequenceNumberForOrdering must be a sequence number this stream handed out.
fn check_ordering(stream: &Stream, text: &str, account: &str) -> KdsResult<()> {
    let issued = match decode(text) {
        Some(Decoded::Current(seq)) => stream
            .shards
            .get(seq.shard_index as usize)
            .is_some_and(|s| s.created_secs == seq.shard_created_secs && seq.counter <= s.last_counter()),
        _ => false,
    };
    if issued {
        return Ok(());
    }
    Err(KdsError::invalid_argument(format!(
        "ExclusiveMinimumSequenceNumber {text} used in PutRecord on stream {} under account {account} is invalid.",
        stream.name
    )))
}

/// The hash key a record routes by: its ExplicitHashKey, else the MD5 of its partition key (R09).
fn hash_of(partition_key: &str, explicit: Option<&str>) -> KdsResult<HashKey> {
    match explicit {
        None => Ok(partition_key_hash(partition_key)),
        Some(text) => HashKey::parse(text).ok_or_else(|| KdsError::explicit_hash_key_range(text)),
    }
}

/// R07: data + partition key within 1 MiB.
fn check_record_size(partition_key: &str, data: &[u8]) -> KdsResult<()> {
    let size = (partition_key.len() + data.len()) as u64;
    if size <= RECORD_BYTES_MAX {
        return Ok(());
    }
    Err(KdsError::invalid_argument(format!(
        "Record size (data plus partition key) is {size} bytes, which exceeds the {RECORD_BYTES_MAX}-byte limit."
    )))
}

/// The model constraints of one record (the API layer checks them first; engine callers get the same texts).
/// Cheap when the record is valid: messages are built only for violations.
fn entry_violations(partition_key: &str, data: &[u8], path: &str) -> Vec<String> {
    let chars = if partition_key.len() <= PARTITION_KEY_CHARS_MAX as usize && !partition_key.is_empty() {
        partition_key.len() as u64 // a valid byte length bounds the character count from above
    } else {
        partition_key.chars().count() as u64
    };
    let key_ok = (1..=PARTITION_KEY_CHARS_MAX).contains(&chars);
    let data_ok = data.len() as u64 <= RECORD_DATA_BYTES_MAX;
    if key_ok && data_ok {
        return Vec::new();
    }
    let mut out = Vec::new();
    let key_at = format!("Value '{partition_key}' at '{path}partitionKey' failed to satisfy constraint: ");
    if chars < 1 {
        out.push(format!("{key_at}Member must have length greater than or equal to 1"));
    }
    if chars > PARTITION_KEY_CHARS_MAX {
        out.push(format!("{key_at}Member must have length less than or equal to {PARTITION_KEY_CHARS_MAX}"));
    }
    if !data_ok {
        let n = data.len();
        out.push(format!(
            "Value 'java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]' at '{path}data' failed to satisfy constraint: \
             Member must have length less than or equal to {RECORD_DATA_BYTES_MAX}"
        ));
    }
    out
}

fn check_put_records_model(input: &PutRecordsInput) -> KdsResult<()> {
    let count = input.records.len();
    if count == 0 || count > PUT_RECORDS_ENTRIES_MAX {
        let bound = if count == 0 { "greater than or equal to 1" } else { "less than or equal to 500" };
        let members = vec!["com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@2"; count].join(", ");
        return Err(KdsError::validation(validation_message(&[format!(
            "Value '[{members}]' at 'records' failed to satisfy constraint: Member must have length {bound}"
        )])));
    }
    let violations: Vec<String> = input
        .records
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            let fine = !e.partition_key.is_empty()
                && e.partition_key.len() <= PARTITION_KEY_CHARS_MAX as usize
                && e.data.len() as u64 <= RECORD_DATA_BYTES_MAX;
            if fine {
                Vec::new()
            } else {
                entry_violations(&e.partition_key, &e.data, &format!("records.{}.member.", i + 1))
            }
        })
        .collect();
    if !violations.is_empty() {
        return Err(KdsError::validation(validation_message(&violations)));
    }
    let total: u64 = input.records.iter().map(|e| (e.partition_key.len() + e.data.len()) as u64).sum();
    if total > PUT_RECORDS_BYTES_MAX {
        return Err(KdsError::invalid_argument("Records size exceeds 5 MB limit"));
    }
    Ok(())
}

/// `N validation error(s) detected: …`, listing at most 10.
pub(super) fn validation_message(violations: &[String]) -> String {
    let shown = &violations[..violations.len().min(10)];
    let plural = if shown.len() == 1 { "" } else { "s" };
    format!("{} validation error{plural} detected: {}", shown.len(), shown.join("; "))
}
