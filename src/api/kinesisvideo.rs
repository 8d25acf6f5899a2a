//! The `kinesisvideo` service on the wire: the signaling control plane (AWS's member names and
//! constraints) and the data plane as replay actions.
//!
//! The data plane is a WebSocket in AWS; a replay line stands for one socket event instead:
//! `ConnectAsMaster {ChannelARN}`, `ConnectAsViewer {ChannelARN, ClientId}`, `SendSdpOffer` /
//! `SendSdpAnswer` / `SendIceCandidate` `{ChannelARN, ClientId?, messagePayload, recipientClientId?,
//! correlationId?}` (the frame's own members; ClientId names the sending viewer, absent for the master),
//! `SendFrame {ChannelARN, ClientId?, Frame}` for any text at all, `Disconnect {ChannelARN, ClientId?}`,
//! and the lab's drills `InjectGoAway {ChannelARN, ClientId?}` and `InjectReconnectIceServer {ChannelARN}`.
//! Streams: CreateStream, DescribeStream, ListStreams, UpdateDataRetention, DeleteStream, GetDataEndpoint,
//! ListFragments and GetClip take AWS's bodies. PutMedia's headers and MKV body become one line:
//! `PutMedia {StreamName | StreamARN, FragmentTimecodeType, ProducerStartTimestamp?, Fragments: [{Timecode,
//! DurationMs, SizeBytes, Tracks: [{CodecId, Frames}]}]}`, a batch session that ends after its fragments;
//! `InjectPersistFailure {StreamName, Count?}` fails the next fragments' archival (ErrorId 5001).
//! This service models no ValidationException, so constraint failures are InvalidArgumentException with
//! the usual "N validation errors detected" text.

use super::kinesis::{opt, req};
use super::schema::{self, Member, Rule, Shape};
use super::ErrorBody;
use crate::engine::video::channel::name_in_arn;
use crate::engine::video::control::{
    ChannelRef, CreateSignalingChannelInput, DeleteSignalingChannelInput, GetIceServerConfigInput,
    GetSignalingChannelEndpointInput, ListSignalingChannelsInput, UpdateSignalingChannelInput,
};
use crate::engine::video::frame::{ClientFrame, MessageType};
use crate::engine::video::media::control::API_NAMES;
use crate::engine::video::media::put::PutMediaInput;
use crate::engine::video::media::MediaRequest;
use crate::engine::video::{Role, VideoRequest};
use serde_json::{Map, Value};

const NAME: Shape =
    Shape::String(&[Rule::LenMin(1), Rule::LenMax(256), Rule::Pattern("[a-zA-Z0-9_.-]+", schema::is_name)]);
const ARN: Shape = Shape::String(&[
    Rule::LenMin(1),
    Rule::LenMax(1024),
    Rule::Pattern("arn:aws:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+", is_channel_arn),
]);
const VERSION: Shape = Shape::String(&[Rule::LenMin(1), Rule::LenMax(64), Rule::Pattern("[a-zA-Z0-9]+", is_alnum)]);
const SINGLE_MASTER: Shape =
    Shape::Structure(&[opt("MessageTtlSeconds", Shape::Long(&[Rule::Min(5), Rule::Max(120)]))]);
