//! The two-tab relay's messages (spec video.md §6.1 (b)): one tab hosts the signaling service, another
//! proxies its control calls, connects and socket frames to it over a BroadcastChannel. Every message is
//! one JSON text; what is not a well-formed message is refused with a reason and changes nothing.

use crate::engine::video::log::LogEntry;
use crate::engine::video::{ConnId, ConnectRequest, VideoRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The BroadcastChannel's name.
pub const BUS: &str = "kinesis-lab-video";

/// How long a tab waits for a host to answer its hello before hosting the channel itself.
pub const HELLO_WAIT_MS: i32 = 300;

/// How long a proxied call waits for the hosting tab's reply.
pub const REPLY_WAIT_MS: i32 = 3_000;

/// One message on the bus. `host` names the hosting tab a message is for; `to` the tab a reply is for.
///
/// Externally tagged (`{"send": {…}}`): serde's internally tagged enums buffer every message first, which
/// cost the app 9 KB more of gzipped wasm here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wire {
    /// A tab about to start a peer asks whether another tab hosts the channel.
    Hello { tab: String },
    /// The hosting tab answers, with its log so far.
    HostHere { host: String, to: String, log: Vec<LogEntry> },
    /// A control-plane call.
    Request { host: String, tab: String, id: u64, request: VideoRequest },
    /// ConnectAsMaster or ConnectAsViewer.
    Connect { host: String, tab: String, id: u64, request: ConnectRequest },
    /// The answer to a request or connect: the response body, or the error's text.
    Reply { to: String, id: u64, result: Result<Value, String> },
    /// A text frame from a proxied socket.
    Send { host: String, tab: String, conn: ConnId, text: String },
    /// A proxied socket closes.
    Disconnect { host: String, tab: String, conn: ConnId },
    /// A frame the service sent to a proxied socket.
    Frame { to: String, conn: ConnId, text: String },
    /// The service closed a proxied socket.
    Closed { to: String, conn: ConnId, reason: String },
    /// New lines of the service's log, for every tab's sequence diagram.
    Log { host: String, entries: Vec<LogEntry> },
    /// The hosting tab is going away: its channel and sockets with it.
    Gone { host: String },
}

impl Wire {
    /// The message as the bus carries it.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("relay messages serialise")
    }

    /// A message from the bus, or why it is not one.
    pub fn decode(text: &str) -> Result<Wire, String> {
        serde_json::from_str(text).map_err(|e| format!("not a relay message: {e}"))
    }

    /// The hosting tab this message is addressed to, for messages a host serves.
    pub fn host(&self) -> Option<&str> {
        match self {
            Wire::Request { host, .. }
            | Wire::Connect { host, .. }
            | Wire::Send { host, .. }
            | Wire::Disconnect { host, .. } => Some(host),
            _ => None,
        }
    }

    /// The tab this message is addressed to, for messages a proxy receives.
    pub fn to(&self) -> Option<&str> {
        match self {
            Wire::HostHere { to, .. } | Wire::Reply { to, .. } | Wire::Frame { to, .. } | Wire::Closed { to, .. } => {
                Some(to)
            }
            _ => None,
        }
    }
}

/// Which tab owns each proxied socket, so a tab can only send on, or close, its own.
#[derive(Debug, Default)]
pub struct Owners {
    by_conn: std::collections::BTreeMap<ConnId, String>,
}

impl Owners {
    /// Records that `tab` opened `conn`.
    pub fn insert(&mut self, conn: ConnId, tab: &str) {
        self.by_conn.insert(conn, tab.to_string());
    }

    /// The tab that owns `conn`, if a proxy does.
    pub fn owner(&self, conn: ConnId) -> Option<&str> {
        self.by_conn.get(&conn).map(String::as_str)
    }

    /// Whether `tab` may use `conn`; refuses a socket of another tab or of the host itself.
    pub fn check(&self, conn: ConnId, tab: &str) -> Result<(), String> {
        match self.owner(conn) {
            Some(owner) if owner == tab => Ok(()),
            Some(_) => Err(format!("socket {} belongs to another tab", conn.0)),
            None => Err(format!("socket {} is not a proxied socket", conn.0)),
        }
    }

    /// Forgets a closed socket.
    pub fn remove(&mut self, conn: ConnId) {
        self.by_conn.remove(&conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::video::control::ChannelRef;
    use crate::engine::video::Role;

    #[test]
    fn messages_round_trip_through_their_text() {
        let messages = [
            Wire::Hello { tab: "t1".into() },
            Wire::Request {
                host: "h".into(),
                tab: "t1".into(),
                id: 7,
                request: VideoRequest::DescribeSignalingChannel(ChannelRef {
                    channel_name: Some("demo".into()),
                    channel_arn: None,
                }),
            },
            Wire::Connect {
                host: "h".into(),
                tab: "t1".into(),
                id: 8,
                request: ConnectRequest {
                    role: Role::Viewer,
                    channel_arn: "arn".into(),
                    client_id: Some("viewer-1".into()),
                    signed_at: None,
                },
            },
            Wire::Reply { to: "t1".into(), id: 8, result: Ok(serde_json::json!(3)) },
            Wire::Reply { to: "t1".into(), id: 9, result: Err("ClientLimitExceededException: …".into()) },
            Wire::Frame { to: "t1".into(), conn: ConnId(3), text: "{}".into() },
        ];
        for m in messages {
            assert_eq!(Wire::decode(&m.encode()), Ok(m));
        }
    }

    #[test]
    fn malformed_messages_are_refused_with_a_reason() {
        for text in ["", "{", "[]", r#"{"kind":"launch"}"#, r#"{"kind":"send","host":"h","tab":"t","conn":"x"}"#] {
            let err = Wire::decode(text).unwrap_err();
            assert!(err.starts_with("not a relay message"), "{text}: {err}");
        }
    }

    #[test]
    fn a_tab_may_use_only_its_own_sockets() {
        let mut owners = Owners::default();
        owners.insert(ConnId(1), "t1");
        assert_eq!(owners.check(ConnId(1), "t1"), Ok(()));
        assert_eq!(owners.check(ConnId(1), "t2"), Err("socket 1 belongs to another tab".into()));
        assert_eq!(owners.check(ConnId(2), "t1"), Err("socket 2 is not a proxied socket".into()));
        owners.remove(ConnId(1));
        assert!(owners.check(ConnId(1), "t1").is_err());
    }

    #[test]
    fn addresses_are_read_from_either_end() {
        let send = Wire::Send { host: "h".into(), tab: "t".into(), conn: ConnId(1), text: String::new() };
        assert_eq!((send.host(), send.to()), (Some("h"), None));
        let frame = Wire::Frame { to: "t".into(), conn: ConnId(1), text: String::new() };
        assert_eq!((frame.host(), frame.to()), (None, Some("t")));
        assert_eq!(Wire::Hello { tab: "t".into() }.host(), None);
    }
}
