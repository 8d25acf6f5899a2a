//! The Firehose service as a whole: control plane, Direct PUT into S3 with real objects, retries, the
//! 24 h loss and catch-up coalescing.

use super::control::{CreateInput, UpdateInput};
use super::destination::ExtendedS3Configuration;
use super::error::FirehoseErrorKind;
use super::profile::BufferingHints;
use super::settings::FirehoseSettings;
use super::stream::Outcome;
use super::{FirehoseRequest as R, FirehoseService};
use crate::engine::endpoints::Endpoints;
use crate::engine::functions::Functions;
use crate::engine::kds::settings::KdsSettings;
use crate::engine::kds::KdsService;
use crate::engine::rng::{Seed, SimRng};
use crate::engine::s3::{S3Service, S3Settings};
use crate::engine::time::{SimDuration, SimTime};
use serde_json::Value;
use std::io::Read;

const EPOCH: u64 = 1_609_808_228_000; // 2021-01-05 00:57:08 UTC

struct Lab {
    firehose: FirehoseService,
    s3: S3Service,
    kds: KdsService,
    glue: crate::engine::glue::Catalog,
    clusters: crate::engine::redshift::Clusters,
    domains: crate::engine::opensearch::Domains,
    now: SimTime,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            firehose: FirehoseService::new(FirehoseSettings::default(), "123456789012", "us-east-1", EPOCH, Seed(7)),
            s3: S3Service::new(S3Settings::default(), EPOCH),
            kds: KdsService::new(KdsSettings::default()),
            glue: crate::engine::glue::Catalog::new(EPOCH),
            clusters: crate::engine::redshift::Clusters::new(SimRng::new(Seed(7)), EPOCH),
            domains: Default::default(),
            now: SimTime::ZERO,
        }
    }

    fn call(&mut self, request: R) -> Result<Value, super::error::FirehoseError> {
        let sinks = super::Sinks { s3: &mut self.s3, clusters: &mut self.clusters, domains: &mut self.domains };
        self.firehose.handle(self.now, request, sinks, &self.kds)
    }

    /// Runs every timer up to `t`.
    fn run_to(&mut self, t: SimTime) {
        loop {
            let due = self.firehose.poll_timeout();
            if due > t {
                break;
            }
            self.now = self.now.max(due);
            let mut endpoints = Endpoints::new(SimRng::new(Seed(7)), EPOCH);
            let reach = super::Reach {
                s3: &mut self.s3,
                endpoints: &mut endpoints,
                functions: &Functions::default(),
                kds: &mut self.kds,
                glue: &self.glue,
                clusters: &mut self.clusters,
                domains: &mut self.domains,
            };
            self.firehose.handle_timeout(self.now, reach);
        }
        self.now = t;
    }

    fn create(&mut self, name: &str, config: ExtendedS3Configuration) {
        let input = CreateInput { delivery_stream_name: name.into(), extended_s3: Some(config), ..Default::default() };
        self.call(R::CreateDeliveryStream(Box::new(input))).unwrap();
        let t = self.now + SimDuration::from_secs(10);
        self.run_to(t);
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        self.s3.bucket(bucket).map(|b| b.objects.keys().cloned().collect()).unwrap_or_default()
    }
}

fn s3(size_mib: u64, interval: u64) -> ExtendedS3Configuration {
    ExtendedS3Configuration {
        role_arn: Some("arn:aws:iam::123456789012:role/firehose".into()),
        bucket_arn: Some("arn:aws:s3:::lake".into()),
        buffering_hints: Some(BufferingHints { size_in_mbs: Some(size_mib), interval_in_seconds: Some(interval) }),
        ..Default::default()
    }
}

