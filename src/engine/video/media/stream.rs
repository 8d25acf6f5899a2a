//! A Kinesis video stream: named, with a retention, holding fragments (spec video.md §1.1 rows 15–19).

use super::fragment::Fragment;
use crate::engine::time::SimTime;
use crate::engine::video::settings::VideoSettings;
use std::collections::BTreeMap;

/// CREATING → ACTIVE (a deleted stream is gone at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamStatus {
    /// Just created; PutMedia is refused until it is ACTIVE.
    Creating,
    /// In use.
    Active,
}

impl StreamStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamStatus::Creating => "CREATING",
            StreamStatus::Active => "ACTIVE",
        }
    }
}

/// One stream and what it has archived.
#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    /// Unique per account and region (row 18).
    pub name: String,
    /// `arn:aws:kinesisvideo:{region}:{account}:stream/{name}/{creationEpochMillis}`.
    pub arn: String,
    /// Where it is in its life.
    pub status: StreamStatus,
    /// The producer device's name, if given.
    pub device_name: Option<String>,
    /// A MIME type such as `video/h264`, if given (informational, as in AWS).
    pub media_type: Option<String>,
    /// The KMS key at rest (row 19: the default key `aws/kinesisvideo` unless given).
    pub kms_key_id: String,
    /// 0 keeps nothing: fragments are acknowledged but never archived (row 17).
    pub retention_hours: u64,
    /// Changes on every update.
    pub version: String,
    /// Tags, by key.
    pub tags: BTreeMap<String, String>,
    /// When it was created.
    pub created_at: SimTime,
    /// When CREATING becomes ACTIVE.
    pub active_at: SimTime,
    /// The fixed leading digits of this stream's fragment numbers.
    pub number_prefix: String,
    /// The counter behind the last fragment number handed out.
    pub last_number: u64,
    /// Archived fragments by their counter (fragment-number order).
    pub archive: BTreeMap<u64, Fragment>,
}

impl Stream {
    /// The ARN of a stream created at `created_at`.
    pub fn arn_for(settings: &VideoSettings, name: &str, created_at: SimTime) -> String {
        let millis = settings.epoch_ms + created_at.as_millis();
        format!("arn:aws:kinesisvideo:{}:{}:stream/{name}/{millis}", settings.region, settings.account_id)
    }

    /// The default KMS key of the account (row 19).
    pub fn default_kms_key(settings: &VideoSettings) -> String {
        format!("arn:aws:kms:{}:{}:alias/aws/kinesisvideo", settings.region, settings.account_id)
    }

    /// `StreamInfo` as DescribeStream and ListStreams return it.
    pub fn info(&self, settings: &VideoSettings) -> serde_json::Value {
        let created = (settings.epoch_ms + self.created_at.as_millis()) as f64 / 1_000.0;
        let mut info = serde_json::json!({
            "StreamName": self.name,
            "StreamARN": self.arn,
            "KmsKeyId": self.kms_key_id,
            "Version": self.version,
            "Status": self.status.as_str(),
            "CreationTime": created,
            "DataRetentionInHours": self.retention_hours,
        });
        if let Some(device) = &self.device_name {
            info["DeviceName"] = device.clone().into();
        }
        if let Some(media_type) = &self.media_type {
            info["MediaType"] = media_type.clone().into();
        }
        info
    }

    /// True while PutMedia is accepted.
    pub fn is_active(&self) -> bool {
        self.status == StreamStatus::Active
    }

    /// The next fragment number: strictly greater than every earlier one of this stream, with a gap of
    /// `step` (AWS's numbers grow by uneven steps).
    pub fn next_number(&mut self, step: u64) -> (u64, String) {
        self.last_number += step.max(1);
        (self.last_number, format!("{}{:020}", self.number_prefix, self.last_number))
    }
}

/// The stream name inside a stream ARN (`…:stream/{name}/{millis}`).
pub fn name_in_stream_arn(arn: &str) -> Option<&str> {
    let name = crate::engine::video::channel::name_in_arn(arn)?;
    arn.contains(":stream/").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_arns_round_trip_and_channel_arns_are_not_stream_arns() {
        let settings = VideoSettings::default();
        let arn = Stream::arn_for(&settings, "cam-1", SimTime::from_secs(3));
        assert_eq!(arn, "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam-1/1700000003000");
        assert_eq!(name_in_stream_arn(&arn), Some("cam-1"));
        assert_eq!(name_in_stream_arn("arn:aws:kinesisvideo:us-east-1:123456789012:channel/cam-1/1"), None);
    }
}
