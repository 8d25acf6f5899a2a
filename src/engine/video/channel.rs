//! A signaling channel: the one resource KVS WebRTC needs (spec video.md §1.2 rows 41–46, §6.2).

use super::settings::VideoSettings;
use crate::engine::time::SimTime;
use serde::Serialize;

/// CREATING → ACTIVE → DELETING.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChannelStatus {
    /// Just created; connections are refused until it is ACTIVE.
    Creating,
    /// In use.
    Active,
    /// Being deleted.
    Deleting,
}

impl ChannelStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelStatus::Creating => "CREATING",
            ChannelStatus::Active => "ACTIVE",
            ChannelStatus::Deleting => "DELETING",
        }
    }
}

/// A key/value tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    /// 1–128 characters.
    pub key: String,
    /// 0–256 characters.
    pub value: String,
}

/// One signaling channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Unique per account and region.
    pub name: String,
    /// `arn:aws:kinesisvideo:{region}:{account}:channel/{name}/{creationEpochMillis}`.
    pub arn: String,
    /// Where it is in its life.
    pub status: ChannelStatus,
    /// How long an undelivered message waits, 5–120 s.
    pub message_ttl_secs: u64,
    /// Changes on every update; UpdateSignalingChannel and DeleteSignalingChannel may name it.
    pub version: String,
    /// The channel's tags.
    pub tags: Vec<Tag>,
    /// When it was created (simulated).
    pub created_at: SimTime,
    /// When CREATING becomes ACTIVE.
    pub active_at: SimTime,
}

/// Message TTL bounds (row 44).
pub const TTL_MIN_SECS: u64 = 5;
/// Message TTL bounds (row 44).
pub const TTL_MAX_SECS: u64 = 120;
/// Message TTL default (row 44).
pub const TTL_DEFAULT_SECS: u64 = 60;

impl Channel {
    /// The ARN of a channel created at `created_at`.
    pub fn arn_for(settings: &VideoSettings, name: &str, created_at: SimTime) -> String {
        let millis = settings.epoch_ms + created_at.as_millis();
        format!("arn:aws:kinesisvideo:{}:{}:channel/{name}/{millis}", settings.region, settings.account_id)
    }

    /// `ChannelInfo` as DescribeSignalingChannel and ListSignalingChannels return it.
    pub fn info(&self, settings: &VideoSettings) -> serde_json::Value {
        let created = (settings.epoch_ms + self.created_at.as_millis()) as f64 / 1_000.0;
        serde_json::json!({
            "ChannelName": self.name,
            "ChannelARN": self.arn,
            "ChannelType": "SINGLE_MASTER",
            "ChannelStatus": self.status.as_str(),
            "CreationTime": created,
            "SingleMasterConfiguration": {"MessageTtlSeconds": self.message_ttl_secs},
            "Version": self.version,
        })
    }

    /// True while connections are accepted.
    pub fn is_active(&self) -> bool {
        self.status == ChannelStatus::Active
    }
}

/// The channel name inside an ARN of the documented pattern
/// `arn:aws:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+` (spec §3.1).
pub fn name_in_arn(arn: &str) -> Option<&str> {
    if arn.is_empty() || arn.len() > 1024 {
        return None;
    }
    let rest = arn.strip_prefix("arn:aws:kinesisvideo:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, rest) = rest.split_once(':')?;
    let (kind, rest) = rest.split_once('/')?;
    let (name, millis) = rest.rsplit_once('/')?;
    let ok = !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !account.is_empty()
        && account.bytes().all(|b| b.is_ascii_digit())
        && !kind.is_empty()
        && kind.bytes().all(|b| b.is_ascii_lowercase())
        && is_name(name)
        && !millis.is_empty()
        && millis.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(name)
}

/// `[a-zA-Z0-9_.-]+`: channel names, client ids, correlation ids.
pub fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_follow_the_documented_shape_and_round_trip() {
        let settings = VideoSettings::default();
        let arn = Channel::arn_for(&settings, "demo-channel", SimTime::from_secs(2));
        assert_eq!(arn, "arn:aws:kinesisvideo:us-east-1:123456789012:channel/demo-channel/1700000002000");
        assert_eq!(name_in_arn(&arn), Some("demo-channel"));
        // The SDK's own test fixture.
        assert_eq!(
            name_in_arn("arn:aws:kinesisvideo:us-west-2:123456789012:channel/testChannel/1234567890"),
            Some("testChannel")
        );
        for bad in [
            "",
            "arn:aws:kinesis:us-east-1:1:channel/a/1",
            "arn:aws:kinesisvideo:us-east-1:1:channel/a b/1",
            "arn:aws:kinesisvideo:us-east-1:1:channel/a/x",
        ] {
            assert_eq!(name_in_arn(bad), None, "{bad}");
        }
    }
}
