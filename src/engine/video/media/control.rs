//! The stream control plane and archived-media reads (spec video.md §1.1): CreateStream, DescribeStream,
//! ListStreams, UpdateDataRetention, DeleteStream, GetDataEndpoint, ListFragments and GetClip. Requests
//! use AWS's member names; responses are AWS's JSON bodies.

use super::stream::{Stream, StreamStatus};
use super::MediaService;
use crate::engine::time::{SimDuration, SimTime};
use crate::engine::video::control::ChannelNameCondition;
use crate::engine::video::error::{VideoError, VideoResult};
use crate::engine::video::{channel, listing};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// CreateStream's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateStreamInput {
    pub stream_name: String,
    pub device_name: Option<String>,
    pub media_type: Option<String>,
    pub kms_key_id: Option<String>,
    pub data_retention_in_hours: Option<u64>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// A stream by name or ARN.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamRef {
    pub stream_name: Option<String>,
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

/// ListStreams' body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsInput {
    pub max_results: Option<u64>,
    pub next_token: Option<String>,
    pub stream_name_condition: Option<ChannelNameCondition>,
}

/// UpdateDataRetention's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDataRetentionInput {
    #[serde(flatten)]
    pub stream: StreamRef,
    pub current_version: String,
    /// INCREASE_DATA_RETENTION or DECREASE_DATA_RETENTION.
    pub operation: String,
    pub data_retention_change_in_hours: u64,
}

/// DeleteStream's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteStreamInput {
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    pub current_version: Option<String>,
}

/// GetDataEndpoint's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDataEndpointInput {
    #[serde(flatten)]
    pub stream: StreamRef,
    #[serde(rename = "APIName")]
    pub api_name: String,
}

/// `{"StartTimestamp", "EndTimestamp"}` in epoch seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimestampRange {
    pub start_timestamp: f64,
    pub end_timestamp: f64,
}

/// ListFragments' FragmentSelector and GetClip's ClipFragmentSelector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FragmentSelector {
    /// PRODUCER_TIMESTAMP or SERVER_TIMESTAMP.
    pub fragment_selector_type: String,
    pub timestamp_range: TimestampRange,
}

/// ListFragments' body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListFragmentsInput {
    #[serde(flatten)]
    pub stream: StreamRef,
    pub max_results: Option<u64>,
    pub next_token: Option<String>,
    pub fragment_selector: Option<FragmentSelector>,
}

/// GetClip's body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetClipInput {
    #[serde(flatten)]
    pub stream: StreamRef,
    pub clip_fragment_selector: FragmentSelector,
}

/// A stream control-plane or archived-media request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MediaRequest {
    CreateStream(CreateStreamInput),
    DescribeStream(StreamRef),
    ListStreams(ListStreamsInput),
    UpdateDataRetention(UpdateDataRetentionInput),
    DeleteStream(DeleteStreamInput),
    GetDataEndpoint(GetDataEndpointInput),
    ListFragments(ListFragmentsInput),
    GetClip(GetClipInput),
}

/// GetDataEndpoint's APIName values.
pub const API_NAMES: [&str; 8] = [
    "PUT_MEDIA",
    "GET_MEDIA",
    "LIST_FRAGMENTS",
    "GET_MEDIA_FOR_FRAGMENT_LIST",
    "GET_HLS_STREAMING_SESSION_URL",
    "GET_DASH_STREAMING_SESSION_URL",
    "GET_CLIP",
    "GET_IMAGES",
];

