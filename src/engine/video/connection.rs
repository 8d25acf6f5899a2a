//! WebSocket connections to a channel: ConnectAsMaster / ConnectAsViewer (spec video.md §3.2, §3.8).

use super::channel::is_name;
use super::error::{VideoError, VideoResult};
use super::log::Peer;
use super::settings::VideoSettings;
use crate::engine::kds::bucket::TokenBucket;
use crate::engine::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// MASTER or VIEWER.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// One per channel; answers viewers.
    Master,
    /// Up to ten per channel; talks only to the master.
    Viewer,
}

impl Role {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Master => "MASTER",
            Role::Viewer => "VIEWER",
        }
    }
}

/// Identifies one WebSocket connection for the life of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnId(pub u64);

/// What a signed connect URL carries (spec §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectRequest {
    /// ConnectAsMaster or ConnectAsViewer.
    pub role: Role,
    /// `X-Amz-ChannelARN`.
    pub channel_arn: String,
    /// `X-Amz-ClientId`: required for viewers; ConnectAsMaster has no such parameter, so it is ignored.
    pub client_id: Option<String>,
    /// `X-Amz-Date`, when the URL was signed; `None` signs at the moment of connecting.
    pub signed_at: Option<SimTime>,
}

/// An open connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Its id.
    pub id: ConnId,
    /// The channel's name.
    pub channel: String,
    /// Master, or the viewer with its client id.
    pub peer: Peer,
    /// When it opened.
    pub connected_at: SimTime,
    /// The last frame either way (the idle timeout counts from here).
    pub last_activity: SimTime,
    /// After a GO_AWAY: when the service closes it anyway.
    pub go_away_deadline: Option<SimTime>,
    pub(super) offers: TokenBucket,
    pub(super) answers: TokenBucket,
    pub(super) candidates: TokenBucket,
}

impl Connection {
    pub(super) fn new(id: ConnId, channel: &str, peer: Peer, now: SimTime, settings: &VideoSettings) -> Connection {
        let second = SimDuration::from_secs(1);
        Connection {
            id,
            channel: channel.to_string(),
            peer,
            connected_at: now,
            last_activity: now,
            go_away_deadline: None,
            offers: TokenBucket::full(settings.sdp_offers_per_sec, second, now),
            answers: TokenBucket::full(settings.sdp_answers_per_sec, second, now),
            candidates: TokenBucket::full(settings.ice_candidates_per_sec, second, now),
        }
    }

    /// When the service will close it unless something happens first, and why.
    pub fn deadline(&self, settings: &VideoSettings) -> (SimTime, &'static str) {
        let idle = self.last_activity + settings.idle_timeout();
        let max = self.connected_at + SimDuration::from_millis(settings.max_connection_ms);
        let mut next = if idle <= max {
            (idle, "idle timeout: no message either way for the idle limit")
        } else {
            (max, "maximum connection duration reached")
        };
        if let Some(go_away) = self.go_away_deadline {
            if go_away < next.0 {
                next = (go_away, "GO_AWAY grace period over: the service closed the connection")
            }
        }
        next
    }
}

/// Checks a viewer's client id: 1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_` (spec §3.2, F29).
pub fn check_client_id(id: &str) -> VideoResult<()> {
    if id.is_empty() || id.len() > 256 || !is_name(id) {
        return Err(VideoError::invalid_argument(format!(
            "ClientId '{id}' must be 1–256 characters of letters, digits, '_', '.' and '-'"
        )));
    }
    if id.len() >= 4 && id[..4].eq_ignore_ascii_case("AWS_") {
        return Err(VideoError::invalid_argument(format!("ClientId '{id}' must not start with AWS_ (reserved)")));
    }
    Ok(())
}

/// Checks a signed URL's date against the service clock (F27).
pub fn check_signature_time(signed_at: SimTime, now: SimTime, settings: &VideoSettings) -> VideoResult<()> {
    let expires = signed_at + SimDuration::from_secs(settings.signed_url_expires_secs);
    if now > expires {
        return Err(VideoError::access_denied(format!(
            "Signature expired: the URL was signed {} s ago and expires after {} s",
            now.saturating_since(signed_at).as_millis() / 1_000,
            settings.signed_url_expires_secs
        )));
    }
    if signed_at > now + SimDuration::from_millis(settings.clock_skew_ms) {
        return Err(VideoError::access_denied(format!(
            "Signature not yet current: the signing clock is {} s ahead of the service's (more than {} s of skew)",
            signed_at.saturating_since(now).as_millis() / 1_000,
            settings.clock_skew_ms / 1_000
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_follow_the_documented_rules() {
        assert!(check_client_id("viewer-1.a_b").is_ok());
        for bad in ["", "AWS_x", "aws_lower", "has space", &"x".repeat(257)] {
            assert!(check_client_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_client_id("AWS").is_ok());
    }
}
