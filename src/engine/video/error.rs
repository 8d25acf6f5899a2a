//! Kinesis Video Streams signaling errors: the exception names, HTTP status codes and message texts.
//!
//! Names and codes are from the API reference (spec video.md §3.1–§3.2); the message texts are the
//! reference's descriptions where it gives one, otherwise ours, naming the value at fault. They reach a
//! client either as an HTTP error body (control plane, connect) or inside a STATUS_RESPONSE frame.

use std::fmt;

/// The exception a call failed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoErrorKind {
    /// A value is invalid (also model constraint violations: this service models no ValidationException).
    InvalidArgument,
    /// No such channel, or it is not ACTIVE.
    ResourceNotFound,
    /// A channel of that name exists, or the channel is not ACTIVE for this operation.
    ResourceInUse,
    /// A rate or concurrency limit was reached.
    ClientLimitExceeded,
    /// The account's channel quota is reached.
    AccountChannelLimitExceeded,
    /// Too many tags.
    TagsPerResourceExceededLimit,
    /// CurrentVersion is not the channel's version.
    VersionMismatch,
    /// The signed URL expired or its clock is skewed.
    AccessDenied,
    /// The account's stream quota is reached.
    AccountStreamLimitExceeded,
    /// A playback call on a stream that keeps no data (DataRetentionInHours 0).
    NoDataRetention,
    /// The first fragment's track 1 is not H.264 or H.265.
    UnsupportedStreamMediaType,
}

impl VideoErrorKind {
    /// The exact AWS name.
    pub fn aws_code(self) -> &'static str {
        match self {
            VideoErrorKind::InvalidArgument => "InvalidArgumentException",
            VideoErrorKind::ResourceNotFound => "ResourceNotFoundException",
            VideoErrorKind::ResourceInUse => "ResourceInUseException",
            VideoErrorKind::ClientLimitExceeded => "ClientLimitExceededException",
            VideoErrorKind::AccountChannelLimitExceeded => "AccountChannelLimitExceededException",
            VideoErrorKind::TagsPerResourceExceededLimit => "TagsPerResourceExceededLimitException",
            VideoErrorKind::VersionMismatch => "VersionMismatchException",
            VideoErrorKind::AccessDenied => "AccessDeniedException",
            VideoErrorKind::AccountStreamLimitExceeded => "AccountStreamLimitExceededException",
            VideoErrorKind::NoDataRetention => "NoDataRetentionException",
            VideoErrorKind::UnsupportedStreamMediaType => "UnsupportedStreamMediaTypeException",
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status_code(self) -> u16 {
        match self {
            VideoErrorKind::ResourceNotFound => 404,
            VideoErrorKind::AccessDenied => 403,
            _ => 400,
        }
    }
}

/// A failed call: the exception and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoError {
    /// Which exception.
    pub kind: VideoErrorKind,
    /// The message text.
    pub message: String,
}

impl fmt::Display for VideoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.aws_code(), self.message)
    }
}

impl std::error::Error for VideoError {}

/// A shorthand for results of signaling calls.
pub type VideoResult<T> = Result<T, VideoError>;

use VideoErrorKind::*;

fn err(kind: VideoErrorKind, message: impl Into<String>) -> VideoError {
    VideoError { kind, message: message.into() }
}

impl VideoError {
    /// An InvalidArgumentException with a given text.
    pub fn invalid_argument(message: impl Into<String>) -> VideoError {
        err(InvalidArgument, message)
    }

    /// The channel named by an ARN or name does not exist.
    pub fn channel_not_found(which: &str) -> VideoError {
        err(ResourceNotFound, format!("The requested channel is not found or not active: {which}"))
    }

    /// The channel exists but is not ACTIVE yet (or any more).
    pub fn channel_not_active(arn: &str, status: &str) -> VideoError {
        err(ResourceNotFound, format!("The requested channel is not found or not active: {arn} is {status}"))
    }

    /// CreateSignalingChannel with a name in use.
    pub fn channel_exists(name: &str) -> VideoError {
        err(
            ResourceInUse,
            format!("The signaling channel {name} already exists. Channel names are unique per account and region."),
        )
    }

    /// A channel that is not ACTIVE cannot be updated or deleted.
    pub fn channel_busy(name: &str, status: &str) -> VideoError {
        err(
            ResourceInUse,
            format!("The signaling channel {name} is {status}; it can be updated or deleted only when ACTIVE."),
        )
    }

    /// A rate limit (what, and the limit).
    pub fn throttled(what: &str, per_sec: u64) -> VideoError {
        err(
            ClientLimitExceeded,
            format!(
                "Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls ({what}: {per_sec} per second). Try making the call later."
            ),
        )
    }

    /// The 11th viewer.
    pub fn viewers_full(max: usize) -> VideoError {
        err(ClientLimitExceeded, format!("The channel already has {max} connected viewers, the most it allows."))
    }

    /// The account's channel quota.
    pub fn channel_quota(quota: usize) -> VideoError {
        err(
            AccountChannelLimitExceeded,
            format!("You have reached the maximum limit of active signaling channels for this AWS account in this region ({quota})."),
        )
    }

    /// Too many tags.
    pub fn too_many_tags(max: usize) -> VideoError {
        err(
            TagsPerResourceExceededLimit,
            format!("You have exceeded the limit of tags that you can associate with the resource. A signaling channel can support up to {max} tags."),
        )
    }

    /// CurrentVersion mismatch.
    pub fn version_mismatch(given: &str) -> VideoError {
        err(
            VersionMismatch,
            format!("The version {given} that you specified is not the latest version. To get the latest version, use DescribeSignalingChannel."),
        )
    }

    /// A signed URL that is expired or signed with a skewed clock.
    pub fn access_denied(why: impl Into<String>) -> VideoError {
        err(AccessDenied, why)
    }

    /// A stream named by name or ARN does not exist.
    pub fn stream_not_found(which: &str) -> VideoError {
        err(ResourceNotFound, format!("The stream {which} was not found."))
    }

    /// The stream exists but is not ACTIVE.
    pub fn stream_not_active(name: &str, status: &str) -> VideoError {
        err(ResourceInUse, format!("The stream {name} is {status}; this operation needs it ACTIVE."))
    }

    /// CreateStream with a name in use.
    pub fn stream_exists(name: &str) -> VideoError {
        err(ResourceInUse, format!("The stream {name} already exists. Stream names are unique per account and region."))
    }

    /// The account's stream quota.
    pub fn stream_quota(quota: usize) -> VideoError {
        err(AccountStreamLimitExceeded, format!("The number of streams created for the account is too high ({quota})."))
    }

    /// A playback call on a stream with no retention (spec video.md §1.1 row 17).
    pub fn no_data_retention(name: &str) -> VideoError {
        err(
            NoDataRetention,
            format!("A playback session was requested for the stream {name}, which does not retain data (that is, has a DataRetentionInHours of 0)."),
        )
    }

    /// GetClip of media that is not H.264 or H.265 (row 29).
    pub fn unsupported_media(codec: &str) -> VideoError {
        err(
            UnsupportedStreamMediaType,
            format!("The type of the media could not be determined from the codec IDs of the tracks in the first fragment for a playback session: track 1 is {codec}. The codec ID for track 1 should be V_MPEG4/ISO/AVC (h.264) or V_MPEGH/ISO/HEVC (h.265)."),
        )
    }

    /// Nothing archived in the requested range.
    pub fn no_fragments_in_range() -> VideoError {
        err(ResourceNotFound, "No fragments were found in the requested time range.")
    }
}
