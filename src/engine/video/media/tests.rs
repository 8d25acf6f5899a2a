//! The stream model on a virtual clock: control plane, PutMedia acknowledgements, retention, ListFragments
//! and GetClip with the limits of spec video.md §1.1.

use super::control::{
    CreateStreamInput, DeleteStreamInput, FragmentSelector, GetClipInput, ListFragmentsInput, StreamRef,
    TimestampRange, UpdateDataRetentionInput,
};
use super::fragment::{AckError, AckEvent, FragmentInput, TrackInput};
use super::put::PutMediaInput;
use super::{AckOutput, MediaRequest, MediaService, SessionId};
use crate::engine::rng::Seed;
use crate::engine::time::SimTime;
use crate::engine::video::error::VideoErrorKind;
use crate::engine::video::settings::VideoSettings;
use serde_json::Value;

const EPOCH_S: f64 = 1_700_000_000.0;
const H264: &str = "V_MPEG4/ISO/AVC";

fn service() -> MediaService {
    MediaService::new(VideoSettings::default(), Seed(7))
}

fn ms(t: u64) -> SimTime {
    SimTime::from_millis(t)
}

fn by_name(name: &str) -> StreamRef {
    StreamRef { stream_name: Some(name.into()), stream_arn: None }
}

fn create(s: &mut MediaService, now: u64, name: &str, retention: u64) -> Value {
    let input =
        CreateStreamInput { stream_name: name.into(), data_retention_in_hours: Some(retention), ..Default::default() };
    s.handle_request(ms(now), MediaRequest::CreateStream(input)).expect("created")
}

fn fragment(timecode: u64, codec: &str, size: u64) -> FragmentInput {
    FragmentInput {
        timecode,
        duration_ms: 2_000,
        size_bytes: size,
        tracks: vec![TrackInput { codec_id: codec.into(), frames: 60 }],
    }
}

/// An ABSOLUTE session on `name` opened at `now`.
fn session(s: &mut MediaService, now: u64, name: &str, fragments: Vec<FragmentInput>) -> SessionId {
    let input = PutMediaInput {
        stream: by_name(name),
        fragment_timecode_type: "ABSOLUTE".into(),
        producer_start_timestamp: None,
        fragments,
    };
    s.put_media(ms(now), input).expect("session opened").0
}

fn drain(s: &mut MediaService, until: u64) -> Vec<AckOutput> {
    s.handle_timeout(ms(until));
    std::iter::from_fn(|| s.poll_ack()).collect()
}

fn selector(kind: &str, start_s: f64, end_s: f64) -> FragmentSelector {
    FragmentSelector {
        fragment_selector_type: kind.into(),
        timestamp_range: TimestampRange { start_timestamp: start_s, end_timestamp: end_s },
    }
}

fn clip(s: &mut MediaService, name: &str, start_s: f64, end_s: f64) -> Result<Value, VideoErrorKind> {
    let input =
        GetClipInput { stream: by_name(name), clip_fragment_selector: selector("SERVER_TIMESTAMP", start_s, end_s) };
    s.handle_request(ms(600_000), MediaRequest::GetClip(input)).map_err(|e| e.kind)
}

fn fragments(s: &mut MediaService, now: u64, name: &str) -> Vec<Value> {
    let input = ListFragmentsInput { stream: by_name(name), ..Default::default() };
    let body = s.handle_request(ms(now), MediaRequest::ListFragments(input)).expect("listed");
    body["Fragments"].as_array().expect("a list").clone()
}

