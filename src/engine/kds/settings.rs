//! The simulated account's settings: identity, the wall clock at t = 0, lifecycle durations and every
//! fact the spec marks [M] (from memory), each with its default and where it comes from.

use crate::engine::time::SimDuration;
use serde::{Deserialize, Serialize};

/// How the simulated Kinesis Data Streams account behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct KdsSettings {
    /// The 12-digit account id in ARNs and messages.
    pub account_id: String,
    /// The region in ARNs and messages.
    pub region: String,
    /// The wall clock at simulated time zero, in epoch milliseconds (arrival timestamps, AT_TIMESTAMP, dates).
    pub epoch_ms: u64,
    /// CREATING → ACTIVE [M: "seconds", spec §10.8].
    pub stream_create_ms: u64,
    /// DELETING → gone [M].
    pub stream_delete_ms: u64,
    /// UPDATING → ACTIVE for resharding, mode switches and encryption changes [M].
    pub stream_update_ms: u64,
    /// Consumer CREATING → ACTIVE [M].
    pub consumer_create_ms: u64,
    /// Consumer DELETING → gone [M].
    pub consumer_delete_ms: u64,
    /// Open shards allowed per account and region; `None` uses the region's current default
    /// (20,000 in us-east-1, us-west-2 and eu-west-1, 1,000 elsewhere; the book era had 500 / 200).
    pub shard_quota: Option<u64>,
    /// On-demand streams per account [C].
    pub on_demand_stream_limit: u64,
    /// Shards of a new ON_DEMAND stream [M: 4 MiB/s write at creation].
    pub on_demand_initial_shards: u32,
    /// PROVISIONED ⇄ ON_DEMAND switches per stream per rolling 24 h [M].
    pub mode_switches_per_day: usize,
    /// How much burst a shard's write buckets hold, in ms of their rate; 1,000 is strict per-second
    /// accounting [M: production tolerates brief spikes, spec §10.1].
    pub write_burst_ms: u64,
    /// Enforce the control-plane TPS limits of spec §2.9.
    pub control_plane_rate_limits: bool,
    /// Enhanced fan-out: delay from a record's arrival to its push to subscribers [S: ≈70 ms].
    pub efo_propagation_ms: u64,
    /// Enhanced fan-out: an idle subscription's heartbeat event period [M: ≈5 s].
    pub efo_heartbeat_ms: u64,
    /// Enhanced fan-out: while a subscriber is behind, the least time between events, in ms [M: a
    /// catching-up subscriber receives events a few times a second, each as large as the pipe allows].
    pub efo_catch_up_event_ms: u64,
    /// On-demand: a shard is split when its write rate since the last check exceeds this share of its
    /// limit, in percent [M: on-demand keeps headroom for 2× the recent peak].
    pub on_demand_split_threshold_percent: u64,
    /// On-demand: how often capacity is checked, in ms [M: scaling reacts within minutes].
    pub on_demand_check_ms: u64,
    /// Seconds of per-second stream and consumer metrics kept (CloudWatch keeps 1-second data 3 hours).
    pub metrics_window_secs: u64,
    /// Seconds of per-second shard-level metrics kept (memory grows with shards × seconds).
    pub shard_metrics_window_secs: u64,
    /// How new streams keep records: one by one, or as runs (fast-forward; GetRecords then refuses).
    pub detail: super::shard::Detail,
}

impl Default for KdsSettings {
    fn default() -> Self {
        KdsSettings {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            epoch_ms: 1_700_000_000_000,
            stream_create_ms: 10_000,
            stream_delete_ms: 5_000,
            stream_update_ms: 10_000,
            consumer_create_ms: 5_000,
            consumer_delete_ms: 5_000,
            shard_quota: None,
            on_demand_stream_limit: 50,
            on_demand_initial_shards: 4,
            mode_switches_per_day: 2,
            write_burst_ms: 1_000,
            control_plane_rate_limits: true,
            efo_propagation_ms: 70,
            efo_heartbeat_ms: 5_000,
            efo_catch_up_event_ms: 200,
            on_demand_split_threshold_percent: 50,
            on_demand_check_ms: 60_000,
            metrics_window_secs: 3_600,
            shard_metrics_window_secs: 600,
            detail: super::shard::Detail::Records,
        }
    }
}

impl KdsSettings {
    /// The open-shard quota in force.
    pub fn shard_quota(&self) -> u64 {
        self.shard_quota.unwrap_or(match self.region.as_str() {
            "us-east-1" | "us-west-2" | "eu-west-1" => 20_000,
            _ => 1_000,
        })
    }

    /// A stream's ARN.
    pub fn stream_arn(&self, stream: &str) -> String {
        format!("arn:aws:kinesis:{}:{}:stream/{stream}", self.region, self.account_id)
    }

    /// The write buckets' burst as a duration.
    pub fn write_burst(&self) -> SimDuration {
        SimDuration::from_millis(self.write_burst_ms.max(1))
    }

    /// Why these settings cannot be used, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("account id '{}' is not 12 digits", self.account_id));
        }
        let region_ok = !self.region.is_empty()
            && self.region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Some(format!("region '{}' is not a region name like us-east-1", self.region));
        }
        let durations = [
            ("stream_create_ms", self.stream_create_ms),
            ("stream_delete_ms", self.stream_delete_ms),
            ("stream_update_ms", self.stream_update_ms),
            ("consumer_create_ms", self.consumer_create_ms),
            ("consumer_delete_ms", self.consumer_delete_ms),
        ];
        durations
            .iter()
            .find(|(_, ms)| *ms > 30_000)
            .map(|(name, ms)| format!("{name} is {ms} ms; lifecycle durations are at most 30,000 ms"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_usable_and_documented_values() {
        let s = KdsSettings::default();
        assert_eq!(s.problem(), None);
        assert_eq!(s.shard_quota(), 20_000);
        assert_eq!(s.stream_arn("x"), "arn:aws:kinesis:us-east-1:123456789012:stream/x");
        let elsewhere = KdsSettings { region: "ap-south-1".into(), ..s };
        assert_eq!(elsewhere.shard_quota(), 1_000);
    }

    #[test]
    fn bad_settings_are_named() {
        let s = KdsSettings { account_id: "12".into(), ..KdsSettings::default() };
        assert!(s.problem().expect("bad account").contains("12 digits"));
        let s = KdsSettings { stream_create_ms: 31_000, ..KdsSettings::default() };
        assert!(s.problem().expect("too slow").contains("stream_create_ms"));
    }

    #[test]
    fn settings_read_from_json_with_defaults() {
        let s: KdsSettings = serde_json::from_str(r#"{"region": "eu-central-1"}"#).expect("valid");
        assert_eq!((s.region.as_str(), s.account_id.as_str()), ("eu-central-1", "123456789012"));
        assert!(serde_json::from_str::<KdsSettings>(r#"{"regoin": "x"}"#).is_err(), "typos are errors");
    }
}