#[test]
fn a_stream_is_creating_then_active_and_describes_with_aws_defaults() {
    let mut lab = Lab::new();
    let input = CreateInput {
        delivery_stream_name: "orders".into(),
        extended_s3: Some(ExtendedS3Configuration { buffering_hints: None, ..s3(5, 300) }),
        ..Default::default()
    };
    let arn = lab.call(R::CreateDeliveryStream(Box::new(input.clone()))).unwrap();
    assert_eq!(arn["DeliveryStreamARN"], "arn:aws:firehose:us-east-1:123456789012:deliverystream/orders");
    let d = lab.call(R::DescribeDeliveryStream { name: "orders".into() }).unwrap();
    assert_eq!(d["DeliveryStreamDescription"]["DeliveryStreamStatus"], "CREATING");
    let put = lab.call(R::PutRecord { name: "orders".into(), data: b"x".to_vec() }).unwrap_err();
    assert_eq!(put.kind, FirehoseErrorKind::ResourceInUse);
    let again = lab.call(R::CreateDeliveryStream(Box::new(input))).unwrap_err();
    assert_eq!(again.message, "Delivery stream orders under account 123456789012 already exists.");
    lab.run_to(SimTime::from_secs(10));
    let d = lab.call(R::DescribeDeliveryStream { name: "orders".into() }).unwrap();
    let d = &d["DeliveryStreamDescription"];
    assert_eq!((d["DeliveryStreamStatus"].as_str(), d["VersionId"].as_str()), (Some("ACTIVE"), Some("1")));
    let ext = &d["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(ext["BufferingHints"], serde_json::json!({"SizeInMBs": 5, "IntervalInSeconds": 300}));
    assert_eq!(ext["CompressionFormat"], "UNCOMPRESSED");
    assert_eq!(d["Destinations"][0]["S3DestinationDescription"]["BucketARN"], "arn:aws:s3:::lake");
    let missing = lab.call(R::DescribeDeliveryStream { name: "nope".into() }).unwrap_err();
    assert_eq!(missing.kind.aws_code(), "ResourceNotFoundException");
}

#[test]
fn the_books_swapped_hints_and_unbuilt_features_are_refused_plainly() {
    let mut lab = Lab::new();
    let swapped = CreateInput { delivery_stream_name: "s".into(), extended_s3: Some(s3(300, 5)), ..Default::default() };
    let e = lab.call(R::CreateDeliveryStream(Box::new(swapped))).unwrap_err();
    assert!(e.message.contains("SizeInMBs 300 is out of range"), "{}", e.message);
    let mut orc = s3(128, 300);
    orc.data_format_conversion_configuration = Some(serde_json::json!({
        "SchemaConfiguration": {"DatabaseName": "db", "TableName": "t"},
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}},
    }));
    let e = lab
        .call(R::CreateDeliveryStream(Box::new(CreateInput {
            delivery_stream_name: "s".into(),
            extended_s3: Some(orc),
            ..Default::default()
        })))
        .unwrap_err();
    assert!(e.message.contains("not built in this lab yet"), "{}", e.message);
    assert!(lab.firehose.streams().is_empty(), "a refused create changes nothing");
}

#[test]
fn interval_wins_at_low_rates_and_objects_are_real_gzip_under_the_hour_prefix() {
    let mut lab = Lab::new();
    lab.create(
        "clicks",
        ExtendedS3Configuration { compression_format: Some(super::compress::Compression::Gzip), ..s3(5, 60) },
    );
    for i in 0..30 {
        lab.run_to(SimTime::from_secs(10 + i));
        lab.call(R::PutRecord { name: "clicks".into(), data: format!("{{\"n\":{i}}}\n").into_bytes() }).unwrap();
    }
    lab.run_to(SimTime::from_secs(69));
    assert!(lab.keys("lake").is_empty(), "the interval runs from the first record (t = 10 s)");
    lab.run_to(SimTime::from_secs(71));
    let keys = lab.keys("lake");
    assert_eq!(keys.len(), 1);
    // First arrival: epoch + 10 s = 2021-01-05 00:57:18 UTC.
    assert!(keys[0].starts_with("2021/01/05/00/clicks-1-2021-01-05-00-57-18-"), "{}", keys[0]);
    assert!(keys[0].ends_with(".gz"));
    let body = lab.s3.bucket("lake").unwrap().objects[&keys[0]].body.clone().unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_string(&mut text).unwrap();
    assert_eq!(text.lines().count(), 30);
    assert!(text.starts_with("{\"n\":0}\n{\"n\":1}\n"));
    let s = &lab.firehose.streams()["clicks"];
    assert_eq!((s.totals.delivered_records, s.totals.objects), (30, 1));
    assert_eq!(s.log.back().unwrap().trigger, super::buffer::Trigger::Interval);
}

#[test]
fn size_wins_at_high_rates() {
    let mut lab = Lab::new();
    lab.create("fast", s3(1, 900));
    let record = vec![b'a'; 100 * 1024];
    for i in 0..25 {
        lab.run_to(SimTime::from_secs(10) + SimDuration::from_millis(100 * i));
        let batch = vec![record.clone(); 1];
        let r = lab.call(R::PutRecordBatch { name: "fast".into(), records: batch }).unwrap();
        assert_eq!(r["FailedPutCount"], 0);
    }
    lab.run_to(SimTime::from_secs(20));
    let s = &lab.firehose.streams()["fast"];
    // 1 MiB hint, 100 KiB records: the 11th record crosses it; two objects of 11 records each.
    assert_eq!(s.totals.objects, 2);
    assert!(s.log.iter().all(|d| d.trigger == super::buffer::Trigger::Size));
    assert_eq!(s.buffer.len(), 3);
}