#[test]
fn streams_are_created_described_listed_and_deleted_with_aws_errors() {
    let mut s = service();
    let arn = create(&mut s, 0, "cam-1", 24)["StreamARN"].as_str().expect("an ARN").to_string();
    assert_eq!(arn, "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam-1/1700000000000");
    let info = s.handle_request(ms(10), MediaRequest::DescribeStream(by_name("cam-1"))).expect("described");
    assert_eq!(info["StreamInfo"]["Status"], "CREATING");
    assert_eq!(info["StreamInfo"]["DataRetentionInHours"], 24);
    assert_eq!(info["StreamInfo"]["KmsKeyId"], "arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo");
    let info = s.handle_request(ms(1_000), MediaRequest::DescribeStream(by_name("cam-1"))).expect("described");
    assert_eq!(info["StreamInfo"]["Status"], "ACTIVE");

    let again = CreateStreamInput { stream_name: "cam-1".into(), ..Default::default() };
    let error = s.handle_request(ms(1_000), MediaRequest::CreateStream(again)).expect_err("a duplicate");
    assert_eq!(error.kind.aws_code(), "ResourceInUseException");
    let bad = CreateStreamInput { stream_name: "a b".into(), ..Default::default() };
    assert_eq!(
        s.handle_request(ms(1_000), MediaRequest::CreateStream(bad)).unwrap_err().kind,
        VideoErrorKind::InvalidArgument
    );
    let too_long =
        CreateStreamInput { stream_name: "x".into(), data_retention_in_hours: Some(87_601), ..Default::default() };
    assert_eq!(
        s.handle_request(ms(1_000), MediaRequest::CreateStream(too_long)).unwrap_err().kind,
        VideoErrorKind::InvalidArgument
    );
    create(&mut s, 1_000, "cam-2", 0);
    let listed = s.handle_request(ms(1_000), MediaRequest::ListStreams(Default::default())).expect("listed");
    let names: Vec<&str> =
        listed["StreamInfoList"].as_array().unwrap().iter().map(|i| i["StreamName"].as_str().unwrap()).collect();
    assert_eq!(names, ["cam-1", "cam-2"]);

    let wrong = DeleteStreamInput { stream_arn: arn.clone(), current_version: Some("nope".into()) };
    assert_eq!(
        s.handle_request(ms(2_000), MediaRequest::DeleteStream(wrong)).unwrap_err().kind,
        VideoErrorKind::VersionMismatch
    );
    let delete = DeleteStreamInput { stream_arn: arn, current_version: None };
    s.handle_request(ms(2_000), MediaRequest::DeleteStream(delete)).expect("deleted");
    let gone = s.handle_request(ms(2_000), MediaRequest::DescribeStream(by_name("cam-1"))).unwrap_err();
    assert_eq!((gone.kind.aws_code(), gone.kind.status_code()), ("ResourceNotFoundException", 404));
}

#[test]
fn fragments_are_acknowledged_buffering_received_persisted_with_increasing_numbers() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    let producer = 1_700_000_005_000;
    let id = session(
        &mut s,
        5_000,
        "cam",
        vec![fragment(producer, H264, 1_250_000), fragment(producer + 2_000, H264, 125_000)],
    );
    let acks = drain(&mut s, 60_000);
    let seen: Vec<(u64, &str)> = acks.iter().map(|a| (a.ack.at.as_millis(), a.ack.event.as_str())).collect();
    // 1.25 MB at 12.5 MB/s reads in 100 ms; the second fragment waits for the first; PERSISTED 1 s later.
    assert_eq!(
        seen,
        [
            (5_000, "BUFFERING"),
            (5_100, "RECEIVED"),
            (5_100, "BUFFERING"),
            (5_110, "RECEIVED"),
            (6_100, "PERSISTED"),
            (6_110, "PERSISTED")
        ]
    );
    assert!(acks.iter().all(|a| a.session == id));
    let numbers: Vec<&str> = acks
        .iter()
        .filter(|a| a.ack.event == AckEvent::Persisted)
        .map(|a| a.ack.fragment_number.as_deref().unwrap())
        .collect();
    assert!(numbers.iter().all(|n| n.len() == 47 && n.bytes().all(|b| b.is_ascii_digit())), "{numbers:?}");
    assert!(numbers[0] < numbers[1], "fragment numbers increase: {numbers:?}");
    let json = acks[0].ack.to_json();
    assert_eq!(json["EventType"], "BUFFERING");
    assert_eq!(json["FragmentTimecode"], producer);
    assert_eq!(json["FragmentNumber"], numbers[0]);

    let listed = fragments(&mut s, 60_000, "cam");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["ProducerTimestamp"], 1_700_000_005.0);
    assert_eq!(listed[1]["ServerTimestamp"], 1_700_000_005.1);
    assert_eq!(listed[0]["FragmentLengthInMilliseconds"], 2_000);
    assert_eq!(listed[0]["FragmentSizeInBytes"], 1_250_000);
}

