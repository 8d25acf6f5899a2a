//! Kinesis Video Streams signaling, simulated: channels, WebSocket connections, message routing (spec
//! video.md §3, §6). Sans-IO like the rest of the engine: time is an argument and sockets are ids.
//!
//! # The loop
//!
//! - The control plane is a call: [`SignalingService::handle_request`] answers a [`VideoRequest`].
//! - A client opens a socket with [`SignalingService::connect`], sends text frames with
//!   [`SignalingService::handle_frame`] and closes with [`SignalingService::disconnect`].
//! - What the service sends back (frames, closes) is drained with [`SignalingService::poll_output`].
//! - At [`SignalingService::poll_timeout`], call [`SignalingService::handle_timeout`]: messages arrive
//!   after their latency, undelivered ones expire, idle connections close. Every entry point first
//!   catches up to its `now`, so a caller that is late loses nothing.
//!
//! Only signaling is simulated. Media, ICE checks and DTLS belong to the browser's real stack; the NAT
//! model in [`nat`] only decides which real candidates may pass.

pub mod channel;
pub mod connection;
pub mod control;
pub mod error;
pub mod frame;
pub mod listing;
pub mod log;
pub mod media;
pub mod nat;
pub mod rates;
pub mod routing;
pub mod settings;
pub mod turn;
pub mod version;

pub use connection::{ConnId, ConnectRequest, Connection, Role};
pub use control::VideoRequest;

use crate::engine::kds::bucket::TokenBucket;
use crate::engine::rng::{Seed, SimRng};
use crate::engine::time::{SimDuration, SimTime};
use channel::Channel;
use error::{VideoError, VideoResult};
use frame::{MessageType, ServiceFrame};
use log::{LogEntry, Outcome, Peer, SignalLog};
use rates::ControlRates;
use routing::{InFlight, Pending};
use settings::{Knobs, VideoSettings};
use std::collections::{BTreeMap, VecDeque};
use turn::IssuedCredentials;

/// Something the service does to a socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketOutput {
    /// A text frame to the client.
    Frame { conn: ConnId, text: String },
    /// The service closed the connection.
    Closed { conn: ConnId, reason: String },
}

/// The simulated signaling service of one account and region.
#[derive(Debug)]
pub struct SignalingService {
    settings: VideoSettings,
    knobs: Knobs,
    rng: SimRng,
    /// By name.
    channels: BTreeMap<String, Channel>,
    connect_buckets: BTreeMap<String, TokenBucket>,
    control_rates: ControlRates,
    connections: BTreeMap<ConnId, Connection>,
    next_conn: u64,
    /// Messages on their way, by arrival time and send order.
    in_flight: BTreeMap<(SimTime, u64), InFlight>,
    /// The latest arrival per (channel, sender, recipient), to keep order when reordering is off.
    last_arrival: BTreeMap<(String, Peer, Peer), SimTime>,
    next_message: u64,
    /// Undelivered messages per (channel, recipient), oldest first.
    pending: BTreeMap<(String, Peer), VecDeque<Pending>>,
    credentials: Vec<IssuedCredentials>,
    outputs: VecDeque<SocketOutput>,
    log: SignalLog,
    now: SimTime,
}

impl SignalingService {
    /// An account with no channels. Settings are checked by the caller ([`VideoSettings::problem`]).
    pub fn new(settings: VideoSettings, seed: Seed) -> SignalingService {
        SignalingService {
            settings,
            knobs: Knobs::default(),
            rng: SimRng::new(seed).fork("video-signaling"),
            channels: BTreeMap::new(),
            connect_buckets: BTreeMap::new(),
            control_rates: ControlRates::default(),
            connections: BTreeMap::new(),
            next_conn: 1,
            in_flight: BTreeMap::new(),
            last_arrival: BTreeMap::new(),
            next_message: 0,
            pending: BTreeMap::new(),
            credentials: Vec::new(),
            outputs: VecDeque::new(),
            log: SignalLog::default(),
            now: SimTime::ZERO,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &VideoSettings {
        &self.settings
    }

    /// The message-path knobs in force.
    pub fn knobs(&self) -> &Knobs {
        &self.knobs
    }

    /// Turns the knobs; out-of-range values are refused and change nothing.
    pub fn set_knobs(&mut self, knobs: Knobs) -> Result<(), String> {
        if let Some(problem) = knobs.problem() {
            return Err(problem);
        }
        self.knobs = knobs;
        Ok(())
    }

    /// Every channel, by name.
    pub fn channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.values()
    }

    /// Every open connection.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.connections.values()
    }