impl MediaRequest {
    /// The action's name.
    pub fn action(&self) -> &'static str {
        match self {
            MediaRequest::CreateStream(_) => "CreateStream",
            MediaRequest::DescribeStream(_) => "DescribeStream",
            MediaRequest::ListStreams(_) => "ListStreams",
            MediaRequest::UpdateDataRetention(_) => "UpdateDataRetention",
            MediaRequest::DeleteStream(_) => "DeleteStream",
            MediaRequest::GetDataEndpoint(_) => "GetDataEndpoint",
            MediaRequest::ListFragments(_) => "ListFragments",
            MediaRequest::GetClip(_) => "GetClip",
        }
    }

    /// (per-account TPS, per-stream TPS) from the quotas page (row 38); `None` where the spec names none.
    fn rate_limits(&self) -> (Option<u64>, Option<u64>) {
        match self {
            MediaRequest::CreateStream(_) => (Some(50), None),
            MediaRequest::DescribeStream(_) => (Some(300), Some(5)),
            _ => (None, None),
        }
    }
}

impl MediaService {
    /// Answers a request. A refused request changes nothing.
    pub fn handle_request(&mut self, now: SimTime, request: MediaRequest) -> VideoResult<Value> {
        self.handle_timeout(now);
        if self.settings.control_plane_rate_limits {
            let (account, per_stream) = request.rate_limits();
            let key = match &request {
                MediaRequest::DescribeStream(r) => r.stream_arn.clone().or_else(|| r.stream_name.clone()),
                _ => None,
            };
            let per_stream = per_stream.zip(key).map(|(rate, key)| (rate, "per stream", key));
            self.rates.take(now, request.action(), account, per_stream)?;
        }
        match request {
            MediaRequest::CreateStream(input) => self.create_stream(now, input),
            MediaRequest::DescribeStream(input) => {
                Ok(json!({"StreamInfo": self.stream_by(&input)?.info(&self.settings)}))
            }
            MediaRequest::ListStreams(input) => listing::list_body(
                self.streams.values(),
                |s: &Stream| s.name.as_str(),
                |s| s.info(&self.settings),
                "StreamInfoList",
                (input.stream_name_condition.as_ref(), input.next_token.as_deref(), input.max_results),
            ),
            MediaRequest::UpdateDataRetention(input) => self.update_retention(now, input),
            MediaRequest::DeleteStream(input) => {
                let by = StreamRef { stream_name: None, stream_arn: Some(input.stream_arn.clone()) };
                let stream = self.stream_by(&by)?;
                if let Some(v) = input.current_version.as_deref().filter(|v| *v != stream.version) {
                    return Err(VideoError::version_mismatch(v));
                }
                let name = stream.name.clone();
                self.streams.remove(&name);
                Ok(json!({}))
            }
            MediaRequest::GetDataEndpoint(input) => {
                self.stream_by(&input.stream)?;
                if !API_NAMES.contains(&input.api_name.as_str()) {
                    return Err(VideoError::invalid_argument(format!(
                        "APIName '{}' is not one of {}",
                        input.api_name,
                        API_NAMES.join(", ")
                    )));
                }
                Ok(json!({"DataEndpoint": self.data_endpoint()}))
            }
            MediaRequest::ListFragments(input) => self.list_fragments(input),
            MediaRequest::GetClip(input) => self.get_clip(input),
        }
    }

