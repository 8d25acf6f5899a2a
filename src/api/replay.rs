//! `kinesis-lab api`: a JSON-lines replay of AWS requests against a fresh simulated account.
//!
//! Each input line is `{"at_ms": <simulated ms since start, non-decreasing>, "service": "kinesis",
//! "action": "<AWS action>", "input": {<request body>}}`. Before handling a line the engine advances
//! simulated time to `at_ms`, running every timer on the way. Each line gets exactly one output line:
//! `{"at_ms": …, "action": …, "output": {…}}` or `{"at_ms": …, "action": …, "error": {"__type", "message"}}`.
//! A line that is not valid JSON, or names no known action, gets an error line and the replay goes on.
//!
//! SubscribeToShard is an event stream that lasts up to 5 minutes, so its line is written when the
//! subscription ends (as the SDK call completes then): `{"at_ms": <the call's>, "action":
//! "SubscribeToShard", "output": {"EventStream": [{"at_ms": <push>, "SubscribeToShardEvent": {…}}, …],
//! "Ended": {"at_ms": …, "reason": …}}}`. At the end of the input, open subscriptions run to their end.
//!
//! Service `kinesisvideo` takes the signaling control plane and socket events (see [`super::kinesisvideo`]).
//! What the service writes to a socket is a line of its own, after the line that caused it or, for what
//! timers cause (latency, TTL expiry, idle timeouts), before the first line at or after that time:
//! `{"at_ms": …, "channel": "<name>", "socket": "MASTER" | "<client id>", "frame": {<the service frame>}}`,
//! or `"closed": "<reason>"` in place of `frame`. PutMedia acknowledgements are lines of their own the same
//! way: `{"at_ms": …, "stream": "<name>", "session": <n>, "ack": {"EventType", "FragmentTimecode",
//! "FragmentNumber"?, "ErrorId"?}}`.

