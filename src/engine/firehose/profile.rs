//! Fidelity profiles (spec firehose-analytics.md §0) and the buffering-hint ranges of each destination
//! (§1.3 L10–L19). The limits changed over the years; a profile is a bundle of them, so a preset can teach
//! the book's numbers or today's.

use serde::{Deserialize, Serialize};

/// Which era's limits the simulated Firehose follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FidelityProfile {
    /// The numbers the book prints (the textbook presets' default).
    #[default]
    Book2021,
    /// The March-2023 developer guide.
    Docs2023,
    /// Today's API ranges: 0 s intervals and configurable Splunk buffering.
    Api2025,
}

/// Where a Firehose stream delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DestinationKind {
    S3,
    Redshift,
    OpenSearch,
    Splunk,
    HttpEndpoint,
}

/// A destination's buffering-hint ranges and defaults: SizeInMBs (MiB) and IntervalInSeconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HintRange {
    pub size_mib: (u64, u64),
    pub interval_secs: (u64, u64),
    pub default_size_mib: u64,
    pub default_interval_secs: u64,
}

impl FidelityProfile {
    /// The hint ranges of `kind` under this profile.
    pub fn hint_range(self, kind: DestinationKind) -> HintRange {
        let min_interval = if self == FidelityProfile::Api2025 { 0 } else { 60 };
        let range = |size_max, interval_max, size, interval| HintRange {
            size_mib: (1, size_max),
            interval_secs: (min_interval, interval_max),
            default_size_mib: size,
            default_interval_secs: interval,
        };
        match kind {
            // L10, L11, L13.
            DestinationKind::S3 | DestinationKind::Redshift => range(128, 900, 5, 300),
            // L14.
            DestinationKind::OpenSearch => range(100, 900, 5, 300),
            // L16.
            DestinationKind::HttpEndpoint => range(64, 900, 5, 300),
            // L15: fixed 5 MB / 60 s until the API made them editable.
            DestinationKind::Splunk if self == FidelityProfile::Api2025 => range(5, 60, 5, 60),
            DestinationKind::Splunk => {
                HintRange { size_mib: (5, 5), interval_secs: (60, 60), default_size_mib: 5, default_interval_secs: 60 }
            }
        }
    }
}

/// `BufferingHints` as a request gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BufferingHints {
    #[serde(rename = "SizeInMBs")]
    pub size_in_mbs: Option<u64>,
    pub interval_in_seconds: Option<u64>,
}

/// The hints in force: bytes and seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hints {
    pub size_bytes: u64,
    pub interval_secs: u64,
}

impl Hints {
    /// `BufferingHints` as DescribeDeliveryStream gives them.
    pub fn description(&self) -> serde_json::Value {
        serde_json::json!({ "SizeInMBs": self.size_bytes >> 20, "IntervalInSeconds": self.interval_secs })
    }
}

/// Features that raise the minimum buffer size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferFeatures {
    /// Record format conversion (L18: at least 64 MiB, default 128).
    pub format_conversion: bool,
    /// Dynamic partitioning (L19: at least 64 MiB [M]).
    pub dynamic_partitioning: bool,
}

/// The smallest size hint format conversion and dynamic partitioning accept (L18, L19 [M]).
pub const LARGE_BUFFER_MIN_MIB: u64 = 64;

/// The hints a destination runs with, or why the request is refused (the message of an
/// InvalidArgumentException).
pub fn resolve(
    profile: FidelityProfile,
    kind: DestinationKind,
    given: BufferingHints,
    features: BufferFeatures,
) -> Result<Hints, String> {
    let range = profile.hint_range(kind);
    let (size, interval) = match (given.size_in_mbs, given.interval_in_seconds) {
        (Some(size), Some(interval)) => (size, interval),
        (None, None) => {
            let size = if features.format_conversion {
                128
            } else if features.dynamic_partitioning {
                LARGE_BUFFER_MIN_MIB
            } else {
                range.default_size_mib
            };
            (size, range.default_interval_secs)
        }
        // L12.
        _ => return Err("BufferingHints: if you set SizeInMBs or IntervalInSeconds, you must set both".into()),
    };
    if !(range.size_mib.0..=range.size_mib.1).contains(&size) {
        return Err(format!(
            "BufferingHints.SizeInMBs {size} is out of range for {kind:?}: {}–{} MiB",
            range.size_mib.0, range.size_mib.1
        ));
    }
    if !(range.interval_secs.0..=range.interval_secs.1).contains(&interval) {
        return Err(format!(
            "BufferingHints.IntervalInSeconds {interval} is out of range for {kind:?}: {}–{} s",
            range.interval_secs.0, range.interval_secs.1
        ));
    }
    let large = features.format_conversion || features.dynamic_partitioning;
    if large && size < LARGE_BUFFER_MIN_MIB {
        let why = if features.format_conversion { "record format conversion" } else { "dynamic partitioning" };
        return Err(format!("BufferingHints.SizeInMBs must be at least {LARGE_BUFFER_MIN_MIB} with {why}, got {size}"));
    }
    Ok(Hints { size_bytes: size * 1024 * 1024, interval_secs: interval })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DestinationKind::*;
    use FidelityProfile::*;

    fn hints(size: u64, interval: u64) -> BufferingHints {
        BufferingHints { size_in_mbs: Some(size), interval_in_seconds: Some(interval) }
    }

    #[test]
    fn defaults_and_ranges_follow_the_destination_and_the_profile() {
        let none = BufferFeatures::default();
        assert_eq!(
            resolve(Book2021, S3, BufferingHints::default(), none),
            Ok(Hints { size_bytes: 5 << 20, interval_secs: 300 })
        );
        assert!(resolve(Book2021, S3, hints(128, 900), none).is_ok());
        assert!(resolve(Book2021, S3, hints(129, 300), none).unwrap_err().contains("1–128 MiB"));
        assert!(resolve(Docs2023, S3, hints(5, 0), none).unwrap_err().contains("60–900 s"));
        assert_eq!(resolve(Api2025, S3, hints(5, 0), none).map(|h| h.interval_secs), Ok(0));
        assert!(resolve(Book2021, OpenSearch, hints(101, 300), none).is_err());
        assert!(resolve(Book2021, HttpEndpoint, hints(65, 300), none).is_err());
        assert!(
            resolve(Book2021, Splunk, hints(1, 60), none).unwrap_err().contains("5–5 MiB"),
            "not editable in the book"
        );
        assert_eq!(resolve(Api2025, Splunk, hints(1, 10), none).map(|h| h.size_bytes), Ok(1 << 20));
    }

    #[test]
    fn both_hints_or_neither_and_large_buffers_for_conversion_and_partitioning() {
        let none = BufferFeatures::default();
        let one = BufferingHints { size_in_mbs: Some(5), interval_in_seconds: None };
        assert!(resolve(Book2021, S3, one, none).unwrap_err().contains("must set both"));
        let conversion = BufferFeatures { format_conversion: true, dynamic_partitioning: false };
        assert_eq!(resolve(Book2021, S3, BufferingHints::default(), conversion).map(|h| h.size_bytes), Ok(128 << 20));
        assert!(resolve(Book2021, S3, hints(32, 300), conversion)
            .unwrap_err()
            .contains("at least 64 with record format conversion"));
        let partitioning = BufferFeatures { format_conversion: false, dynamic_partitioning: true };
        assert!(resolve(Book2021, S3, hints(63, 300), partitioning).is_err());
        assert!(resolve(Book2021, S3, hints(64, 300), partitioning).is_ok());
    }
}
