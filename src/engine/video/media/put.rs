//! PutMedia (spec video.md §1.1 rows 9–14): a long-running session per producer that carries fragments
//! and streams acknowledgements back. The service reads one fragment at a time at the PutMedia rate, so
//! RECEIVED follows BUFFERING by size / rate and a fragment waits for the one before it.

use super::control::StreamRef;
use super::fragment::{Ack, AckError, AckEvent, Fragment, FragmentInput};
use super::{MediaService, Scheduled, SessionId};
use crate::engine::time::{SimDuration, SimTime};
use crate::engine::video::error::{VideoError, VideoResult};
use serde::{Deserialize, Serialize};

/// PutMedia's headers (`x-amzn-stream-name`, `x-amzn-fragment-timecode-type`,
/// `x-amzn-producer-start-timestamp`) and the fragments of its body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMediaInput {
    #[serde(flatten)]
    pub stream: StreamRef,
    /// ABSOLUTE or RELATIVE (row 14).
    pub fragment_timecode_type: String,
    /// Epoch seconds; RELATIVE timecodes count from it.
    pub producer_start_timestamp: Option<f64>,
    /// The fragments sent at once (a batch producer); a live producer adds more with
    /// [`MediaService::put_fragment`].
    #[serde(default)]
    pub fragments: Vec<FragmentInput>,
}

/// An open PutMedia session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The stream it writes to.
    pub stream: String,
    /// Whether timecodes are relative to `producer_start_ms`.
    pub relative: bool,
    /// The producer start timestamp, epoch ms.
    pub producer_start_ms: Option<u64>,
    /// The last accepted fragment timecode (they must increase: ErrorId 4004).
    pub last_timecode: Option<u64>,
    /// When the service has finished reading what was sent so far.
    pub busy_until: SimTime,
}

/// What happened to one fragment at once; its acks follow in time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutOutcome {
    /// The fragment's number, when the service accepted it for reading.
    pub fragment_number: Option<String>,
    /// Why it was refused, when it was.
    pub error: Option<AckError>,
}

impl MediaService {
    /// Opens a PutMedia session (at most `put_media_calls_per_sec` per stream) and sends its fragments.
    /// A refused call changes nothing.
    pub fn put_media(&mut self, now: SimTime, input: PutMediaInput) -> VideoResult<(SessionId, Vec<PutOutcome>)> {
        self.handle_timeout(now);
        let stream = self.stream_by(&input.stream)?;
        if !stream.is_active() {
            return Err(VideoError::stream_not_active(&stream.name, stream.status.as_str()));
        }
        let name = stream.name.clone();
        let relative = match input.fragment_timecode_type.as_str() {
            "ABSOLUTE" => false,
            "RELATIVE" => true,
            other => {
                return Err(VideoError::invalid_argument(format!(
                    "x-amzn-fragment-timecode-type '{other}' is not ABSOLUTE or RELATIVE"
                )))
            }
        };
        let producer_start_ms = match input.producer_start_timestamp {
            None => None,
            Some(s) if s.is_finite() && s >= 0.0 => Some((s * 1_000.0).round() as u64),
            Some(s) => {
                return Err(VideoError::invalid_argument(format!("x-amzn-producer-start-timestamp {s} is invalid")))
            }
        };
        let rate = self.settings.media.put_media_calls_per_sec;
        self.rates.take(now, "PutMedia", None, Some((rate, "per stream", name.clone())))?;
        let id = SessionId(self.next_session);
        self.next_session += 1;
        self.sessions
            .insert(id, Session { stream: name, relative, producer_start_ms, last_timecode: None, busy_until: now });
        let outcomes = input.fragments.into_iter().map(|f| self.send_fragment(now, id, f)).collect();
        Ok((id, outcomes))
    }

    /// Sends one more fragment on an open session. An unknown session is an error; a bad fragment is an
    /// ERROR acknowledgement.
    pub fn put_fragment(
        &mut self,
        now: SimTime,
        session: SessionId,
        fragment: FragmentInput,
    ) -> VideoResult<PutOutcome> {
        self.handle_timeout(now);
        if !self.sessions.contains_key(&session) {
            return Err(VideoError::invalid_argument(format!("PutMedia session {} is not open", session.0)));
        }
        Ok(self.send_fragment(now, session, fragment))
    }

    /// The producer ends its session (the HTTP request body ends).
    pub fn end_session(&mut self, session: SessionId) {
        self.sessions.remove(&session);
    }

