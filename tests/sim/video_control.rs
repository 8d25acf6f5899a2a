//! The kinesisvideo control plane and socket events through `kinesis-lab api`'s replay (spec video.md §3.1–§3.2).

use kinesis_lab::api::replay::Replay;
use kinesis_lab::engine::rng::Seed;
use kinesis_lab::engine::EngineConfig;
use serde_json::{json, Value};

fn replay() -> Replay {
    Replay::new(EngineConfig::with_seed(Seed(3)))
}

fn call(r: &mut Replay, at_ms: u64, action: &str, input: Value) -> Vec<Value> {
    let line = json!({"at_ms": at_ms, "service": "kinesisvideo", "action": action, "input": input}).to_string();
    r.handle_line(&line).iter().map(|l| serde_json::from_str(l).expect("output lines are JSON")).collect()
}

fn one(r: &mut Replay, at_ms: u64, action: &str, input: Value) -> Value {
    let lines = call(r, at_ms, action, input);
    lines.into_iter().find(|l| l.get("action").is_some()).expect("the call's own line")
}

fn error_type(line: &Value) -> &str {
    line["error"]["__type"].as_str().unwrap_or("(no error)")
}

#[test]
fn create_describe_list_update_delete() {
    let mut r = replay();
    let created = one(
        &mut r,
        0,
        "CreateSignalingChannel",
        json!({"ChannelName": "lab", "SingleMasterConfiguration": {"MessageTtlSeconds": 30}}),
    );
    let arn = created["output"]["ChannelARN"].as_str().expect("an ARN").to_string();
    assert_eq!(arn, "arn:aws:kinesisvideo:us-east-1:123456789012:channel/lab/1700000000000");
    let info = one(&mut r, 0, "DescribeSignalingChannel", json!({"ChannelName": "lab"}));
    assert_eq!(info["output"]["ChannelInfo"]["ChannelStatus"], "CREATING");
    let info = one(&mut r, 1_000, "DescribeSignalingChannel", json!({"ChannelARN": arn}));
    let channel = &info["output"]["ChannelInfo"];
    assert_eq!(channel["ChannelStatus"], "ACTIVE");
    assert_eq!(channel["ChannelType"], "SINGLE_MASTER");
    assert_eq!(channel["SingleMasterConfiguration"]["MessageTtlSeconds"], 30);
    let version = channel["Version"].as_str().unwrap().to_string();
    assert_eq!(
        error_type(&one(&mut r, 1_000, "CreateSignalingChannel", json!({"ChannelName": "lab"}))),
        "ResourceInUseException"
    );
    one(&mut r, 1_000, "CreateSignalingChannel", json!({"ChannelName": "other"}));
    let list = one(&mut r, 1_000, "ListSignalingChannels", json!({"MaxResults": 1}));
    assert_eq!(list["output"]["ChannelInfoList"].as_array().unwrap().len(), 1);
    let token = list["output"]["NextToken"].as_str().expect("a second page").to_string();
    let rest = one(&mut r, 1_000, "ListSignalingChannels", json!({"MaxResults": 1, "NextToken": token}));
    assert_eq!(rest["output"]["ChannelInfoList"][0]["ChannelName"], "other");
    assert!(rest["output"].get("NextToken").is_none());
    let prefixed = one(
        &mut r,
        1_000,
        "ListSignalingChannels",
        json!({"ChannelNameCondition": {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": "ot"}}),
    );
    assert_eq!(prefixed["output"]["ChannelInfoList"].as_array().unwrap().len(), 1);
    let stale = one(
        &mut r,
        2_000,
        "UpdateSignalingChannel",
        json!({"ChannelARN": arn, "CurrentVersion": "x1", "SingleMasterConfiguration": {"MessageTtlSeconds": 90}}),
    );
    assert_eq!(error_type(&stale), "VersionMismatchException");
    one(
        &mut r,
        2_000,
        "UpdateSignalingChannel",
        json!({"ChannelARN": arn, "CurrentVersion": version, "SingleMasterConfiguration": {"MessageTtlSeconds": 90}}),
    );
    let info = one(&mut r, 2_000, "DescribeSignalingChannel", json!({"ChannelARN": arn}));
    assert_eq!(info["output"]["ChannelInfo"]["SingleMasterConfiguration"]["MessageTtlSeconds"], 90);
    assert_ne!(info["output"]["ChannelInfo"]["Version"], json!(version));
    assert_eq!(one(&mut r, 2_000, "DeleteSignalingChannel", json!({"ChannelARN": arn}))["output"], json!({}));
    let gone = one(&mut r, 2_000, "DescribeSignalingChannel", json!({"ChannelARN": arn}));
    assert_eq!(error_type(&gone), "ResourceNotFoundException");
}

#[test]
fn constraint_failures_are_invalid_argument_with_the_aws_text() {
    let mut r = replay();
    let bad = one(
        &mut r,
        0,
        "CreateSignalingChannel",
        json!({"ChannelName": "has space", "SingleMasterConfiguration": {"MessageTtlSeconds": 4}}),
    );
    assert_eq!(error_type(&bad), "InvalidArgumentException");
    let message = bad["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "2 validation errors detected: Value 'has space' at 'channelName' failed to satisfy constraint"
        ),
        "{message}"
    );
    assert!(message.contains("Member must have value greater than or equal to 5"), "{message}");
    let typed = one(&mut r, 0, "CreateSignalingChannel", json!({"ChannelName": 5}));
    assert_eq!(error_type(&typed), "SerializationException");
    assert_eq!(
        error_type(&one(&mut r, 0, "CreateSignalingChannel", json!({"ChannelName": "m", "ChannelType": "FULL_MESH"}))),
        "InvalidArgumentException"
    );
    assert_eq!(error_type(&one(&mut r, 0, "DescribeSignalingChannel", json!({}))), "InvalidArgumentException");
    assert_eq!(error_type(&one(&mut r, 0, "NoSuchAction", json!({}))), "UnknownOperationException");
    let arn_bad = one(&mut r, 0, "GetIceServerConfig", json!({"ChannelARN": "arn:aws:kinesis:us-east-1:1:stream/x"}));
    assert_eq!(error_type(&arn_bad), "InvalidArgumentException");
}

#[test]
fn endpoints_and_ice_servers_have_the_documented_shapes() {
    let mut r = replay();
    let arn = one(&mut r, 0, "CreateSignalingChannel", json!({"ChannelName": "lab"}))["output"]["ChannelARN"]
        .as_str()
        .unwrap()
        .to_string();
    let early = one(&mut r, 0, "GetSignalingChannelEndpoint", json!({"ChannelARN": arn}));
    assert_eq!(error_type(&early), "ResourceNotFoundException", "not ACTIVE yet");
    let endpoints = one(
        &mut r,
        1_000,
        "GetSignalingChannelEndpoint",
        json!({"ChannelARN": arn, "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WSS", "HTTPS"], "Role": "VIEWER"}}),
    );
    let list = endpoints["output"]["ResourceEndpointList"].as_array().unwrap();
    assert_eq!(list[0]["Protocol"], "WSS");
    assert!(list[0]["ResourceEndpoint"].as_str().unwrap().starts_with("wss://sim-"));
    assert!(list[1]["ResourceEndpoint"].as_str().unwrap().starts_with("https://sim-"));
    let webrtc = one(
        &mut r,
        1_000,
        "GetSignalingChannelEndpoint",
        json!({"ChannelARN": arn, "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WEBRTC"]}}),
    );
    assert_eq!(error_type(&webrtc), "InvalidArgumentException");
    let ice = one(&mut r, 1_000, "GetIceServerConfig", json!({"ChannelARN": arn, "ClientId": "v1"}));
    let servers = ice["output"]["IceServerList"].as_array().unwrap();
    assert_eq!(servers.len(), 2);
    let uris: Vec<&str> = servers[0]["Uris"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert!(uris[0].starts_with("turn:") && uris[0].ends_with("?transport=udp"));
    assert!(uris[2].starts_with("turns:") && uris[2].ends_with("?transport=tcp"));
    assert_eq!(servers[0]["Ttl"], 300);
}

