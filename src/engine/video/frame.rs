//! The WebSocket text frames of KVS signaling (spec video.md §3.3–§3.5), in both directions.
//!
//! Client → service: `{"action", "messagePayload", "recipientClientId"?, "correlationId"?}`.
//! Service → client: `{"senderClientId"?, "messageType", "messagePayload"?, "statusResponse"?}`.
//! Keys are written in the SDK's order, and a payload is base64 of the JSON of an RTCSessionDescription or
//! RTCIceCandidate (standard alphabet, padded).

use super::channel::is_name;
use super::error::VideoError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// What a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageType {
    /// An SDP offer (normally viewer → master).
    SdpOffer,
    /// An SDP answer (normally master → viewer).
    SdpAnswer,
    /// One ICE candidate (trickle ICE).
    IceCandidate,
    /// A failure report for a message that carried a correlationId.
    StatusResponse,
    /// The service is about to close the connection; reconnect.
    GoAway,
    /// The TURN relay is going away; fetch new ICE servers.
    ReconnectIceServer,
}

impl MessageType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::SdpOffer => "SDP_OFFER",
            MessageType::SdpAnswer => "SDP_ANSWER",
            MessageType::IceCandidate => "ICE_CANDIDATE",
            MessageType::StatusResponse => "STATUS_RESPONSE",
            MessageType::GoAway => "GO_AWAY",
            MessageType::ReconnectIceServer => "RECONNECT_ICE_SERVER",
        }
    }

    /// A client action, if `s` names one.
    pub fn action(s: &str) -> Option<MessageType> {
        match s {
            "SDP_OFFER" => Some(MessageType::SdpOffer),
            "SDP_ANSWER" => Some(MessageType::SdpAnswer),
            "ICE_CANDIDATE" => Some(MessageType::IceCandidate),
            _ => None,
        }
    }

    /// Any message type, as a client reads it.
    pub fn parse(s: &str) -> Option<MessageType> {
        MessageType::action(s).or(match s {
            "STATUS_RESPONSE" => Some(MessageType::StatusResponse),
            "GO_AWAY" => Some(MessageType::GoAway),
            "RECONNECT_ICE_SERVER" => Some(MessageType::ReconnectIceServer),
            _ => None,
        })
    }
}

/// A frame a client sent, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientFrame {
    /// SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE.
    pub action: MessageType,
    /// base64 of the payload JSON.
    pub message_payload: String,
    /// The viewer a master's message is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_client_id: Option<String>,
    /// Asks for a STATUS_RESPONSE if the message fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl ClientFrame {
    /// The frame's text, keys in the SDK's order (spec §3.3).
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("frames always serialise")
    }
}

/// Why a client frame was refused: the error, and the correlationId to answer to (if one was readable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameRejection {
    /// Where to send a STATUS_RESPONSE; `None` means the failure is silent on the wire.
    pub correlation_id: Option<String>,
    /// The failure.
    pub error: VideoError,
}

