//! Kinesis video streams through `kinesis-lab api`'s replay: PutMedia's acknowledgement lines, the archive
//! and GetClip (spec video.md §1.1).

use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::EngineConfig;
use serde_json::{json, Value};

fn call(r: &mut Replay, at_ms: u64, action: &str, input: Value) -> Vec<Value> {
    let line = json!({"at_ms": at_ms, "service": "kinesisvideo", "action": action, "input": input}).to_string();
    r.handle_line(&line).iter().map(|l| serde_json::from_str(l).expect("output lines are JSON")).collect()
}

fn h264(timecode: u64, size: u64) -> Value {
    json!({"Timecode": timecode, "DurationMs": 2000, "SizeBytes": size, "Tracks": [{"CodecId": "V_MPEG4/ISO/AVC", "Frames": 60}]})
}

#[test]
fn put_media_writes_ack_lines_in_time_order_and_get_clip_reads_the_archive() {
    let mut r = Replay::new(EngineConfig::with_seed(Seed(5)));
    let created = call(&mut r, 0, "CreateStream", json!({"StreamName": "cam", "DataRetentionInHours": 1}));
    assert!(created[0]["output"]["StreamARN"].as_str().is_some_and(|a| a.contains(":stream/cam/")));
    let early =
        call(&mut r, 10, "PutMedia", json!({"StreamName": "cam", "FragmentTimecodeType": "ABSOLUTE", "Fragments": []}));
    assert_eq!(early[0]["error"]["__type"], "ResourceInUseException", "the stream is still CREATING");

    let put = json!({"StreamName": "cam", "FragmentTimecodeType": "RELATIVE", "ProducerStartTimestamp": 1_700_000_002.0,
        "Fragments": [h264(0, 250_000), h264(2_000, 250_000)]});
    let lines = call(&mut r, 2_000, "PutMedia", put);
    assert_eq!(lines[0]["output"], json!({}));
    // BUFFERING goes out with the call; the rest come before the next line at or after their time.
    assert_eq!(lines[1]["ack"]["EventType"], "BUFFERING");
    let later = call(&mut r, 5_000, "ListFragments", json!({"StreamName": "cam"}));
    let acks: Vec<(u64, &str)> = later
        .iter()
        .filter(|l| l.get("ack").is_some())
        .map(|l| (l["at_ms"].as_u64().unwrap(), l["ack"]["EventType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        acks,
        [(2_020, "RECEIVED"), (2_020, "BUFFERING"), (2_040, "RECEIVED"), (3_020, "PERSISTED"), (3_040, "PERSISTED")]
    );
    let listed = later.last().unwrap();
    assert_eq!(listed["output"]["Fragments"].as_array().unwrap().len(), 2);

    let range = |kind: &str| {
        json!({"StreamName": "cam", "ClipFragmentSelector": {"FragmentSelectorType": kind,
        "TimestampRange": {"StartTimestamp": 1_700_000_003.0, "EndTimestamp": 1_700_000_010.0}}})
    };
    let by_producer = call(&mut r, 5_000, "GetClip", range("PRODUCER_TIMESTAMP"));
    assert_eq!(by_producer[0]["output"]["ContentType"], "video/mp4");
    assert_eq!(
        by_producer[0]["output"]["Payload"]["FragmentNumbers"].as_array().unwrap().len(),
        1,
        "producer time 4 s only"
    );
    let by_server = call(&mut r, 5_000, "GetClip", range("SERVER_TIMESTAMP"));
    assert_eq!(by_server[0]["error"]["__type"], "ResourceNotFoundException", "both arrived at server time 2 s");

    call(&mut r, 5_000, "InjectPersistFailure", json!({"StreamName": "cam"}));
    call(
        &mut r,
        6_000,
        "PutMedia",
        json!({"StreamName": "cam", "FragmentTimecodeType": "ABSOLUTE", "Fragments": [h264(1, 1_000)]}),
    );
    let failed = call(&mut r, 9_000, "ListFragments", json!({"StreamName": "cam"}));
    let error = failed.iter().find(|l| l["ack"]["EventType"] == "ERROR").expect("an ERROR ack");
    assert_eq!(error["ack"]["ErrorId"], 5001);
    let swept = call(&mut r, 3_700_000, "ListFragments", json!({"StreamName": "cam"}));
    assert_eq!(swept[0]["output"]["Fragments"], json!([]), "an hour's retention is over");
    let unknown = call(&mut r, 3_700_000, "InjectPersistFailure", json!({"StreamName": "nope"}));
    assert_eq!(unknown[0]["error"]["__type"], "ResourceNotFoundException");
}
