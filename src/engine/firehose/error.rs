//! Firehose errors: the exception names and HTTP status codes of the Firehose API reference; the message
//! texts are ours and name the value at fault.

use std::fmt;

/// The exception a call failed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirehoseErrorKind {
    /// A value is invalid (also a record or batch over its size limit [M: exact code, spec L3]).
    InvalidArgument,
    /// No such Firehose stream.
    ResourceNotFound,
    /// The stream is not ACTIVE, or the name is taken.
    ResourceInUse,
    /// An account quota is reached.
    LimitExceeded,
    /// UpdateDestination named a version that is no longer current.
    ConcurrentModification,
    /// Throttled or busy: the producer should back off and resend (spec L5).
    ServiceUnavailable,
}

impl FirehoseErrorKind {
    /// The exact AWS name.
    pub fn aws_code(self) -> &'static str {
        match self {
            FirehoseErrorKind::InvalidArgument => "InvalidArgumentException",
            FirehoseErrorKind::ResourceNotFound => "ResourceNotFoundException",
            FirehoseErrorKind::ResourceInUse => "ResourceInUseException",
            FirehoseErrorKind::LimitExceeded => "LimitExceededException",
            FirehoseErrorKind::ConcurrentModification => "ConcurrentModificationException",
            FirehoseErrorKind::ServiceUnavailable => "ServiceUnavailableException",
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status_code(self) -> u16 {
        match self {
            FirehoseErrorKind::ServiceUnavailable => 503,
            _ => 400,
        }
    }
}

/// A failed call: the exception and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirehoseError {
    /// Which exception.
    pub kind: FirehoseErrorKind,
    /// The message text.
    pub message: String,
}

impl fmt::Display for FirehoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.aws_code(), self.message)
    }
}

impl std::error::Error for FirehoseError {}

impl FirehoseError {
    /// An error of `kind` with a given text.
    pub fn new(kind: FirehoseErrorKind, message: impl Into<String>) -> FirehoseError {
        FirehoseError { kind, message: message.into() }
    }

    /// An InvalidArgumentException with a given text.
    pub fn invalid_argument(message: impl Into<String>) -> FirehoseError {
        FirehoseError { kind: FirehoseErrorKind::InvalidArgument, message: message.into() }
    }

    /// Throttled: the text AWS's throttled records carry.
    pub fn slow_down() -> FirehoseError {
        FirehoseError { kind: FirehoseErrorKind::ServiceUnavailable, message: "Slow down.".into() }
    }
}
