//! Kinesis Data Streams errors: AWS's exception names and message texts (spec §2, §2.11).
//!
//! Every message template lives here, so texts are written once and match AWS's (the [E] texts of the
//! spec come from kinesalite's suite, which was run against production). A failed call changes nothing.

use serde::Serialize;
use std::fmt;

/// The exception a call failed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum KdsErrorKind {
    /// R16, R19–R24: a shard's write or read capacity, or GetShardIterator's rate, was exceeded.
    ProvisionedThroughputExceeded,
    /// R26: the iterator is older than 300,000 ms.
    ExpiredIterator,
    /// A NextToken older than 300 s.
    ExpiredNextToken,
    /// A semantically invalid argument.
    InvalidArgument,
    /// A model constraint (length, pattern, range, enum) failed.
    Validation,
    /// No such stream, shard or consumer.
    ResourceNotFound,
    /// The resource exists but is busy or in the wrong state.
    ResourceInUse,
    /// A quota or a rate limit was reached.
    LimitExceeded,
    /// The KMS key is disabled.
    KmsDisabled,
    /// The KMS key is in a state that cannot be used.
    KmsInvalidState,
    /// Kinesis may not use the KMS key.
    KmsAccessDenied,
    /// The KMS key does not exist.
    KmsNotFound,
    /// The account is not subscribed to KMS.
    KmsOptInRequired,
    /// KMS throttled the request.
    KmsThrottling,
    /// A simulated internal failure (fault injection).
    InternalFailure,
}

impl KdsErrorKind {
    /// The exact AWS `__type`.
    pub fn aws_code(self) -> &'static str {
        match self {
            KdsErrorKind::ProvisionedThroughputExceeded => "ProvisionedThroughputExceededException",
            KdsErrorKind::ExpiredIterator => "ExpiredIteratorException",
            KdsErrorKind::ExpiredNextToken => "ExpiredNextTokenException",
            KdsErrorKind::InvalidArgument => "InvalidArgumentException",
            KdsErrorKind::Validation => "ValidationException",
            KdsErrorKind::ResourceNotFound => "ResourceNotFoundException",
            KdsErrorKind::ResourceInUse => "ResourceInUseException",
            KdsErrorKind::LimitExceeded => "LimitExceededException",
            KdsErrorKind::KmsDisabled => "KMSDisabledException",
            KdsErrorKind::KmsInvalidState => "KMSInvalidStateException",
            KdsErrorKind::KmsAccessDenied => "KMSAccessDeniedException",
            KdsErrorKind::KmsNotFound => "KMSNotFoundException",
            KdsErrorKind::KmsOptInRequired => "KMSOptInRequired",
            KdsErrorKind::KmsThrottling => "KMSThrottlingException",
            KdsErrorKind::InternalFailure => "InternalFailure",
        }
    }
}

/// A failed call: the exception and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KdsError {
    /// Which exception.
    pub kind: KdsErrorKind,
    /// AWS's message text.
    pub message: String,
}

impl fmt::Display for KdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.aws_code(), self.message)
    }
}

impl std::error::Error for KdsError {}

/// A shorthand for results of KDS calls.
pub type KdsResult<T> = Result<T, KdsError>;

fn err(kind: KdsErrorKind, message: impl Into<String>) -> KdsError {
    KdsError { kind, message: message.into() }
}

use KdsErrorKind::*;

impl KdsError {
    /// An InvalidArgumentException with a given text.
    pub fn invalid_argument(message: impl Into<String>) -> KdsError {
        err(InvalidArgument, message)
    }

    /// A ValidationException with a given text.
    pub fn validation(message: impl Into<String>) -> KdsError {
        err(Validation, message)
    }

    /// A LimitExceededException with a given text.
    pub fn limit_exceeded(message: impl Into<String>) -> KdsError {
        err(LimitExceeded, message)
    }

    /// A ResourceInUseException with a given text.
    pub fn resource_in_use(message: impl Into<String>) -> KdsError {
        err(ResourceInUse, message)
    }

    /// A ResourceNotFoundException with a given text.
    pub fn resource_not_found(message: impl Into<String>) -> KdsError {
        err(ResourceNotFound, message)
    }

    /// `Stream {s} under account {a} not found.`
    pub fn stream_not_found(stream: &str, account: &str) -> KdsError {
        err(ResourceNotFound, format!("Stream {stream} under account {account} not found."))
    }

