//! The poison-pill lab (spec kds.md §4.10, §6 P7): one malformed record against a Lambda event source
//! mapping under each of its failure-handling settings.

use crate::scenario_consumers::summary_of;
use kinesis_lab::engine::kds::shard::Detail;
use kinesis_lab::engine::scenario::summary::{ConsumerSummary, Summary};
use serde_json::{json, Value};

/// 20 records/s over 50 keys into 2 shards for an hour; one poison record at 60 s.
fn lab(mapping: Value, detail: Detail) -> (Summary, ConsumerSummary) {
    let mut consumer =
        json!({"kind": "lambda", "name": "fn", "stream": "s", "start": "trim_horizon", "batch_size": 100});
    consumer.as_object_mut().expect("object").extend(mapping.as_object().expect("object").clone());
    let scenario = json!({
        "name": "p7", "title": "t", "explanation": "a. b.", "seed": 7, "duration_s": 3600, "sample_s": 300,
        "streams": [{"name": "s", "shards": 2}],
        "producers": [{"name": "p", "stream": "s", "rate": {"kind": "constant", "per_second": 20},
                       "keys": {"kind": "uniform", "keys": 50}, "size": {"kind": "fixed", "bytes": 60},
                       "poison": {"at_s": [60]}}],
        "consumers": [consumer]
    });
    let s = summary_of(&scenario, detail);
    let c = s.consumers[0].clone();
    (s, c)
}

#[test]
fn by_default_a_poison_record_blocks_its_shard_until_it_expires() {
    for detail in [Detail::Records, Detail::Runs] {
        let (s, f) = lab(json!({}), detail);
        assert!(f.behind_ms_end > 3_400_000, "{detail:?}: the blocked shard is nearly an hour behind: {f:?}");
        assert!(f.records < s.producers[0].stored * 6 / 10, "the other shard goes on: {f:?}");
        assert!(f.errors > 1_000 && f.discarded_batches == 0, "retried for ever: {f:?}");
    }
}

#[test]
fn retries_then_the_on_failure_destination() {
    let (s, f) =
        lab(json!({"max_retry_attempts": 2, "on_failure": "arn:aws:sqs:us-east-1:123456789012:dlq"}), Detail::Records);
    assert_eq!((f.errors, f.discarded_batches), (3, 1), "the first try and two retries: {f:?}");
    let msg = &f.on_failure[0];
    assert_eq!(msg.condition, "RetryAttemptsExhausted");
    assert_eq!(msg.approximate_invoke_count, 3);
    assert!(msg.start_counter <= msg.end_counter && msg.batch_size == f.discarded_records);
    assert!(f.behind_ms_end < 5_000, "it moved on: {f:?}");
    assert!(f.records + f.discarded_records >= s.producers[0].stored - 100, "{f:?}");
}

#[test]
fn bisecting_discards_only_the_poison_record() {
    for detail in [Detail::Records, Detail::Runs] {
        let (_, f) = lab(json!({"bisect_on_error": true, "max_retry_attempts": 5, "on_failure": "sqs:dlq"}), detail);
        assert_eq!((f.discarded_batches, f.discarded_records), (1, 1), "{detail:?}: {f:?}");
        assert!(f.reprocessed > 0, "good records of failed halves ran again: {f:?}");
    }
}

#[test]
fn batch_item_failures_keep_the_records_before_the_poison() {
    let (_, items) = lab(
        json!({"report_batch_item_failures": true, "max_retry_attempts": 2, "on_failure": "sqs:dlq"}),
        Detail::Records,
    );
    let (_, whole) = lab(json!({"max_retry_attempts": 2, "on_failure": "sqs:dlq"}), Detail::Records);
    assert!(items.discarded_records < whole.discarded_records, "{items:?} vs {whole:?}");
    assert!(items.reprocessed < whole.reprocessed);
}

#[test]
fn a_record_age_limit_discards_after_a_minute() {
    let (_, f) = lab(json!({"max_record_age_s": 60, "on_failure": "sqs:dlq"}), Detail::Records);
    assert_eq!(f.on_failure[0].condition, "RecordAgeExceeded");
    assert!(f.iterator_age_ms_max < 61_000 && f.behind_ms_end < 5_000, "{f:?}");
}

#[test]
fn parallel_lanes_confine_the_block_to_the_poison_key() {
    let (s, blocked) = lab(json!({}), Detail::Records);
    let (_, lanes) = lab(json!({"parallelization_factor": 10}), Detail::Records);
    assert!(lanes.records > blocked.records + (s.producers[0].stored - blocked.records) * 8 / 10, "{lanes:?}");
    assert!(lanes.concurrency_max > 2, "up to 2 shards × 10 lanes at once: {lanes:?}");
    assert!(lanes.behind_ms_end > 3_000_000, "the poison key's lane is still stuck");
}