const TAG: Shape = Shape::Structure(&[
    req("Key", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
    req("Value", Shape::String(&[Rule::LenMin(0), Rule::LenMax(256)])),
]);
const TAGS: Shape = Shape::List { member: &TAG, rules: &[Rule::LenMin(1), Rule::LenMax(50)], member_text: None };
const ENDPOINT_CONFIG: Shape = Shape::Structure(&[
    opt(
        "Protocols",
        Shape::List {
            member: &Shape::Enum(&["WSS", "HTTPS", "WEBRTC"]),
            rules: &[Rule::LenMin(1), Rule::LenMax(5)],
            member_text: None,
        },
    ),
    opt("Role", Shape::Enum(&["MASTER", "VIEWER"])),
]);
const NAME_CONDITION: Shape =
    Shape::Structure(&[opt("ComparisonOperator", Shape::Enum(&["BEGINS_WITH"])), opt("ComparisonValue", NAME)]);
const TOKEN: Shape = Shape::String(&[Rule::LenMin(0), Rule::LenMax(512), Rule::Pattern("[a-zA-Z0-9+/=]*", is_token)]);
const FREE_TEXT: Shape = Shape::String(&[]);
const RETENTION_OPERATION: Shape = Shape::Enum(&["INCREASE_DATA_RETENTION", "DECREASE_DATA_RETENTION"]);
const STREAM_TAGS: Shape =
    Shape::Map { key_len: (1, 128), value_len: (0, 256), rules: &[Rule::LenMin(1), Rule::LenMax(50)] };
const SELECTOR: Shape = Shape::Structure(&[
    req("FragmentSelectorType", Shape::Enum(&["PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"])),
    req(
        "TimestampRange",
        Shape::Structure(&[req("StartTimestamp", Shape::Timestamp), req("EndTimestamp", Shape::Timestamp)]),
    ),
]);
const COUNT: Shape = Shape::Long(&[Rule::Min(0)]);
const TRACK: Shape =
    Shape::Structure(&[req("CodecId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(32)])), req("Frames", COUNT)]);
const FRAGMENT: Shape = Shape::Structure(&[
    req("Timecode", COUNT),
    req("DurationMs", COUNT),
    req("SizeBytes", COUNT),
    req("Tracks", Shape::List { member: &TRACK, rules: &[Rule::LenMin(1)], member_text: None }),
]);

fn is_channel_arn(s: &str) -> bool {
    name_in_arn(s).is_some()
}

fn is_alnum(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_token(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
}

/// The members of `action`, or `None` if the service has no such action.
pub fn model(action: &str) -> Option<&'static [Member]> {
    Some(match action {
        "CreateSignalingChannel" => {
            const {
                &[
                    req("ChannelName", NAME),
                    opt("ChannelType", Shape::Enum(&["SINGLE_MASTER", "FULL_MESH"])),
                    opt("SingleMasterConfiguration", SINGLE_MASTER),
                    opt("Tags", TAGS),
                ]
            }
        }
        "DescribeSignalingChannel" => const { &[opt("ChannelName", NAME), opt("ChannelARN", ARN)] },
        "ListSignalingChannels" => {
            const {
                &[
                    opt("MaxResults", Shape::Long(&[Rule::Min(1), Rule::Max(10_000)])),
                    opt("NextToken", TOKEN),
                    opt("ChannelNameCondition", NAME_CONDITION),
                ]
            }
        }
        "UpdateSignalingChannel" => {
            const {
                &[
                    req("ChannelARN", ARN),
                    req("CurrentVersion", VERSION),
                    opt("SingleMasterConfiguration", SINGLE_MASTER),
                ]
            }
        }
        "DeleteSignalingChannel" => const { &[req("ChannelARN", ARN), opt("CurrentVersion", VERSION)] },
        "GetSignalingChannelEndpoint" => {
            const { &[req("ChannelARN", ARN), opt("SingleMasterChannelEndpointConfiguration", ENDPOINT_CONFIG)] }
        }
        "GetIceServerConfig" => {
            const {
                &[
                    req("ChannelARN", ARN),
                    opt("ClientId", NAME),
                    opt("Service", Shape::Enum(&["TURN"])),
                    opt("Username", NAME),
                ]
            }
        }
        "ConnectAsMaster" | "InjectReconnectIceServer" => const { &[req("ChannelARN", ARN)] },
        "ConnectAsViewer" => const { &[req("ChannelARN", ARN), req("ClientId", FREE_TEXT)] },
        "Disconnect" | "InjectGoAway" => const { &[req("ChannelARN", ARN), opt("ClientId", NAME)] },
        "SendFrame" => const { &[req("ChannelARN", ARN), opt("ClientId", NAME), req("Frame", FREE_TEXT)] },
        "CreateStream" => {
            const {
                &[
                    opt("DeviceName", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
                    req("StreamName", NAME),
                    opt("MediaType", Shape::String(&[Rule::LenMin(1), Rule::LenMax(128)])),
                    opt("KmsKeyId", Shape::String(&[Rule::LenMin(1), Rule::LenMax(2048)])),
                    opt("DataRetentionInHours", COUNT),
                    opt("Tags", STREAM_TAGS),
                ]
            }
        }
        "DescribeStream" => const { &[opt("StreamName", NAME), opt("StreamARN", ARN)] },
        "ListStreams" => {
            const {
                &[
                    opt("MaxResults", Shape::Long(&[Rule::Min(1), Rule::Max(10_000)])),
                    opt("NextToken", TOKEN),
                    opt("StreamNameCondition", NAME_CONDITION),
                ]
            }
        }
        "UpdateDataRetention" => {
            const {
                &[
                    opt("StreamName", NAME),
                    opt("StreamARN", ARN),
                    req("CurrentVersion", VERSION),
                    req("Operation", RETENTION_OPERATION),
                    req("DataRetentionChangeInHours", Shape::Long(&[Rule::Min(1)])),
                ]
            }
        }
        "DeleteStream" => const { &[req("StreamARN", ARN), opt("CurrentVersion", VERSION)] },
        "GetDataEndpoint" => {
            const { &[opt("StreamName", NAME), opt("StreamARN", ARN), req("APIName", Shape::Enum(&API_NAMES))] }
        }
        "ListFragments" => {
            const {
                &[
                    opt("StreamName", NAME),
                    opt("StreamARN", ARN),
                    opt("MaxResults", Shape::Long(&[Rule::Min(1), Rule::Max(1_000)])),
                    opt("NextToken", TOKEN),
                    opt("FragmentSelector", SELECTOR),
                ]
            }
        }
        "GetClip" => const { &[opt("StreamName", NAME), opt("StreamARN", ARN), req("ClipFragmentSelector", SELECTOR)] },
        "PutMedia" => {
            const {
                &[
                    opt("StreamName", NAME),
                    opt("StreamARN", ARN),
                    req("FragmentTimecodeType", Shape::Enum(&["ABSOLUTE", "RELATIVE"])),
                    opt("ProducerStartTimestamp", Shape::Timestamp),
                    req("Fragments", Shape::List { member: &FRAGMENT, rules: &[], member_text: None }),
                ]
            }
        }
        "InjectPersistFailure" => {
            const { &[req("StreamName", NAME), opt("Count", Shape::Long(&[Rule::Min(1), Rule::Max(1_000)]))] }
        }
        "SendSdpOffer" | "SendSdpAnswer" | "SendIceCandidate" => {
            const {
                &[
                    req("ChannelARN", ARN),
                    opt("ClientId", NAME),
                    req("messagePayload", FREE_TEXT),
                    opt("recipientClientId", FREE_TEXT),
                    opt("correlationId", FREE_TEXT),
                ]
            }
        }
        _ => return None,
    })
}

/// A kinesisvideo replay line, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum VideoCall {
    /// A control-plane request.
    Control(VideoRequest),
    /// Open a socket.
    Connect { role: Role, channel_arn: String, client_id: Option<String> },
    /// A text frame on the socket of `client_id` (the master's when `None`).
    Send { channel_arn: String, client_id: Option<String>, text: String },
    /// Close that socket.
    Disconnect { channel_arn: String, client_id: Option<String> },
    /// The service sends GO_AWAY to that socket.
    GoAway { channel_arn: String, client_id: Option<String> },
    /// The service sends RECONNECT_ICE_SERVER on the channel.
    ReconnectIceServer { channel_arn: String },
    /// A stream control-plane or archived-media request.
    Media(MediaRequest),
    /// A batch PutMedia session: its fragments are sent at once, then the session ends.
    PutMedia(PutMediaInput),
    /// The lab's drill: the stream's next `count` fragments fail to persist (ERROR 5001).
    InjectPersistFailure { stream_name: String, count: u32 },
}

/// The call for a request body already checked against [`model`].
pub fn call(action: &str, body: Map<String, Value>) -> Result<VideoCall, ErrorBody> {
    use serde_json::from_value as v;
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let arn = text("ChannelARN").unwrap_or_default();
    let wrong = |e: serde_json::Error| ErrorBody { type_name: "SerializationException".into(), message: e.to_string() };
    let value = Value::Object(body.clone());
    Ok(match action {
        "CreateSignalingChannel" => VideoCall::Control(VideoRequest::CreateSignalingChannel(
            v::<CreateSignalingChannelInput>(value).map_err(wrong)?,
        )),
        "DescribeSignalingChannel" => {
            VideoCall::Control(VideoRequest::DescribeSignalingChannel(v::<ChannelRef>(value).map_err(wrong)?))
        }
        "ListSignalingChannels" => VideoCall::Control(VideoRequest::ListSignalingChannels(
            v::<ListSignalingChannelsInput>(value).map_err(wrong)?,
        )),
        "UpdateSignalingChannel" => VideoCall::Control(VideoRequest::UpdateSignalingChannel(
            v::<UpdateSignalingChannelInput>(value).map_err(wrong)?,
        )),
        "DeleteSignalingChannel" => VideoCall::Control(VideoRequest::DeleteSignalingChannel(
            v::<DeleteSignalingChannelInput>(value).map_err(wrong)?,
        )),
        "GetSignalingChannelEndpoint" => VideoCall::Control(VideoRequest::GetSignalingChannelEndpoint(
            v::<GetSignalingChannelEndpointInput>(value).map_err(wrong)?,
        )),
        "GetIceServerConfig" => {
            VideoCall::Control(VideoRequest::GetIceServerConfig(v::<GetIceServerConfigInput>(value).map_err(wrong)?))
        }
        "ConnectAsMaster" => VideoCall::Connect { role: Role::Master, channel_arn: arn, client_id: None },
        "ConnectAsViewer" => VideoCall::Connect { role: Role::Viewer, channel_arn: arn, client_id: text("ClientId") },
        "Disconnect" => VideoCall::Disconnect { channel_arn: arn, client_id: text("ClientId") },
        "InjectGoAway" => VideoCall::GoAway { channel_arn: arn, client_id: text("ClientId") },
        "InjectReconnectIceServer" => VideoCall::ReconnectIceServer { channel_arn: arn },
        "CreateStream" => VideoCall::Media(MediaRequest::CreateStream(v(value).map_err(wrong)?)),
        "DescribeStream" => VideoCall::Media(MediaRequest::DescribeStream(v(value).map_err(wrong)?)),
        "ListStreams" => VideoCall::Media(MediaRequest::ListStreams(v(value).map_err(wrong)?)),
        "UpdateDataRetention" => VideoCall::Media(MediaRequest::UpdateDataRetention(v(value).map_err(wrong)?)),
        "DeleteStream" => VideoCall::Media(MediaRequest::DeleteStream(v(value).map_err(wrong)?)),
        "GetDataEndpoint" => VideoCall::Media(MediaRequest::GetDataEndpoint(v(value).map_err(wrong)?)),
        "ListFragments" => VideoCall::Media(MediaRequest::ListFragments(v(value).map_err(wrong)?)),
        "GetClip" => VideoCall::Media(MediaRequest::GetClip(v(value).map_err(wrong)?)),
        "PutMedia" => VideoCall::PutMedia(v(value).map_err(wrong)?),
        "InjectPersistFailure" => VideoCall::InjectPersistFailure {
            stream_name: text("StreamName").unwrap_or_default(),
            count: body.get("Count").and_then(Value::as_u64).unwrap_or(1) as u32,
        },
        "SendFrame" => {
            VideoCall::Send { channel_arn: arn, client_id: text("ClientId"), text: text("Frame").unwrap_or_default() }
        }
        _ => {
            let message_type = match action {
                "SendSdpOffer" => MessageType::SdpOffer,
                "SendSdpAnswer" => MessageType::SdpAnswer,
                _ => MessageType::IceCandidate,
            };
            let frame = ClientFrame {
                action: message_type,
                message_payload: text("messagePayload").unwrap_or_default(),
                recipient_client_id: text("recipientClientId"),
                correlation_id: text("correlationId"),
            };
            VideoCall::Send { channel_arn: arn, client_id: text("ClientId"), text: frame.to_text() }
        }
    })
}