/// Reads and checks a client frame (spec §3.3 field limits; F10, F11).
pub fn parse_client_frame(text: &str, payload_max_chars: usize) -> Result<ClientFrame, FrameRejection> {
    let silent =
        |message: String| FrameRejection { correlation_id: None, error: VideoError::invalid_argument(message) };
    let value: Value = serde_json::from_str(text).map_err(|e| silent(format!("The frame is not JSON: {e}")))?;
    let Value::Object(map) = value else { return Err(silent("The frame is not a JSON object".into())) };
    let string = |key: &str| -> Result<Option<String>, String> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{key} must be a string, got {other}")),
        }
    };
    let correlation_id = string("correlationId").map_err(silent)?;
    if let Some(id) = &correlation_id {
        if id.len() > 256 || !is_name(id) {
            return Err(silent(format!("correlationId '{id}' must be 1–256 characters of [a-zA-Z0-9_.-]")));
        }
    }
    let refuse = |message: String| FrameRejection {
        correlation_id: correlation_id.clone(),
        error: VideoError::invalid_argument(message),
    };
    let action = match string("action").map_err(&refuse)? {
        None => return Err(refuse("action is required: SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE".into())),
        Some(a) => MessageType::action(&a)
            .ok_or_else(|| refuse(format!("action '{a}' is not one of SDP_OFFER, SDP_ANSWER, ICE_CANDIDATE")))?,
    };
    let payload = string("messagePayload").map_err(&refuse)?.unwrap_or_default();
    if payload.is_empty() {
        return Err(refuse("messagePayload is required (1 to 10K characters)".into()));
    }
    let chars = payload.chars().count();
    if chars > payload_max_chars {
        return Err(refuse(format!("messagePayload is {chars} characters; the limit is {payload_max_chars}")));
    }
    decode_payload(&payload).map_err(|why| refuse(format!("payload undecodable: {why}")))?;
    let recipient_client_id = string("recipientClientId").map_err(&refuse)?;
    if let Some(id) = &recipient_client_id {
        if id.len() > 256 || !is_name(id) {
            return Err(refuse(format!("recipientClientId '{id}' must be 1–256 characters of [a-zA-Z0-9_.-]")));
        }
    }
    Ok(ClientFrame { action, message_payload: payload, recipient_client_id, correlation_id })
}

/// The JSON inside a payload, or why it cannot be read.
pub fn decode_payload(payload: &str) -> Result<Value, String> {
    let bytes = STANDARD.decode(payload).map_err(|e| format!("not base64 ({e})"))?;
    let text = String::from_utf8(bytes).map_err(|_| "the decoded bytes are not UTF-8".to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("the decoded text is not JSON ({e})"))
}

/// base64 of a payload's JSON text.
pub fn encode_payload(json_text: &str) -> String {
    STANDARD.encode(json_text.as_bytes())
}

/// A frame the service sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceFrame {
    /// The viewer that sent it; absent when the master did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_client_id: Option<String>,
    /// What it is.
    pub message_type: MessageType,
    /// base64 JSON, for SDP and ICE messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_payload: Option<String>,
    /// For STATUS_RESPONSE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_response: Option<StatusResponse>,
}

/// The body of a STATUS_RESPONSE (spec §3.5; `success` as in the SDK's fixture).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    /// The failed message's correlationId.
    pub correlation_id: String,
    /// The exception name.
    pub error_type: String,
    /// The HTTP-style status, as a string.
    pub status_code: String,
    /// What went wrong (≤ 1K characters).
    pub description: String,
    /// Always false: the service reports only failures.
    pub success: bool,
}

impl ServiceFrame {
    /// A relayed SDP or ICE message.
    pub fn relayed(message_type: MessageType, sender: Option<&str>, payload: &str) -> ServiceFrame {
        ServiceFrame {
            sender_client_id: sender.map(str::to_string),
            message_type,
            message_payload: Some(payload.to_string()),
            status_response: None,
        }
    }

    /// GO_AWAY or RECONNECT_ICE_SERVER: no payload.
    pub fn notice(message_type: MessageType) -> ServiceFrame {
        ServiceFrame { sender_client_id: None, message_type, message_payload: None, status_response: None }
    }

    /// A failure report.
    pub fn status(correlation_id: &str, error: &VideoError) -> ServiceFrame {
        let description: String = error.message.chars().take(1_000).collect();
        ServiceFrame {
            sender_client_id: None,
            message_type: MessageType::StatusResponse,
            message_payload: None,
            status_response: Some(StatusResponse {
                correlation_id: correlation_id.to_string(),
                error_type: error.kind.aws_code().to_string(),
                status_code: error.kind.status_code().to_string(),
                description,
                success: false,
            }),
        }
    }

    /// The frame's text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("frames always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SDK's own fixtures (spec §3.3), byte for byte.
    const VIEWER_OFFER: &str = r#"{"action":"SDP_OFFER","messagePayload":"eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ=="}"#;
    const ICE_PAYLOAD: &str = "eyJjYW5kaWRhdGUiOiJ1cGQgMTAuMTExLjM0Ljg4Iiwic2RwTWlkIjoiMSIsInNkcE1MaW5lSW5kZXgiOjF9";