    /// The messages waiting for `peer` of `channel` (oldest first): (type, sender, expires at).
    pub fn pending_for(&self, channel: &str, peer: &Peer) -> Vec<(MessageType, Peer, SimTime)> {
        self.pending
            .get(&(channel.to_string(), peer.clone()))
            .map(|queue| queue.iter().map(|p| (p.message_type, p.from.clone(), p.expires_at)).collect())
            .unwrap_or_default()
    }

    /// Every pending message of a channel: (recipient, type, sender, expires at).
    pub fn pending_in(&self, channel: &str) -> Vec<(Peer, MessageType, Peer, SimTime)> {
        self.pending
            .iter()
            .filter(|((name, _), _)| name == channel)
            .flat_map(|((_, to), queue)| {
                queue.iter().map(|p| (to.clone(), p.message_type, p.from.clone(), p.expires_at))
            })
            .collect()
    }

    /// How many messages are on the wire now.
    pub fn in_flight_len(&self) -> usize {
        self.in_flight.len()
    }

    /// The log (append-only).
    pub fn log(&self) -> &SignalLog {
        &self.log
    }

    /// The next socket output, if any.
    pub fn poll_output(&mut self) -> Option<SocketOutput> {
        self.outputs.pop_front()
    }

    /// The next instant something is due (`SimTime::MAX`: nothing).
    pub fn poll_timeout(&self) -> SimTime {
        let activation = self.channels.values().filter(|c| !c.is_active()).map(|c| c.active_at).min();
        let arrival = self.in_flight.keys().next().map(|(at, _)| *at);
        let expiry = self.pending.values().flat_map(|q| q.iter().map(|p| p.expires_at)).min();
        let deadline = self.connections.values().map(|c| c.deadline(&self.settings).0).min();
        [activation, arrival, expiry, deadline].into_iter().flatten().min().unwrap_or(SimTime::MAX)
    }

    /// Runs everything due at or before `now`, in time order.
    pub fn handle_timeout(&mut self, now: SimTime) {
        loop {
            let due = self.poll_timeout();
            if due > now {
                break;
            }
            self.now = self.now.max(due);
            self.fire(due);
        }
        self.now = self.now.max(now);
    }

