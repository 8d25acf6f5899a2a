//! Kinesis Video Streams proper, simulated as a teaching model (spec video.md §1.1, §6.8): streams with a
//! retention, PutMedia sessions whose fragments get numbers, timestamps and acknowledgements, an archive
//! swept by server timestamp, and ListFragments / GetClip over it. Sans-IO like the signaling service:
//! time is an argument; media bytes stay with the caller (the page keeps each fragment's recording).
//!
//! # The loop
//!
//! - Control and archive calls: [`MediaService::handle_request`].
//! - A producer opens a session with [`MediaService::put_media`] and adds fragments with
//!   [`MediaService::put_fragment`]; acknowledgements come out of [`MediaService::poll_ack`] when due.
//! - At [`MediaService::poll_timeout`], call [`MediaService::handle_timeout`]: acks fall due, fragments are
//!   archived at PERSISTED, and fragments older than the retention are swept.

pub mod archive;
pub mod control;
pub mod fragment;
pub mod put;
pub mod settings;
pub mod stream;

pub use control::MediaRequest;

use crate::engine::rng::{Seed, SimRng};
use crate::engine::time::SimTime;
use crate::engine::video::rates::ControlRates;
use crate::engine::video::settings::VideoSettings;
use fragment::{Ack, AckError, AckEvent, Fragment};
use put::Session;
use std::collections::{BTreeMap, VecDeque};
use stream::{Stream, StreamStatus};

/// A PutMedia session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u64);

/// An acknowledgement on its way to a session, and the fragment to archive when it is PERSISTED.
#[derive(Clone, Debug)]
struct Scheduled {
    session: SessionId,
    stream: String,
    ack: Ack,
    archive: Option<(u64, Fragment)>,
}

/// An acknowledgement sent to a producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckOutput {
    /// The session it belongs to.
    pub session: SessionId,
    /// The stream's name.
    pub stream: String,
    /// The acknowledgement.
    pub ack: Ack,
}

/// The simulated stream service of one account and region.
#[derive(Debug)]
pub struct MediaService {
    settings: VideoSettings,
    rng: SimRng,
    /// By name.
    streams: BTreeMap<String, Stream>,
    rates: ControlRates,
    sessions: BTreeMap<SessionId, Session>,
    next_session: u64,
    /// Acknowledgements by due time and send order.
    scheduled: BTreeMap<(SimTime, u64), Scheduled>,
    next_order: u64,
    /// Armed archival failures per stream.
    persist_faults: BTreeMap<String, u32>,
    outputs: VecDeque<AckOutput>,
    /// The data endpoint's host id.
    endpoint_id: u64,
}

impl MediaService {
    /// An account with no streams. Settings are checked by the caller ([`VideoSettings::problem`]).
    pub fn new(settings: VideoSettings, seed: Seed) -> MediaService {
        let mut rng = SimRng::new(seed).fork("video-media");
        let endpoint_id = rng.below(1 << 32);
        MediaService {
            settings,
            rng,
            streams: BTreeMap::new(),
            rates: ControlRates::default(),
            sessions: BTreeMap::new(),
            next_session: 1,
            scheduled: BTreeMap::new(),
            next_order: 0,
            persist_faults: BTreeMap::new(),
            outputs: VecDeque::new(),
            endpoint_id,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &VideoSettings {
        &self.settings
    }

    /// Every stream, by name.
    pub fn streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams.values()
    }

    /// A stream by name.
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        self.streams.get(name)
    }

    /// The next acknowledgement due, if any.
    pub fn poll_ack(&mut self) -> Option<AckOutput> {
        self.outputs.pop_front()
    }

    /// The data endpoint GetDataEndpoint names (one per account here).
    pub fn data_endpoint(&self) -> String {
        format!("https://s-{:08x}.kinesisvideo.{}.amazonaws.com", self.endpoint_id, self.settings.region)
    }

    /// The next instant something is due (`SimTime::MAX`: nothing).
    pub fn poll_timeout(&self) -> SimTime {
        let activation = self.streams.values().filter(|s| !s.is_active()).map(|s| s.active_at).min();
        let ack = self.scheduled.keys().next().map(|(at, _)| *at);
        let expiry = self.streams.values().filter_map(|s| self.first_expiry(s)).min();
        [activation, ack, expiry].into_iter().flatten().min().unwrap_or(SimTime::MAX)
    }

    /// Runs everything due at or before `now`, in time order.
    pub fn handle_timeout(&mut self, now: SimTime) {
        for stream in self.streams.values_mut() {
            if !stream.is_active() && stream.active_at <= now {
                stream.status = StreamStatus::Active;
            }
        }
        while let Some(entry) = self.scheduled.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let Scheduled { session, stream, mut ack, archive } = entry.remove();
            if let Some((counter, fragment)) = archive {
                match self.streams.get_mut(&stream) {
                    Some(s) => {
                        s.archive.insert(counter, fragment);
                    }
                    None => {
                        ack.event = AckEvent::Error;
                        ack.error = Some(AckError::StreamNotActive);
                    }
                }
            }
            self.outputs.push_back(AckOutput { session, stream, ack });
        }
        self.sweep(now);
    }

    /// When the oldest archived fragment of `stream` leaves the retention window.
    fn first_expiry(&self, stream: &Stream) -> Option<SimTime> {
        let oldest = stream.archive.values().map(|f| f.server_ms).min()?;
        let until = (oldest + stream.retention_hours * 3_600_000).saturating_sub(self.settings.epoch_ms);
        Some(SimTime::from_millis(until))
    }

    /// Drops archived fragments whose server timestamp is older than their stream's retention.
    fn sweep(&mut self, now: SimTime) {
        let now_ms = self.settings.epoch_ms + now.as_millis();
        for stream in self.streams.values_mut() {
            let keep_ms = stream.retention_hours * 3_600_000;
            stream.archive.retain(|_, f| f.server_ms + keep_ms > now_ms);
        }
    }
}

#[cfg(test)]
mod tests;