use super::kinesisvideo::VideoCall;
use super::{parse, parse_video, reply_json, ErrorBody};
use crate::engine::kds::subscription::{KdsEvent, SubscriptionId};
use crate::engine::kds::KdsResponse;
use crate::engine::runner::Runner;
use crate::engine::time::SimTime;
use crate::engine::video::error::VideoError;
use crate::engine::video::media::MediaService;
use crate::engine::video::settings::VideoSettings;
use crate::engine::video::{ConnId, ConnectRequest, SignalingService, SocketOutput};
use crate::engine::{CommandId, Engine, EngineConfig, Event, Input, Output, Reply};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The most timer wake-ups one line may trigger while catching up to its `at_ms` (a guard, never reached
/// by sensible input within the horizon).
const CATCH_UP_STEPS_MAX: u64 = 1_000_000_000;

/// The latest `at_ms` a replay accepts: 400 simulated days, enough for the longest retention (365 days).
pub const HORIZON_MS: u64 = 400 * 86_400_000;

/// The replay reads replies and events, not the engine's chart samples: it takes them hourly.
const REPLAY_SAMPLE_INTERVAL: crate::engine::time::SimDuration = crate::engine::time::SimDuration::from_hours(1);

/// A SubscribeToShard call whose event stream is still open.
#[derive(Debug)]
struct OpenStream {
    at_ms: u64,
    events: Vec<Value>,
}

/// A replay in progress.
#[derive(Debug)]
pub struct Replay {
    runner: Runner,
    last_at_ms: u64,
    next_id: u64,
    open_streams: BTreeMap<SubscriptionId, OpenStream>,
    finished: Vec<String>,
    video: SignalingService,
    media: MediaService,
    /// Open signaling sockets by (channel ARN, client id; `None` for the master), and their labels.
    sockets: BTreeMap<(String, Option<String>), ConnId>,
    socket_labels: BTreeMap<ConnId, (String, String)>,
    /// Lines a kinesisvideo call caused, written after its own.
    caused: Vec<String>,
}

impl Replay {
    /// A replay against a fresh engine.
    pub fn new(config: EngineConfig) -> Replay {
        let config = EngineConfig { sample_interval: config.sample_interval.max(REPLAY_SAMPLE_INTERVAL), ..config };
        let video_settings = VideoSettings {
            account_id: config.kds.account_id.clone(),
            region: config.kds.region.clone(),
            epoch_ms: config.kds.epoch_ms,
            ..VideoSettings::default()
        };
        let video = SignalingService::new(video_settings.clone(), config.seed);
        Replay {
            video,
            media: MediaService::new(video_settings, config.seed),
            sockets: BTreeMap::new(),
            socket_labels: BTreeMap::new(),
            caused: Vec::new(),
            runner: Runner::new(Engine::new(config)),
            last_at_ms: 0,
            next_id: 0,
            open_streams: BTreeMap::new(),
            finished: Vec::new(),
        }
    }

    /// Handles one input line. Returns its output line, preceded by the lines of any SubscribeToShard
    /// calls whose streams ended meanwhile; a SubscribeToShard that opened a stream answers later.
    pub fn handle_line(&mut self, line: &str) -> Vec<String> {
        let own = match self.envelope(line) {
            Ok((at_ms, service, action, input)) => {
                self.request(at_ms, &service, &action, &input).map(|result| answer(Some(at_ms), Some(&action), result))
            }
            Err((at_ms, action, error)) => Some(answer(at_ms, action.as_deref(), Err(error))),
        };
        let mut lines = std::mem::take(&mut self.finished);
        lines.extend(own);
        lines.append(&mut self.caused);
        lines
    }

    /// At the end of the input: runs open subscriptions to their end and returns their lines.
    pub fn finish(&mut self) -> Vec<String> {
        while !self.open_streams.is_empty() {
            let mut outputs = Vec::new();
            if self.runner.step(&mut |o| outputs.push(o)).is_none() {
                break;
            }
            outputs.into_iter().for_each(|o| self.absorb(o));
        }
        std::mem::take(&mut self.finished)
    }

    /// The engine, for tests and summaries.
    pub fn engine(&self) -> &Engine {
        self.runner.engine()
    }

    /// Handles a request; `None` when its answer is deferred (an opened subscription).
    fn request(&mut self, at_ms: u64, service: &str, action: &str, input: &Value) -> Option<Result<String, ErrorBody>> {
        let now = SimTime::from_millis(at_ms);
        let mut outputs = Vec::new();
        self.runner.run_until(now, CATCH_UP_STEPS_MAX, &mut |o| outputs.push(o));
        outputs.into_iter().for_each(|o| self.absorb(o));
        self.video_catch_up(now);
        if service == "kinesisvideo" {
            let result = parse_video(action, input).and_then(|call| self.video_call(now, call));
            self.media.handle_timeout(now);
            let caused = self.video_outputs(at_ms);
            self.caused.extend(caused);
            return Some(result);
        }
        let command = match parse(service, action, input) {
            Ok(command) => command,
            Err(error) => return Some(Err(error)),
        };
        let id = CommandId(self.next_id);
        self.next_id += 1;
        self.runner.engine_mut().handle_input(now, Input::Command { id, cmd: command });
        let mut answer = None;
        loop {
            match self.runner.engine_mut().poll_output() {
                Output::Timeout(_) => break,
                Output::Reply { id: got, result } if got == id => match result {
                    Ok(Reply::Kds(KdsResponse::SubscribeToShard(started))) => {
                        self.open_streams.insert(started.id, OpenStream { at_ms, events: Vec::new() });
                    }
                    Ok(reply) => answer = Some(Ok(reply_json(&reply))),
                    Err(error) => answer = Some(Err(ErrorBody::from(error))),
                },
                other => self.absorb(other),
            }
        }
        answer
    }

    /// Runs the signaling and stream services' timers up to `now`; what they cause is written before the
    /// line's answer.
    fn video_catch_up(&mut self, now: SimTime) {
        loop {
            let due = self.video.poll_timeout().min(self.media.poll_timeout());
            if due > now {
                break;
            }
            self.video.handle_timeout(due);
            self.media.handle_timeout(due);
            let lines = self.video_outputs(due.as_millis());
            self.finished.extend(lines);
        }
        self.video.handle_timeout(now);
        self.media.handle_timeout(now);
    }

    /// One kinesisvideo call.
    fn video_call(&mut self, now: SimTime, call: VideoCall) -> Result<String, ErrorBody> {
        let empty = Ok("{}".to_string());
        let socket = |replay: &Self, arn: &str, client: &Option<String>| {
            replay.sockets.get(&(arn.to_string(), client.clone())).copied().ok_or_else(|| ErrorBody {
                type_name: "InvalidArgumentException".into(),
                message: format!(
                    "No open socket for {} on {arn} in this replay",
                    client.as_deref().unwrap_or("the master")
                ),
            })
        };
        match call {
            VideoCall::Control(request) => {
                let body = self.video.handle_request(now, request)?;
                Ok(body.to_string())
            }
            VideoCall::Connect { role, channel_arn, client_id } => {
                let request = ConnectRequest {
                    role,
                    channel_arn: channel_arn.clone(),
                    client_id: client_id.clone(),
                    signed_at: None,
                };
                let conn = self.video.connect(now, request)?;
                let key_client = match role {
                    crate::engine::video::Role::Master => None,
                    crate::engine::video::Role::Viewer => client_id,
                };
                let label = key_client.clone().unwrap_or_else(|| "MASTER".into());
                let channel = crate::engine::video::channel::name_in_arn(&channel_arn).unwrap_or_default().to_string();
                self.sockets.insert((channel_arn, key_client), conn);
                self.socket_labels.insert(conn, (channel, label));
                empty
            }
            VideoCall::Send { channel_arn, client_id, text } => {
                let conn = socket(self, &channel_arn, &client_id)?;
                self.video.handle_frame(now, conn, &text);
                empty
            }
            VideoCall::Disconnect { channel_arn, client_id } => {
                let conn = socket(self, &channel_arn, &client_id)?;
                self.video.disconnect(now, conn);
                self.forget_socket(conn);
                empty
            }
            VideoCall::GoAway { channel_arn, client_id } => {
                let conn = socket(self, &channel_arn, &client_id)?;
                self.video.inject_go_away(now, conn);
                empty
            }
            VideoCall::ReconnectIceServer { channel_arn } => {
                self.video.inject_reconnect_ice_server(now, &channel_arn)?;
                empty
            }
            VideoCall::Media(request) => Ok(self.media.handle_request(now, request)?.to_string()),
            VideoCall::PutMedia(input) => {
                let (session, _) = self.media.put_media(now, input)?;
                self.media.end_session(session);
                empty
            }
            VideoCall::InjectPersistFailure { stream_name, count } => {
                if self.media.stream(&stream_name).is_none() {
                    return Err(VideoError::stream_not_found(&stream_name).into());
                }
                self.media.inject_persist_failures(&stream_name, count);
                empty
            }
        }
    }

    fn forget_socket(&mut self, conn: ConnId) {
        self.sockets.retain(|_, c| *c != conn);
        self.socket_labels.remove(&conn);
    }

    /// The signaling service's socket outputs as lines: `{"at_ms", "channel", "socket", "frame" | "closed"}`,
    /// then the stream service's acknowledgements: `{"at_ms", "stream", "session", "ack"}`.
    fn video_outputs(&mut self, at_ms: u64) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(out) = self.media.poll_ack() {
            let (at, stream, session, ack) =
                (out.ack.at.as_millis(), Value::String(out.stream), out.session.0, out.ack.to_json());
            lines.push(format!("{{\"at_ms\":{at},\"stream\":{stream},\"session\":{session},\"ack\":{ack}}}"));
        }
        while let Some(output) = self.video.poll_output() {
            let (conn, key, raw) = match output {
                // The frame's own text, so its keys keep the service's order.
                SocketOutput::Frame { conn, text } => (conn, "frame", text),
                SocketOutput::Closed { conn, reason } => (conn, "closed", Value::String(reason).to_string()),
            };
            let (channel, socket) = self.socket_labels.get(&conn).cloned().unwrap_or_default();
            let (channel, socket) = (Value::String(channel), Value::String(socket));
            lines.push(format!("{{\"at_ms\":{at_ms},\"channel\":{channel},\"socket\":{socket},\"{key}\":{raw}}}"));
            if key == "closed" {
                self.forget_socket(conn);
            }
        }
        lines
    }

    /// Files a subscription event; an ended stream becomes a finished line.
    fn absorb(&mut self, output: Output) {
        let Output::Event(Event::Kds(event)) = output else { return };
        match event {
            KdsEvent::Pushed { id, at, event, .. } => {
                if let Some(open) = self.open_streams.get_mut(&id) {
                    open.events.push(json!({"at_ms": at.as_millis(), "SubscribeToShardEvent": event}));
                }
            }
            KdsEvent::Ended { id, at, reason } => {
                if let Some(open) = self.open_streams.remove(&id) {
                    let body =
                        json!({"EventStream": open.events, "Ended": {"at_ms": at.as_millis(), "reason": reason}});
                    self.finished.push(answer(Some(open.at_ms), Some("SubscribeToShard"), Ok(body.to_string())));
                }
            }
        }
    }

    /// Reads a line's envelope: (at_ms, service, action, input), or the error line's parts.
    #[allow(clippy::type_complexity)]
    fn envelope(
        &mut self,
        line: &str,
    ) -> Result<(u64, String, String, Value), (Option<u64>, Option<String>, ErrorBody)> {
        let bad = |at, action, text: String| {
            Err((at, action, ErrorBody { type_name: "SerializationException".into(), message: text }))
        };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return bad(None, None, format!("The line is not valid JSON: {e}")),
        };
        let Some(object) = value.as_object() else { return bad(None, None, "The line must be a JSON object".into()) };
        let action = object.get("action").and_then(Value::as_str).map(str::to_string);
        let at_ms = match object.get("at_ms") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        let Some(at_ms) = at_ms else {
            return bad(None, action, "at_ms must be a whole number of simulated milliseconds, 0 or more".into());
        };
        if at_ms > HORIZON_MS {
            let text = format!("at_ms {at_ms} is beyond the replay's horizon of {HORIZON_MS} ms (400 simulated days)");
            return bad(Some(at_ms), action, text);
        }
        if at_ms < self.last_at_ms {
            let text = format!(
                "at_ms {at_ms} is earlier than the previous line's {}; simulated time cannot go back",
                self.last_at_ms
            );
            return bad(Some(at_ms), action, text);
        }
        let Some(action) = action else {
            return bad(Some(at_ms), None, "action must be a string naming an AWS action".into());
        };
        let Some(service) = object.get("service").and_then(Value::as_str) else {
            return bad(Some(at_ms), Some(action), "service must be a string, e.g. \"kinesis\"".into());
        };
        self.last_at_ms = at_ms;
        Ok((at_ms, service.to_string(), action, object.get("input").cloned().unwrap_or(Value::Null)))
    }
}

/// One output line, keys in the documented order: at_ms, action, output | error.
fn answer(at_ms: Option<u64>, action: Option<&str>, result: Result<String, ErrorBody>) -> String {
    let at = at_ms.map_or(Value::Null, Value::from);
    let action = action.map_or(Value::Null, Value::from);
    match result {
        Ok(output) => format!("{{\"at_ms\":{at},\"action\":{action},\"output\":{output}}}"),
        Err(error) => format!("{{\"at_ms\":{at},\"action\":{action},\"error\":{}}}", error.to_json()),
    }
}