    /// R02: `Stream {s} under account {a} already exists.`
    pub fn stream_exists(stream: &str, account: &str) -> KdsError {
        err(ResourceInUse, format!("Stream {stream} under account {account} already exists."))
    }

    /// R47: `Stream {s} under account {a} not ACTIVE, instead in state {STATUS}`
    pub fn stream_not_active(stream: &str, account: &str, status: &str) -> KdsError {
        err(ResourceInUse, format!("Stream {stream} under account {account} not ACTIVE, instead in state {status}"))
    }

    /// R04, R32: `Shard {id} in stream {s} under account {a} does not exist`
    pub fn shard_not_found(shard: &str, stream: &str, account: &str) -> KdsError {
        err(ResourceNotFound, format!("Shard {shard} in stream {stream} under account {account} does not exist"))
    }

    /// A ShardId no shard can have: `Could not find shard {text} in stream {s} under account {a}.`
    pub fn could_not_find_shard(shard: &str, stream: &str, account: &str) -> KdsError {
        err(ResourceNotFound, format!("Could not find shard {shard} in stream {stream} under account {account}."))
    }

    /// R16, R19: `Rate exceeded for shard {id} in stream {s} under account {a}.`
    pub fn shard_throughput(shard: &str, stream: &str, account: &str) -> KdsError {
        err(
            ProvisionedThroughputExceeded,
            format!("Rate exceeded for shard {shard} in stream {stream} under account {account}."),
        )
    }

    /// §2.9: `Rate exceeded for stream {s} under account {a}.`
    pub fn stream_rate(stream: &str, account: &str) -> KdsError {
        err(LimitExceeded, format!("Rate exceeded for stream {stream} under account {account}."))
    }

    /// §2.9 for account-wide limits: `Rate exceeded for account {a}.`
    pub fn account_rate(account: &str) -> KdsError {
        err(LimitExceeded, format!("Rate exceeded for account {account}."))
    }

    /// R27: `Invalid ShardIterator.`
    pub fn invalid_iterator() -> KdsError {
        err(InvalidArgument, "Invalid ShardIterator.")
    }

    /// R26, with both instants written as Java dates.
    pub fn expired_iterator(created: &str, now: &str) -> KdsError {
        err(
            ExpiredIterator,
            format!(
                "Iterator expired. The iterator was created at time {created} while right now it is {now} \
                 which is further in the future than the tolerated delay of 300000 milliseconds."
            ),
        )
    }

    /// An expired NextToken.
    pub fn expired_next_token(now: &str) -> KdsError {
        err(ExpiredNextToken, format!("The timestamp sent in the token has expired. Current time: {now}"))
    }

    /// R52: the account's open-shard quota.
    pub fn shard_quota(account: &str, region: &str, current: u64, limit: u64, additional: u64) -> KdsError {
        err(
            LimitExceeded,
            format!(
                "This request would exceed the shard limit for the account {account} in {region}. \
                 Current shard count for the account: {current}. Limit: {limit}. \
                 Number of additional shards that would have resulted from this request: {additional}. \
                 Refer to the AWS Service Limits page \
                 (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) \
                 for current limits and how to request higher limits."
            ),
        )
    }

    /// R09: an ExplicitHashKey of 2^128 or more.
    pub fn explicit_hash_key_range(value: &str) -> KdsError {
        err(
            InvalidArgument,
            format!(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {value}"
            ),
        )
    }

    /// A KMS failure on an encrypted stream (R62).
    pub fn kms(kind: KdsErrorKind, message: impl Into<String>) -> KdsError {
        err(kind, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_aws_exception_names() {
        assert_eq!(ProvisionedThroughputExceeded.aws_code(), "ProvisionedThroughputExceededException");
        assert_eq!(KmsOptInRequired.aws_code(), "KMSOptInRequired");
        assert_eq!(InternalFailure.aws_code(), "InternalFailure");
    }

    #[test]
    fn messages_follow_the_spec_templates() {
        let e = KdsError::shard_throughput("shardId-000000000001", "s", "123456789012");
        assert_eq!(e.message, "Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012.");
        let e = KdsError::expired_iterator("Thu Jan 22 01:22:02 UTC 2015", "Thu Jan 22 01:27:03 UTC 2015");
        assert_eq!(
            e.message,
            "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is \
             Thu Jan 22 01:27:03 UTC 2015 which is further in the future than the tolerated delay of 300000 milliseconds."
        );
        assert!(KdsError::shard_quota("1", "r", 5, 10, 6)
            .message
            .contains("Current shard count for the account: 5. Limit: 10."));
    }
}