    fn fire(&mut self, at: SimTime) {
        for channel in self.channels.values_mut() {
            if !channel.is_active() && channel.active_at <= at {
                channel.status = channel::ChannelStatus::Active;
            }
        }
        while let Some(entry) = self.in_flight.first_entry() {
            if entry.key().0 > at {
                break;
            }
            let message = entry.remove();
            self.arrive(at, message);
        }
        self.expire(at);
        let due: Vec<(ConnId, &'static str)> = self
            .connections
            .values()
            .filter_map(|c| {
                let (when, why) = c.deadline(&self.settings);
                (when <= at).then_some((c.id, why))
            })
            .collect();
        for (conn, why) in due {
            self.close(at, conn, why.to_string());
        }
    }

    /// Opens a WebSocket (ConnectAsMaster / ConnectAsViewer). Refusals change nothing.
    pub fn connect(&mut self, now: SimTime, request: ConnectRequest) -> VideoResult<ConnId> {
        self.handle_timeout(now);
        let refused = |service: &mut Self, channel: &str, peer: Option<Peer>, error: VideoError| {
            service.note(
                now,
                channel,
                peer,
                None,
                None,
                Outcome::ConnectRefused { error_type: error.kind.aws_code().into(), message: error.message.clone() },
            );
            Err(error)
        };
        let name = match self.channel_by_arn(&request.channel_arn) {
            Ok(channel) if channel.is_active() => channel.name.clone(),
            Ok(channel) => {
                let error = VideoError::channel_not_active(&channel.arn, channel.status.as_str());
                return refused(self, &channel.name.clone(), None, error);
            }
            Err(error) => return refused(self, "", None, error),
        };
        let peer = match request.role {
            Role::Master => Peer::Master,
            Role::Viewer => match &request.client_id {
                None => {
                    let error = VideoError::invalid_argument("ConnectAsViewer requires X-Amz-ClientId");
                    return refused(self, &name, None, error);
                }
                Some(id) => match connection::check_client_id(id) {
                    Ok(()) => Peer::Viewer(id.clone()),
                    Err(error) => return refused(self, &name, None, error),
                },
            },
        };
        if let Some(signed_at) = request.signed_at {
            if let Err(error) = connection::check_signature_time(signed_at, now, &self.settings) {
                return refused(self, &name, Some(peer), error);
            }
        }
        let others = self.connections.values().filter(|c| c.channel == name && c.peer != peer);
        if matches!(peer, Peer::Viewer(_))
            && others.filter(|c| c.peer != Peer::Master).count() >= self.settings.viewers_max
        {
            let error = VideoError::viewers_full(self.settings.viewers_max);
            return refused(self, &name, Some(peer), error);
        }
        let rate = self.settings.connects_per_sec;
        let bucket = self
            .connect_buckets
            .entry(name.clone())
            .or_insert_with(|| TokenBucket::full(rate, SimDuration::from_secs(1), now));
        if !bucket.try_take(1, now) {
            let error = VideoError::throttled("ConnectAsMaster and ConnectAsViewer per channel", rate);
            return refused(self, &name, Some(peer), error);
        }
        let replaced: Vec<ConnId> =
            self.connections.values().filter(|c| c.channel == name && c.peer == peer).map(|c| c.id).collect();
        for old in replaced {
            let why = match peer {
                Peer::Master => "a newer master connected to the channel (newest master wins)",
                Peer::Viewer(_) => "a newer viewer connected with the same client id (newest wins)",
            };
            self.close(now, old, why.to_string());
        }
        let id = ConnId(self.next_conn);
        self.next_conn += 1;
        self.connections.insert(id, Connection::new(id, &name, peer.clone(), now, &self.settings));
        self.note(now, &name, Some(peer.clone()), None, None, Outcome::Connected);
        self.flush_pending(now, &name, &peer, id);
        Ok(id)
    }

    /// The client closed its socket. Unknown ids are ignored (a socket closes once).
    pub fn disconnect(&mut self, now: SimTime, conn: ConnId) {
        self.handle_timeout(now);
        if let Some(c) = self.connections.remove(&conn) {
            self.note(
                now,
                &c.channel,
                Some(c.peer),
                None,
                None,
                Outcome::Closed { reason: "closed by the client".into() },
            );
        }
    }

    /// Sends GO_AWAY to a connection and closes it after the grace period unless the client leaves first (F20).
    pub fn inject_go_away(&mut self, now: SimTime, conn: ConnId) -> bool {
        self.handle_timeout(now);
        let grace = SimDuration::from_millis(self.settings.go_away_grace_ms);
        let Some(c) = self.connections.get_mut(&conn) else { return false };
        c.go_away_deadline = Some(now + grace);
        let (channel, peer) = (c.channel.clone(), c.peer.clone());
        self.send_notice(now, conn, &channel, peer, MessageType::GoAway);
        true
    }

    /// Sends RECONNECT_ICE_SERVER to every connection of a channel and revokes its TURN credentials (F21).
    pub fn inject_reconnect_ice_server(&mut self, now: SimTime, channel_arn: &str) -> VideoResult<()> {
        self.handle_timeout(now);
        let name = self.channel_by_arn(channel_arn)?.name.clone();
        self.credentials.iter_mut().filter(|c| c.channel == name).for_each(|c| c.revoked = true);
        let targets: Vec<(ConnId, Peer)> =
            self.connections.values().filter(|c| c.channel == name).map(|c| (c.id, c.peer.clone())).collect();
        for (conn, peer) in targets {
            self.send_notice(now, conn, &name, peer, MessageType::ReconnectIceServer);
        }
        Ok(())
    }

    fn send_notice(&mut self, now: SimTime, conn: ConnId, channel: &str, peer: Peer, message_type: MessageType) {
        let text = ServiceFrame::notice(message_type).to_text();
        self.outputs.push_back(SocketOutput::Frame { conn, text: text.clone() });
        self.record(LogEntry {
            seq: 0,
            at: now,
            channel: channel.to_string(),
            from: None,
            to: Some(peer),
            message_type: Some(message_type),
            outcome: Outcome::Delivered,
            frame: Some(text),
        });
    }

    fn close(&mut self, now: SimTime, conn: ConnId, reason: String) {
        if let Some(c) = self.connections.remove(&conn) {
            self.outputs.push_back(SocketOutput::Closed { conn, reason: reason.clone() });
            self.note(now, &c.channel, Some(c.peer), None, None, Outcome::Closed { reason });
        }
    }

    fn channel_by_arn(&self, arn: &str) -> VideoResult<&Channel> {
        let Some(name) = channel::name_in_arn(arn) else {
            return Err(VideoError::invalid_argument(format!("'{arn}' is not a signaling channel ARN")));
        };
        self.channels.get(name).filter(|c| c.arn == arn).ok_or_else(|| VideoError::channel_not_found(arn))
    }

    fn note(
        &mut self,
        at: SimTime,
        channel: &str,
        from: Option<Peer>,
        to: Option<Peer>,
        message_type: Option<MessageType>,
        outcome: Outcome,
    ) {
        self.record(LogEntry {
            seq: 0,
            at,
            channel: channel.to_string(),
            from,
            to,
            message_type,
            outcome,
            frame: None,
        });
    }

    fn record(&mut self, entry: LogEntry) {
        self.log.push(entry);
    }
}

#[cfg(test)]
mod tests;