#[test]
fn relative_timecodes_count_from_the_producer_start_timestamp() {
    let mut s = service();
    create(&mut s, 0, "cam", 1);
    let input = PutMediaInput {
        stream: by_name("cam"),
        fragment_timecode_type: "RELATIVE".into(),
        producer_start_timestamp: Some(EPOCH_S + 0.5),
        fragments: vec![fragment(0, H264, 1_000), fragment(2_000, H264, 1_000)],
    };
    s.put_media(ms(5_000), input).expect("opened");
    drain(&mut s, 10_000);
    let listed = fragments(&mut s, 10_000, "cam");
    let producer: Vec<f64> = listed.iter().map(|f| f["ProducerTimestamp"].as_f64().unwrap()).collect();
    assert_eq!(producer, [EPOCH_S + 0.5, EPOCH_S + 2.5]);

    let no_start = PutMediaInput {
        stream: by_name("cam"),
        fragment_timecode_type: "RELATIVE".into(),
        producer_start_timestamp: None,
        fragments: vec![fragment(0, H264, 1_000)],
    };
    let (_, outcomes) = s.put_media(ms(11_000), no_start).expect("opened");
    assert_eq!(outcomes[0].error, Some(AckError::InvalidProducerTimestamp));
}

#[test]
fn bad_fragments_get_error_acks_with_the_producer_sdks_error_ids() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    let id = session(&mut s, 2_000, "cam", vec![fragment(10_000, H264, 1_000)]);
    let mut put = |now: u64, f: FragmentInput| s.put_fragment(ms(now), id, f).expect("open").error.map(|e| e.id());
    assert_eq!(put(3_000, fragment(10_000, H264, 1_000)), Some(4004), "a timecode that does not increase");
    let mut long = fragment(20_000, H264, 1_000);
    long.duration_ms = 10_001;
    assert_eq!(put(3_000, long), Some(4002));
    assert_eq!(put(3_000, fragment(20_000, H264, 50_000_001)), Some(4001));
    let mut four = fragment(30_000, H264, 1_000);
    four.tracks = vec![TrackInput { codec_id: H264.into(), frames: 1 }; 4];
    assert_eq!(put(40_000, four), Some(4005));
    let mut silent = fragment(30_000, H264, 1_000);
    silent.tracks.push(TrackInput { codec_id: "A_AAC".into(), frames: 0 });
    assert_eq!(put(40_000, silent), Some(4011));
    assert_eq!(put(40_000, fragment(30_000, H264, 1_000)), None, "a good fragment after bad ones");
    let acks = drain(&mut s, 100_000);
    let errors: Vec<u16> = acks.iter().filter_map(|a| a.ack.error.map(|e| e.id())).collect();
    assert_eq!(errors, [4004, 4002, 4001, 4005, 4011]);
    assert_eq!(fragments(&mut s, 100_000, "cam").len(), 2, "only the good fragments are archived");
    let gone = s.put_fragment(ms(100_000), SessionId(99), fragment(1, H264, 1));
    assert_eq!(gone.unwrap_err().kind, VideoErrorKind::InvalidArgument);
}

#[test]
fn an_injected_archival_fault_turns_persisted_into_error_5001() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    s.inject_persist_failures("cam", 1);
    session(&mut s, 2_000, "cam", vec![fragment(1, H264, 1_000), fragment(2, H264, 1_000)]);
    let acks = drain(&mut s, 10_000);
    let last: Vec<(&str, Option<u16>)> = acks
        .iter()
        .filter(|a| a.ack.event >= AckEvent::Persisted)
        .map(|a| (a.ack.event.as_str(), a.ack.error.map(|e| e.id())))
        .collect();
    assert_eq!(last, [("ERROR", Some(5001)), ("PERSISTED", None)]);
    assert_eq!(fragments(&mut s, 10_000, "cam").len(), 1);
}