    #[test]
    fn the_sdk_fixtures_parse_and_serialise_back_unchanged() {
        let frame = parse_client_frame(VIEWER_OFFER, 10_000).expect("the SDK's offer is valid");
        assert_eq!(frame.action, MessageType::SdpOffer);
        assert_eq!(frame.to_text(), VIEWER_OFFER);
        let master = ClientFrame { recipient_client_id: Some("TestClientId".into()), ..frame };
        assert_eq!(
            master.to_text(),
            r#"{"action":"SDP_OFFER","messagePayload":"eyJzZHAiOiJvZmZlcj0gdHJ1ZVxudmlkZW89IHRydWUiLCJ0eXBlIjoib2ZmZXIifQ==","recipientClientId":"TestClientId"}"#
        );
        let ice = decode_payload(ICE_PAYLOAD).expect("decodes");
        assert_eq!(ice, serde_json::json!({"candidate":"upd 10.111.34.88","sdpMid":"1","sdpMLineIndex":1}));
    }

    #[test]
    fn service_frames_use_the_documented_keys_in_order() {
        let relayed = ServiceFrame::relayed(MessageType::SdpOffer, Some("TestClientId"), "e30=");
        assert_eq!(
            relayed.to_text(),
            r#"{"senderClientId":"TestClientId","messageType":"SDP_OFFER","messagePayload":"e30="}"#
        );
        let answer = ServiceFrame::relayed(MessageType::SdpAnswer, None, "e30=");
        assert_eq!(answer.to_text(), r#"{"messageType":"SDP_ANSWER","messagePayload":"e30="}"#);
        let status = ServiceFrame::status("1697058567743", &VideoError::invalid_argument("bad"));
        assert_eq!(
            status.to_text(),
            r#"{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"1697058567743","errorType":"InvalidArgumentException","statusCode":"400","description":"bad","success":false}}"#
        );
        assert_eq!(ServiceFrame::notice(MessageType::GoAway).to_text(), r#"{"messageType":"GO_AWAY"}"#);
    }

    #[test]
    fn malformed_frames_are_refused_with_a_reason_and_a_correlation_id_when_readable() {
        let refused = |text: &str| parse_client_frame(text, 10_000).expect_err(text);
        assert_eq!(refused("not json").correlation_id, None);
        assert_eq!(refused("[1]").correlation_id, None);
        assert_eq!(
            refused(r#"{"action":"SDP_OFFER","messagePayload":"e30=","correlationId":"a b"}"#).correlation_id,
            None
        );
        let bad_b64 = refused(r#"{"action":"SDP_OFFER","messagePayload":"%%%","correlationId":"c1"}"#);
        assert_eq!(bad_b64.correlation_id.as_deref(), Some("c1"));
        assert!(bad_b64.error.message.starts_with("payload undecodable: not base64"), "{}", bad_b64.error.message);
        let not_json = refused(&format!(
            r#"{{"action":"ICE_CANDIDATE","messagePayload":"{}","correlationId":"c2"}}"#,
            encode_payload("hello")
        ));
        assert!(not_json.error.message.contains("not JSON"));
        assert!(refused(r#"{"action":"HELLO","messagePayload":"e30="}"#).error.message.contains("HELLO"));
        assert!(refused(r#"{"action":"SDP_OFFER"}"#).error.message.contains("required"));
        assert!(refused(r#"{"action":7,"messagePayload":"e30="}"#).error.message.contains("must be a string"));
        let big = format!(
            r#"{{"action":"SDP_OFFER","messagePayload":"{}"}}"#,
            encode_payload(&format!("\"{}\"", "x".repeat(7_600)))
        );
        assert!(refused(&big).error.message.contains("the limit is 10000"));
        assert!(refused(r#"{"action":"SDP_ANSWER","messagePayload":"e30=","recipientClientId":""}"#)
            .error
            .message
            .contains("recipientClientId"));
    }
}