    /// Arms `count` archival failures on a stream: its next fragments get ERROR 5001 instead of PERSISTED.
    pub fn inject_persist_failures(&mut self, stream: &str, count: u32) {
        *self.persist_faults.entry(stream.to_string()).or_default() += count;
    }

    fn send_fragment(&mut self, now: SimTime, id: SessionId, input: FragmentInput) -> PutOutcome {
        let media = self.settings.media.clone();
        let session = self.sessions.get(&id).expect("the caller checked the session").clone();
        let start = session.busy_until.max(now);
        let refuse = |service: &mut MediaService, error: AckError, at: SimTime, number: Option<String>| {
            let ack = Ack {
                at,
                event: AckEvent::Error,
                fragment_timecode: input.timecode,
                fragment_number: number.clone(),
                error: Some(error),
            };
            service.schedule(id, &session.stream, ack, None);
            PutOutcome { fragment_number: number, error: Some(error) }
        };
        if !self.streams.get(&session.stream).is_some_and(|s| s.is_active()) {
            return refuse(self, AckError::StreamNotActive, start, None);
        }
        if session.relative && session.producer_start_ms.is_none() {
            return refuse(self, AckError::InvalidProducerTimestamp, start, None);
        }
        if session.last_timecode.is_some_and(|last| input.timecode <= last) {
            return refuse(self, AckError::TimecodeNotMonotonic, start, None);
        }
        if input.tracks.len() > media.tracks_max {
            return refuse(self, AckError::TooManyTracks, start, None);
        }
        if input.tracks.is_empty() || input.tracks.iter().any(|t| t.frames == 0) {
            return refuse(self, AckError::FramesMissingForTrack, start, None);
        }
        if input.duration_ms > media.fragment_duration_max_ms {
            return refuse(self, AckError::FragmentDurationReached, start, None);
        }
        let step = 1 + self.rng.below(1 << 20);
        let stream = self.streams.get_mut(&session.stream).expect("checked above");
        let (counter, number) = stream.next_number(step);
        let retains = stream.retention_hours > 0;
        let read =
            |bytes: u64| SimDuration::from_micros(bytes.saturating_mul(1_000_000) / media.put_media_bytes_per_sec);
        let ack = |at, event| Ack {
            at,
            event,
            fragment_timecode: input.timecode,
            fragment_number: Some(number.clone()),
            error: None,
        };
        self.schedule(id, &session.stream, ack(start, AckEvent::Buffering), None);
        if input.size_bytes > media.fragment_size_max_bytes {
            let at = start + read(media.fragment_size_max_bytes);
            self.sessions.get_mut(&id).expect("open").busy_until = at;
            return refuse(self, AckError::FragmentSizeReached, at, Some(number));
        }
        let received = start + read(input.size_bytes);
        let state = self.sessions.get_mut(&id).expect("open");
        state.busy_until = received;
        state.last_timecode = Some(input.timecode);
        self.schedule(id, &session.stream, ack(received, AckEvent::Received), None);
        if retains {
            let persisted = received + SimDuration::from_millis(media.persist_ms);
            let fault = self.persist_faults.get_mut(&session.stream).filter(|n| **n > 0).map(|n| *n -= 1).is_some();
            if fault {
                let mut failed = ack(persisted, AckEvent::Error);
                failed.error = Some(AckError::FragmentArchivalError);
                self.schedule(id, &session.stream, failed, None);
                return PutOutcome { fragment_number: Some(number), error: None };
            }
            let producer_ms =
                if session.relative { session.producer_start_ms.unwrap_or(0) + input.timecode } else { input.timecode };
            let fragment = Fragment {
                number: number.clone(),
                producer_ms,
                server_ms: self.settings.epoch_ms + start.as_millis(),
                duration_ms: input.duration_ms,
                size_bytes: input.size_bytes,
                codec_id: input.tracks[0].codec_id.clone(),
            };
            self.schedule(id, &session.stream, ack(persisted, AckEvent::Persisted), Some((counter, fragment)));
        }
        PutOutcome { fragment_number: Some(number), error: None }
    }

    fn schedule(&mut self, session: SessionId, stream: &str, ack: Ack, archive: Option<(u64, Fragment)>) {
        let key = (ack.at, self.next_order);
        self.next_order += 1;
        self.scheduled.insert(key, Scheduled { session, stream: stream.to_string(), ack, archive });
    }
}