#[test]
fn retention_zero_archives_nothing_and_refuses_clips() {
    let mut s = service();
    create(&mut s, 0, "live", 0);
    session(&mut s, 2_000, "live", vec![fragment(1, H264, 1_000)]);
    let acks = drain(&mut s, 10_000);
    let events: Vec<&str> = acks.iter().map(|a| a.ack.event.as_str()).collect();
    assert_eq!(events, ["BUFFERING", "RECEIVED"], "no PERSISTED without retention");
    assert!(fragments(&mut s, 10_000, "live").is_empty());
    assert_eq!(clip(&mut s, "live", EPOCH_S, EPOCH_S + 60.0), Err(VideoErrorKind::NoDataRetention));
}

#[test]
fn the_retention_sweep_goes_by_server_timestamp() {
    let mut s = service();
    create(&mut s, 0, "cam", 1);
    session(&mut s, 2_000, "cam", vec![fragment(1, H264, 1_000)]);
    session(&mut s, 600_000, "cam", vec![fragment(2, H264, 1_000)]);
    drain(&mut s, 700_000);
    assert_eq!(fragments(&mut s, 700_000, "cam").len(), 2);
    assert_eq!(s.poll_timeout(), ms(3_602_000), "the first fragment leaves an hour after its server timestamp");
    s.handle_timeout(ms(3_602_000));
    assert_eq!(fragments(&mut s, 3_602_000, "cam").len(), 1);
    // Lowering the retention sweeps at once.
    let version = s.stream("cam").unwrap().version.clone();
    let change = UpdateDataRetentionInput {
        stream: by_name("cam"),
        current_version: version,
        operation: "DECREASE_DATA_RETENTION".into(),
        data_retention_change_in_hours: 1,
    };
    s.handle_request(ms(3_602_000), MediaRequest::UpdateDataRetention(change)).expect("updated");
    assert!(fragments(&mut s, 3_602_000, "cam").is_empty());
}

#[test]
fn get_clip_selects_a_range_checks_the_codec_and_caps_at_200_fragments_and_100_mb() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    // 250 fragments of 100 kB, one every 2 s from t = 2 s (server timestamps EPOCH + 2, 4, …).
    let id = session(&mut s, 2_000, "cam", vec![]);
    for i in 0..250u64 {
        s.put_fragment(ms(2_000 + 2_000 * i), id, fragment(1 + 2_000 * i, H264, 100_000)).expect("open");
    }
    drain(&mut s, 600_000);
    let body = clip(&mut s, "cam", EPOCH_S + 10.0, EPOCH_S + 20.0).expect("a clip");
    assert_eq!(body["ContentType"], "video/mp4");
    assert_eq!(body["Payload"]["FragmentNumbers"].as_array().unwrap().len(), 6, "10, 12, …, 20 s inclusive");
    assert_eq!(body["Payload"]["DurationInMilliseconds"], 12_000);
    assert_eq!(body["Payload"]["CappedBy"], Value::Null);
    let all = clip(&mut s, "cam", EPOCH_S, EPOCH_S + 1_000.0).expect("a clip");
    assert_eq!(all["Payload"]["FragmentNumbers"].as_array().unwrap().len(), 200);
    assert_eq!(all["Payload"]["CappedBy"], "200 fragments");
    assert_eq!(clip(&mut s, "cam", EPOCH_S + 20.0, EPOCH_S + 10.0), Err(VideoErrorKind::InvalidArgument));
    assert_eq!(clip(&mut s, "cam", EPOCH_S + 900.0, EPOCH_S + 990.0), Err(VideoErrorKind::ResourceNotFound));

    create(&mut s, 600_000, "big", 24);
    let id = session(&mut s, 602_000, "big", vec![]);
    for i in 0..5u64 {
        s.put_fragment(ms(602_000 + 10_000 * i), id, fragment(1 + i, H264, 30_000_000)).expect("open");
    }
    drain(&mut s, 700_000);
    let big = clip(&mut s, "big", EPOCH_S + 600.0, EPOCH_S + 700.0).expect("a clip");
    assert_eq!(big["Payload"]["FragmentNumbers"].as_array().unwrap().len(), 3, "3 × 30 MB fit in 100 MB");
    assert_eq!(big["Payload"]["CappedBy"], "100 MB");

    create(&mut s, 700_000, "vp8", 24);
    session(&mut s, 702_000, "vp8", vec![fragment(1, "V_VP8", 1_000)]);
    drain(&mut s, 710_000);
    assert_eq!(clip(&mut s, "vp8", EPOCH_S + 700.0, EPOCH_S + 710.0), Err(VideoErrorKind::UnsupportedStreamMediaType));
}