#[test]
fn an_outage_blocks_in_order_coalesces_and_after_24_hours_loses_data() {
    let mut lab = Lab::new();
    lab.create("logs", s3(1, 60));
    lab.s3.inject_outage("lake", SimTime::from_secs(25 * 3_600)).unwrap();
    // One record a minute for 30 minutes: each flushes on its own interval and waits.
    for m in 0..30 {
        lab.run_to(SimTime::from_secs(60 + 60 * m));
        lab.call(R::PutRecord { name: "logs".into(), data: b"line\n".to_vec() }).unwrap();
    }
    lab.run_to(SimTime::from_secs(3_600));
    let s = &lab.firehose.streams()["logs"];
    assert_eq!(s.totals.objects, 0);
    assert!(s.totals.failed_attempts > 100, "retried every 5 s: {}", s.totals.failed_attempts);
    assert!(s.waiting.len() <= 3, "coalesced behind the delivery in flight: {}", s.waiting.len());
    let freshness = s.metrics.periods(super::metrics::FirehoseMetric::DeliveryToS3DataFreshness, 3_590, 3_600, 10);
    assert!(freshness[0].1.max >= 3_500, "DataFreshness ramps during the outage: {:?}", freshness);
    lab.run_to(SimTime::from_secs(26 * 3_600));
    let s = &lab.firehose.streams()["logs"];
    assert_eq!(s.totals.lost_records, 30, "older than 24 h when the bucket came back");
    assert_eq!(s.totals.objects, 0);
    assert!(s.log.iter().any(|d| matches!(d.outcome, Outcome::Lost { records } if records > 0)));
}

#[test]
fn a_short_outage_delivers_later_with_coalesced_objects() {
    let mut lab = Lab::new();
    lab.create("logs", s3(1, 60));
    lab.s3.inject_outage("lake", SimTime::from_secs(600)).unwrap();
    for m in 0..9 {
        lab.run_to(SimTime::from_secs(60 + 60 * m));
        lab.call(R::PutRecord { name: "logs".into(), data: b"line\n".to_vec() }).unwrap();
    }
    lab.run_to(SimTime::from_secs(900));
    let s = &lab.firehose.streams()["logs"];
    assert_eq!(s.totals.delivered_records, 9);
    assert!(s.totals.objects < 9, "coalesced: {} objects", s.totals.objects);
    assert!(s.log.iter().any(|d| d.coalesced > 0));
}

#[test]
fn update_destination_checks_the_version_and_bumps_it() {
    let mut lab = Lab::new();
    lab.create("u", s3(5, 300));
    let update = |version: &str| UpdateInput {
        delivery_stream_name: "u".into(),
        current_delivery_stream_version_id: version.into(),
        destination_id: super::control::DESTINATION_ID.into(),
        extended_s3: Some(ExtendedS3Configuration { prefix: Some("raw/".into()), ..Default::default() }),
        ..Default::default()
    };
    let stale = lab.call(R::UpdateDestination(Box::new(update("7")))).unwrap_err();
    assert_eq!(stale.kind.aws_code(), "ConcurrentModificationException");
    lab.call(R::UpdateDestination(Box::new(update("1")))).unwrap();
    let d = lab.call(R::DescribeDeliveryStream { name: "u".into() }).unwrap();
    assert_eq!(d["DeliveryStreamDescription"]["VersionId"], "2");
    lab.call(R::PutRecord { name: "u".into(), data: b"x".to_vec() }).unwrap();
    lab.run_to(lab.now + SimDuration::from_secs(301));
    assert!(lab.keys("lake")[0].starts_with("raw/2021/01/05/00/u-2-"), "{:?}", lab.keys("lake"));
}

#[test]
fn throttled_batch_records_fail_one_by_one() {
    let mut lab = Lab::new();
    lab.create("t", s3(128, 900));
    let batch = vec![b"r".to_vec(); 500];
    let mut failed = 0;
    for _ in 0..11 {
        let r = lab.call(R::PutRecordBatch { name: "t".into(), records: batch.clone() }).unwrap();
        failed += r["FailedPutCount"].as_u64().unwrap();
    }
    assert_eq!(failed, 500, "5,000 records/s in the book's us-east-1");
    assert_eq!(lab.firehose.streams()["t"].totals.throttled_records, 500);
}