#[test]
fn socket_events_write_the_frames_each_socket_receives() {
    let mut r = replay();
    let arn = one(
        &mut r,
        0,
        "CreateSignalingChannel",
        json!({"ChannelName": "lab", "SingleMasterConfiguration": {"MessageTtlSeconds": 5}}),
    )["output"]["ChannelARN"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        one(&mut r, 1_000, "ConnectAsViewer", json!({"ChannelARN": arn, "ClientId": "v1"}))["output"],
        json!({})
    );
    let offer = "eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ==";
    one(&mut r, 1_100, "SendSdpOffer", json!({"ChannelARN": arn, "ClientId": "v1", "messagePayload": offer}));
    let lines = call(&mut r, 2_000, "ConnectAsMaster", json!({"ChannelARN": arn}));
    assert_eq!(lines.len(), 2, "the answer, then the queued offer delivered: {lines:?}");
    assert_eq!(lines[1]["socket"], "MASTER");
    assert_eq!(lines[1]["frame"], json!({"senderClientId": "v1", "messageType": "SDP_OFFER", "messagePayload": offer}));
    let refused = call(
        &mut r,
        2_100,
        "SendFrame",
        json!({"ChannelARN": arn, "Frame": "{\"action\":\"SDP_ANSWER\",\"messagePayload\":\"e30=\",\"correlationId\":\"7\"}"}),
    );
    assert_eq!(refused[1]["frame"]["statusResponse"]["errorType"], "InvalidArgumentException", "no recipient");
    let eleven = call(&mut r, 2_100, "ConnectAsViewer", json!({"ChannelARN": arn, "ClientId": "AWS_reserved"}));
    assert_eq!(error_type(&eleven[0]), "InvalidArgumentException");
    // An offer to a master that leaves expires after the TTL: nothing is written for it.
    one(&mut r, 3_000, "Disconnect", json!({"ChannelARN": arn}));
    one(&mut r, 3_000, "SendSdpOffer", json!({"ChannelARN": arn, "ClientId": "v1", "messagePayload": offer}));
    let later = call(&mut r, 9_000, "ConnectAsMaster", json!({"ChannelARN": arn}));
    assert_eq!(later.len(), 1, "the offer expired at 8 s: {later:?}");
    let go_away = call(&mut r, 9_000, "InjectGoAway", json!({"ChannelARN": arn}));
    assert_eq!(go_away[1]["frame"], json!({"messageType": "GO_AWAY"}));
    let closed = call(&mut r, 70_000, "DescribeSignalingChannel", json!({"ChannelName": "lab"}));
    assert_eq!(closed[0]["at_ms"], 69_000);
    assert!(closed[0]["closed"].as_str().unwrap().contains("GO_AWAY"));
}