#[test]
fn list_fragments_pages_with_next_token_and_filters_by_producer_time() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    let base = 1_700_000_100_000;
    session(&mut s, 2_000, "cam", (0..5).map(|i| fragment(base + i * 2_000, H264, 1_000)).collect());
    drain(&mut s, 10_000);
    let first = ListFragmentsInput { stream: by_name("cam"), max_results: Some(2), ..Default::default() };
    let page = s.handle_request(ms(10_000), MediaRequest::ListFragments(first)).expect("listed");
    assert_eq!(page["Fragments"].as_array().unwrap().len(), 2);
    let token = page["NextToken"].as_str().expect("more").to_string();
    let next = ListFragmentsInput { stream: by_name("cam"), next_token: Some(token), ..Default::default() };
    let rest = s.handle_request(ms(10_000), MediaRequest::ListFragments(next)).expect("listed");
    assert_eq!(rest["Fragments"].as_array().unwrap().len(), 3);
    assert!(rest.get("NextToken").is_none());
    let ranged = ListFragmentsInput {
        stream: by_name("cam"),
        fragment_selector: Some(selector("PRODUCER_TIMESTAMP", EPOCH_S + 102.0, EPOCH_S + 104.0)),
        ..Default::default()
    };
    let body = s.handle_request(ms(10_000), MediaRequest::ListFragments(ranged)).expect("listed");
    assert_eq!(body["Fragments"].as_array().unwrap().len(), 2);
    let bad = ListFragmentsInput { stream: by_name("cam"), next_token: Some("!!".into()), ..Default::default() };
    assert_eq!(
        s.handle_request(ms(10_000), MediaRequest::ListFragments(bad)).unwrap_err().kind,
        VideoErrorKind::InvalidArgument
    );
}

#[test]
fn put_media_is_limited_to_five_calls_per_second_per_stream() {
    let mut s = service();
    create(&mut s, 0, "cam", 24);
    for _ in 0..5 {
        session(&mut s, 2_000, "cam", vec![]);
    }
    let input =
        PutMediaInput { stream: by_name("cam"), fragment_timecode_type: "ABSOLUTE".into(), ..Default::default() };
    let error = s.put_media(ms(2_000), input.clone()).expect_err("the sixth call in a second");
    assert_eq!(error.kind.aws_code(), "ClientLimitExceededException");
    assert!(s.put_media(ms(3_000), input).is_ok());
}

#[test]
fn deleting_a_stream_fails_what_is_still_in_flight_and_later_fragments() {
    let mut s = service();
    let arn = create(&mut s, 0, "cam", 24)["StreamARN"].as_str().unwrap().to_string();
    let id = session(&mut s, 2_000, "cam", vec![fragment(1, H264, 1_000)]);
    s.handle_request(
        ms(2_500),
        MediaRequest::DeleteStream(DeleteStreamInput { stream_arn: arn, current_version: None }),
    )
    .expect("deleted");
    let late = s.put_fragment(ms(2_600), id, fragment(2, H264, 1_000)).expect("the session is still open");
    assert_eq!(late.error, Some(AckError::StreamNotActive));
    let errors: Vec<Option<u16>> = drain(&mut s, 10_000).iter().map(|a| a.ack.error.map(|e| e.id())).collect();
    assert_eq!(errors, [None, None, Some(4008), Some(4008)], "BUFFERING, RECEIVED, then the archive is gone");
}
