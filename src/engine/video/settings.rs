//! The simulated signaling service's limits (spec video.md §1.2, rows 43–53) and the message-path knobs
//! a learner turns (§6.3). Every limit is a setting with AWS's default, so a drill can lower one.

use super::media::settings::MediaSettings;
use crate::engine::time::SimDuration;
use serde::{Deserialize, Serialize};

/// How the simulated Kinesis Video Streams signaling account behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct VideoSettings {
    /// The 12-digit account id in ARNs.
    pub account_id: String,
    /// The region in ARNs and endpoints.
    pub region: String,
    /// The wall clock at simulated time zero, in epoch milliseconds (ARNs, CreationTime, TURN usernames).
    pub epoch_ms: u64,
    /// CREATING → ACTIVE after CreateSignalingChannel [M: "asynchronous", spec §3.1].
    pub channel_activation_ms: u64,
    /// Signaling channels per account and region; `None` uses the region's default (10,000 in us-east-1
    /// and us-west-2, 5,000 elsewhere; row 46).
    pub channel_quota: Option<usize>,
    /// Tags per channel [M: 50, as for KVS streams].
    pub tags_max: usize,
    /// Concurrent viewers per channel (row 43, soft).
    pub viewers_max: usize,
    /// ConnectAsMaster + ConnectAsViewer per second per channel (row 49).
    pub connects_per_sec: u64,
    /// SDP_OFFER per second per connection (row 50).
    pub sdp_offers_per_sec: u64,
    /// SDP_ANSWER per second per connection (row 50).
    pub sdp_answers_per_sec: u64,
    /// ICE_CANDIDATE per second per connection (row 50).
    pub ice_candidates_per_sec: u64,
    /// messagePayload length limit in characters; "10K" is not stated as 10,000 or 10,240 (spec §3.3).
    pub payload_max_chars: usize,
    /// A connection with no frame either way for this long is closed (row 49).
    pub idle_timeout_ms: u64,
    /// The longest a connection may stay open (row 49).
    pub max_connection_ms: u64,
    /// Time between GO_AWAY and the forced close (row 49).
    pub go_away_grace_ms: u64,
    /// `IceServer.Ttl`: how long TURN credentials last (row 53).
    pub turn_credential_ttl_secs: u64,
    /// How far a signed URL's X-Amz-Date may be off the service's clock (F27) [M: 5 min].
    pub clock_skew_ms: u64,
    /// X-Amz-Expires of a signed connect URL (spec §3.2: 299 s).
    pub signed_url_expires_secs: u64,
    /// Enforce the control-plane TPS limits of row 52 (and row 38 for streams).
    pub control_plane_rate_limits: bool,
    /// The stream (media) service's limits.
    pub media: MediaSettings,
}

impl Default for VideoSettings {
    fn default() -> Self {
        VideoSettings {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            epoch_ms: 1_700_000_000_000,
            channel_activation_ms: 1_000,
            channel_quota: None,
            tags_max: 50,
            viewers_max: 10,
            connects_per_sec: 3,
            sdp_offers_per_sec: 5,
            sdp_answers_per_sec: 5,
            ice_candidates_per_sec: 20,
            payload_max_chars: 10_000,
            idle_timeout_ms: 10 * 60_000,
            max_connection_ms: 60 * 60_000,
            go_away_grace_ms: 60_000,
            turn_credential_ttl_secs: 300,
            clock_skew_ms: 5 * 60_000,
            signed_url_expires_secs: 299,
            control_plane_rate_limits: true,
            media: MediaSettings::default(),
        }
    }
}

impl VideoSettings {
    /// The channel quota in force.
    pub fn channel_quota(&self) -> usize {
        self.channel_quota.unwrap_or(match self.region.as_str() {
            "us-east-1" | "us-west-2" => 10_000,
            _ => 5_000,
        })
    }

    /// What is wrong with these settings, if anything (a scenario or form is checked before use).
    pub fn problem(&self) -> Option<String> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("account_id must be 12 digits, got '{}'", self.account_id));
        }
        if self.region.is_empty()
            || !self.region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Some(format!("region must look like us-east-1, got '{}'", self.region));
        }
        let rates =
            [self.connects_per_sec, self.sdp_offers_per_sec, self.sdp_answers_per_sec, self.ice_candidates_per_sec];
        if rates.contains(&0) {
            return Some("every per-second limit must be at least 1".into());
        }
        if self.payload_max_chars == 0 || self.idle_timeout_ms == 0 || self.max_connection_ms == 0 {
            return Some("payload_max_chars, idle_timeout_ms and max_connection_ms must be positive".into());
        }
        self.media.problem()
    }

    /// The idle timeout as a duration.
    pub fn idle_timeout(&self) -> SimDuration {
        SimDuration::from_millis(self.idle_timeout_ms)
    }
}

/// One direction of the message path (service → master, or service → viewers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct PathKnobs {
    /// Added to every message, 0–5,000 ms.
    pub latency_ms: u32,
    /// A uniform extra delay of 0..=jitter, 0–1,000 ms.
    pub jitter_ms: u32,
    /// Messages lost on the way, 0–100 %.
    pub loss_percent: u8,
    /// Messages delivered twice, 0–100 %.
    pub duplicate_percent: u8,
}

/// Which message types are dropped on purpose (targeted failure drills, F5–F7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct DropRules {
    /// Drop every SDP_OFFER.
    pub sdp_offer: bool,
    /// Drop every SDP_ANSWER.
    pub sdp_answer: bool,
    /// Drop ICE_CANDIDATE messages going to the master.
    pub ice_to_master: bool,
    /// Drop ICE_CANDIDATE messages going to viewers.
    pub ice_to_viewer: bool,
}

/// The message-path knobs of spec §6.3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct Knobs {
    /// Messages travelling to the master.
    pub to_master: PathKnobs,
    /// Messages travelling to viewers.
    pub to_viewer: PathKnobs,
    /// Let jitter reorder messages; off keeps each sender → recipient pair in order.
    pub reorder: bool,
    /// Signaling is cut: every message sent meanwhile is lost (media already flowing is not affected).
    pub partition: bool,
    /// Targeted drops.
    pub drop: DropRules,
}

impl Knobs {
    /// What is out of range, if anything.
    pub fn problem(&self) -> Option<String> {
        for (name, path) in [("to_master", &self.to_master), ("to_viewer", &self.to_viewer)] {
            if path.latency_ms > 5_000 {
                return Some(format!("{name}.latency_ms must be 0–5000, got {}", path.latency_ms));
            }
            if path.jitter_ms > 1_000 {
                return Some(format!("{name}.jitter_ms must be 0–1000, got {}", path.jitter_ms));
            }
            if path.loss_percent > 100 || path.duplicate_percent > 100 {
                return Some(format!("{name}: percentages must be 0–100"));
            }
        }
        None
    }
}