    fn create_stream(&mut self, now: SimTime, input: CreateStreamInput) -> VideoResult<Value> {
        let name = input.stream_name;
        if name.is_empty() || name.len() > 256 || !channel::is_name(&name) {
            return Err(VideoError::invalid_argument(format!(
                "StreamName '{name}' must be 1–256 characters of letters, digits, '_', '.' and '-'"
            )));
        }
        let media = &self.settings.media;
        let retention = input.data_retention_in_hours.unwrap_or(0);
        if retention > media.retention_max_hours {
            return Err(VideoError::invalid_argument(format!(
                "DataRetentionInHours {retention} must be between 0 and {}",
                media.retention_max_hours
            )));
        }
        let tags = input.tags.unwrap_or_default();
        if tags.len() > media.tags_max {
            return Err(VideoError::too_many_tags(media.tags_max));
        }
        if self.streams.contains_key(&name) {
            return Err(VideoError::stream_exists(&name));
        }
        if self.streams.len() >= media.stream_quota {
            return Err(VideoError::stream_quota(media.stream_quota));
        }
        let arn = Stream::arn_for(&self.settings, &name, now);
        let active_at = now + SimDuration::from_millis(media.stream_activation_ms);
        let status = if active_at <= now { StreamStatus::Active } else { StreamStatus::Creating };
        let version = crate::engine::video::version::new_version(&mut self.rng);
        // 27 leading digits, then a 20-digit counter: 47 digits, as AWS's fragment numbers have.
        let number_prefix: String =
            (0..27).map(|i| char::from(b'0' + if i == 0 { 9 } else { self.rng.below(10) as u8 })).collect();
        let stream = Stream {
            name: name.clone(),
            arn: arn.clone(),
            status,
            device_name: input.device_name,
            media_type: input.media_type,
            kms_key_id: input.kms_key_id.unwrap_or_else(|| Stream::default_kms_key(&self.settings)),
            retention_hours: retention,
            version,
            tags,
            created_at: now,
            active_at,
            number_prefix,
            last_number: self.rng.below(1_000_000_000),
            archive: BTreeMap::new(),
        };
        self.streams.insert(name, stream);
        Ok(json!({"StreamARN": arn}))
    }

    fn update_retention(&mut self, now: SimTime, input: UpdateDataRetentionInput) -> VideoResult<Value> {
        let max = self.settings.media.retention_max_hours;
        let name = self.stream_by(&input.stream)?.name.clone();
        let version = crate::engine::video::version::new_version(&mut self.rng);
        let stream = self.streams.get_mut(&name).expect("found above");
        if input.current_version != stream.version {
            return Err(VideoError::version_mismatch(&input.current_version));
        }
        if !stream.is_active() {
            return Err(VideoError::stream_not_active(&name, stream.status.as_str()));
        }
        let change = input.data_retention_change_in_hours;
        if change == 0 {
            return Err(VideoError::invalid_argument("DataRetentionChangeInHours must be at least 1"));
        }
        let retention = match input.operation.as_str() {
            "INCREASE_DATA_RETENTION" => stream.retention_hours.saturating_add(change),
            "DECREASE_DATA_RETENTION" => stream.retention_hours.checked_sub(change).ok_or_else(|| {
                VideoError::invalid_argument(format!(
                    "DataRetentionChangeInHours {change} is more than the stream's retention ({} h)",
                    stream.retention_hours
                ))
            })?,
            other => {
                return Err(VideoError::invalid_argument(format!(
                    "Operation '{other}' is not INCREASE_DATA_RETENTION or DECREASE_DATA_RETENTION"
                )))
            }
        };
        if retention > max {
            return Err(VideoError::invalid_argument(format!("the new retention {retention} h is more than {max} h")));
        }
        stream.retention_hours = retention;
        stream.version = version;
        self.sweep(now);
        Ok(json!({}))
    }

    /// A stream by name or ARN: one of them, and when both, the same stream.
    pub(super) fn stream_by(&self, by: &StreamRef) -> VideoResult<&Stream> {
        let name = match (&by.stream_name, &by.stream_arn) {
            (None, None) => {
                return Err(VideoError::invalid_argument("Either StreamName or StreamARN must be specified"))
            }
            (Some(name), None) => name.as_str(),
            (name, Some(arn)) => {
                let in_arn = super::stream::name_in_stream_arn(arn)
                    .ok_or_else(|| VideoError::invalid_argument(format!("'{arn}' is not a stream ARN")))?;
                if name.as_deref().is_some_and(|n| n != in_arn) {
                    return Err(VideoError::invalid_argument("StreamName and StreamARN name different streams"));
                }
                in_arn
            }
        };
        let stream = self.streams.get(name).ok_or_else(|| VideoError::stream_not_found(name))?;
        match &by.stream_arn {
            Some(arn) if *arn != stream.arn => Err(VideoError::stream_not_found(arn)),
            _ => Ok(stream),
        }
    }
}
