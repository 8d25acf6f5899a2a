//! The stream service's limits (spec video.md §1.1), each a setting with AWS's default so a drill can
//! lower one. Facts the spec marks [M] say so.

use serde::{Deserialize, Serialize};

/// How the simulated Kinesis Video Streams (media) account behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct MediaSettings {
    /// Streams per account (row 38, soft).
    pub stream_quota: usize,
    /// CREATING → ACTIVE after CreateStream [M: asynchronous, as for channels].
    pub stream_activation_ms: u64,
    /// Tags per stream [M: 50].
    pub tags_max: usize,
    /// DataRetentionInHours upper bound: 10 years (row 16).
    pub retention_max_hours: u64,
    /// A fragment's timecode span limit (row 9: 10 s in the book; current docs may say 20 s [M]).
    pub fragment_duration_max_ms: u64,
    /// A fragment's size limit (row 10: 50 MB).
    pub fragment_size_max_bytes: u64,
    /// Tracks per fragment (row 11).
    pub tracks_max: usize,
    /// PutMedia's read rate (row 12: 12.5 MB/s): RECEIVED follows BUFFERING after size / rate.
    pub put_media_bytes_per_sec: u64,
    /// PutMedia calls per second per stream (PutMedia API reference: five).
    pub put_media_calls_per_sec: u64,
    /// From RECEIVED to PERSISTED [M: about a second].
    pub persist_ms: u64,
    /// GetClip's fragment cap (row 29).
    pub clip_fragments_max: usize,
    /// GetClip's size cap (row 29: 100 MB).
    pub clip_bytes_max: u64,
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings {
            stream_quota: 10_000,
            stream_activation_ms: 1_000,
            tags_max: 50,
            retention_max_hours: 87_600,
            fragment_duration_max_ms: 10_000,
            fragment_size_max_bytes: 50_000_000,
            tracks_max: 3,
            put_media_bytes_per_sec: 12_500_000,
            put_media_calls_per_sec: 5,
            persist_ms: 1_000,
            clip_fragments_max: 200,
            clip_bytes_max: 100_000_000,
        }
    }
}

impl MediaSettings {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<String> {
        let positive = [
            self.fragment_duration_max_ms,
            self.fragment_size_max_bytes,
            self.put_media_bytes_per_sec,
            self.put_media_calls_per_sec,
            self.clip_bytes_max,
        ];
        if positive.contains(&0) || self.tracks_max == 0 || self.clip_fragments_max == 0 {
            return Some("media limits must be positive".into());
        }
        None
    }
}
