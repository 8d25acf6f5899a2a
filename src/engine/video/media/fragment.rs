//! Fragments and PutMedia acknowledgements (spec video.md §1.1 rows 4–14).
//!
//! A fragment is a self-contained run of frames, one MKV cluster, starting at a keyframe. The service
//! gives it a fragment number (a long digit string, strictly increasing in the stream) and a server
//! timestamp; the producer gives its timecode. Each fragment is acknowledged BUFFERING (the service began
//! reading it), RECEIVED (all of it arrived), then PERSISTED (archived) — or ERROR with an ErrorId.

use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// MKV codec ids of the codecs GetClip can play (row 29): H.264 and H.265.
pub const PLAYABLE_VIDEO: [&str; 2] = ["V_MPEG4/ISO/AVC", "V_MPEGH/ISO/HEVC"];

/// One track of a fragment, as the producer declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TrackInput {
    /// The MKV codec id (`V_MPEG4/ISO/AVC`, `V_VP8`, `A_OPUS`, …).
    pub codec_id: String,
    /// Frames of this track in the fragment; a fragment needs at least one per track (row 11).
    pub frames: u32,
}

/// One fragment of a PutMedia session. Real PutMedia carries MKV bytes; the lab carries what the service
/// reads from them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FragmentInput {
    /// The cluster timecode in ms: epoch ms when the session is ABSOLUTE, ms since the producer start
    /// timestamp when RELATIVE.
    pub timecode: u64,
    /// The timecode span of its frames.
    pub duration_ms: u64,
    /// Its size on the wire.
    pub size_bytes: u64,
    /// Its tracks, track 1 first.
    pub tracks: Vec<TrackInput>,
}

/// An archived fragment, as ListFragments describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// The service's number for it.
    pub number: String,
    /// The producer timestamp, epoch ms.
    pub producer_ms: u64,
    /// The server timestamp (when the service began reading it), epoch ms.
    pub server_ms: u64,
    /// Its timecode span.
    pub duration_ms: u64,
    /// Its size.
    pub size_bytes: u64,
    /// Track 1's codec id.
    pub codec_id: String,
}

impl Fragment {
    /// One entry of ListFragments' `Fragments`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "FragmentNumber": self.number,
            "FragmentSizeInBytes": self.size_bytes,
            "ProducerTimestamp": self.producer_ms as f64 / 1_000.0,
            "ServerTimestamp": self.server_ms as f64 / 1_000.0,
            "FragmentLengthInMilliseconds": self.duration_ms,
        })
    }
}

/// PutMedia's acknowledgement events (row 13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AckEvent {
    /// The service began receiving the fragment.
    Buffering,
    /// The whole fragment arrived.
    Received,
    /// The fragment is archived (only on streams that retain data).
    Persisted,
    /// The fragment failed; `ErrorId` says why.
    Error,
}

impl AckEvent {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AckEvent::Buffering => "BUFFERING",
            AckEvent::Received => "RECEIVED",
            AckEvent::Persisted => "PERSISTED",
            AckEvent::Error => "ERROR",
        }
    }
}

/// The ErrorIds of ERROR acknowledgements, with the producer SDK's meaning of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckError {
    /// 4001: the fragment is larger than the limit (50 MB).
    FragmentSizeReached,
    /// 4002: the fragment's timecode span is longer than the limit.
    FragmentDurationReached,
    /// 4004: the fragment timecode is not greater than the previous one's.
    TimecodeNotMonotonic,
    /// 4005: more tracks than the stream accepts.
    TooManyTracks,
    /// 4007: the producer timestamp is invalid (RELATIVE timecodes without a start timestamp).
    InvalidProducerTimestamp,
    /// 4008: the stream is not active (deleted during the session).
    StreamNotActive,
    /// 4011: a track has no frame in the fragment.
    FramesMissingForTrack,
    /// 5001: the fragment could not be archived (the lab's injected fault).
    FragmentArchivalError,
}

impl AckError {
    /// The numeric ErrorId.
    pub fn id(self) -> u16 {
        match self {
            AckError::FragmentSizeReached => 4001,
            AckError::FragmentDurationReached => 4002,
            AckError::TimecodeNotMonotonic => 4004,
            AckError::TooManyTracks => 4005,
            AckError::InvalidProducerTimestamp => 4007,
            AckError::StreamNotActive => 4008,
            AckError::FramesMissingForTrack => 4011,
            AckError::FragmentArchivalError => 5001,
        }
    }

    /// What it means, for the page.
    pub fn meaning(self) -> &'static str {
        match self {
            AckError::FragmentSizeReached => "the fragment is larger than the size limit",
            AckError::FragmentDurationReached => "the fragment's timecode span is longer than the limit",
            AckError::TimecodeNotMonotonic => "the fragment timecode is not increasing",
            AckError::TooManyTracks => "the fragment has more tracks than allowed",
            AckError::InvalidProducerTimestamp => "the producer timestamp is invalid",
            AckError::StreamNotActive => "the stream is not active",
            AckError::FramesMissingForTrack => "a track has no frames in the fragment",
            AckError::FragmentArchivalError => "the fragment could not be persisted to the data store",
        }
    }
}

/// One acknowledgement on a PutMedia session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ack {
    /// When the service sends it.
    pub at: SimTime,
    /// Which event.
    pub event: AckEvent,
    /// The fragment's timecode as the producer sent it.
    pub fragment_timecode: u64,
    /// The fragment's number (absent when the fragment was refused before numbering).
    pub fragment_number: Option<String>,
    /// Why an ERROR happened.
    pub error: Option<AckError>,
}

impl Ack {
    /// The JSON object PutMedia streams back, one per line.
    pub fn to_json(&self) -> serde_json::Value {
        let mut ack = serde_json::json!({"EventType": self.event.as_str(), "FragmentTimecode": self.fragment_timecode});
        if let Some(number) = &self.fragment_number {
            ack["FragmentNumber"] = number.clone().into();
        }
        if let Some(error) = self.error {
            ack["ErrorId"] = error.id().into();
        }
        ack
    }
}
