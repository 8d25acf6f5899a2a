//! The Kinesis Data Streams cost model (spec kds.md §5.6): prices are parameters, defaults illustrative.
//!
//! Provisioned: shard-hours, plus PUT payload units (each 25 KB of a record, at least one per record),
//! plus extended retention (shard-hours beyond 24 h retention), plus long-term retention (GB-months
//! beyond 7 days), plus enhanced fan-out (consumer-shard-hours and GB retrieved). On-demand: stream-hours,
//! plus GB written (each record rounded up to 1 KiB) and GB read, plus the same retention and fan-out
//! terms. GetRecords reads are free in provisioned mode. The seeds give no dollar figures, so every
//! price is a setting with a default marked [M] (from memory of the us-east-1 price list).

use serde::{Deserialize, Serialize};

/// Hours in the month AWS prices by.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// A gigabyte as the price list counts it (2^30 bytes).
pub const GB: f64 = 1_073_741_824.0;

/// Prices in USD.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prices {
    /// Per shard-hour (provisioned) [M: $0.015].
    pub shard_hour: f64,
    /// Per million PUT payload units (provisioned) [M: $0.014].
    pub put_units_per_million: f64,
    /// Per shard-hour of retention beyond 24 h, up to 7 days [M: $0.02].
    pub extended_retention_shard_hour: f64,
    /// Per GB-month stored beyond 7 days [M: $0.023].
    pub long_term_retention_gb_month: f64,
    /// Per enhanced fan-out consumer-shard-hour [M: $0.015].
    pub efo_consumer_shard_hour: f64,
    /// Per GB delivered by enhanced fan-out [M: $0.013].
    pub efo_gb: f64,
    /// Per on-demand stream-hour [M: $0.04].
    pub on_demand_stream_hour: f64,
    /// Per GB written on demand [M: $0.08].
    pub on_demand_gb_in: f64,
    /// Per GB read on demand [M: $0.04].
    pub on_demand_gb_out: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            shard_hour: 0.015,
            put_units_per_million: 0.014,
            extended_retention_shard_hour: 0.02,
            long_term_retention_gb_month: 0.023,
            efo_consumer_shard_hour: 0.015,
            efo_gb: 0.013,
            on_demand_stream_hour: 0.04,
            on_demand_gb_in: 0.08,
            on_demand_gb_out: 0.04,
        }
    }
}

/// What a stream used over a period: the cost model's inputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// True for an on-demand stream.
    pub on_demand: bool,
    /// Hours the stream existed.
    pub stream_hours: f64,
    /// Shard-hours (open shards × hours).
    pub shard_hours: f64,
    /// PUT payload units of the records written.
    pub put_units: u64,
    /// Bytes written, each record rounded up to 1 KiB (on-demand billing).
    pub bytes_in_rounded: f64,
    /// Bytes read by shared-throughput consumers.
    pub bytes_out: f64,
    /// Retention in hours.
    pub retention_hours: u32,
    /// GB-months stored beyond 7 days.
    pub long_term_gb_months: f64,
    /// Enhanced fan-out consumer-shard-hours.
    pub efo_consumer_shard_hours: f64,
    /// Bytes delivered by enhanced fan-out.
    pub efo_bytes: f64,
}

/// A cost broken down by term, in USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Shard-hours, or on-demand stream-hours.
    pub capacity: f64,
    /// PUT payload units, or on-demand GB written and read.
    pub data: f64,
    /// Extended and long-term retention.
    pub retention: f64,
    /// Enhanced fan-out.
    pub fan_out: f64,
    /// The sum.
    pub total: f64,
}

/// The cost of `usage` at `prices`.
pub fn cost(usage: &Usage, prices: &Prices) -> Cost {
    let (capacity, data) = if usage.on_demand {
        (
            usage.stream_hours * prices.on_demand_stream_hour,
            usage.bytes_in_rounded / GB * prices.on_demand_gb_in + usage.bytes_out / GB * prices.on_demand_gb_out,
        )
    } else {
        (usage.shard_hours * prices.shard_hour, usage.put_units as f64 / 1e6 * prices.put_units_per_million)
    };
    let extended =
        if usage.retention_hours > 24 { usage.shard_hours * prices.extended_retention_shard_hour } else { 0.0 };
    let retention = extended + usage.long_term_gb_months * prices.long_term_retention_gb_month;
    let fan_out =
        usage.efo_consumer_shard_hours * prices.efo_consumer_shard_hour + usage.efo_bytes / GB * prices.efo_gb;
    let total = capacity + data + retention + fan_out;
    Cost {
        capacity: cents(capacity),
        data: cents(data),
        retention: cents(retention),
        fan_out: cents(fan_out),
        total: cents(total),
    }
}

/// Rounds to a hundredth of a cent, so reports and golden files do not carry float noise.
fn cents(usd: f64) -> f64 {
    libm::round(usd * 10_000.0) / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_worked_example_costs_51_dollars_16() {
        // Spec §5.6: 4 shards for 730 h, 100 records/s of 35 KB (2 PUT units each) for a month.
        let usage = Usage {
            stream_hours: HOURS_PER_MONTH,
            shard_hours: 4.0 * HOURS_PER_MONTH,
            put_units: 100 * 2 * 2_628_000,
            retention_hours: 24,
            ..Usage::default()
        };
        let c = cost(&usage, &Prices::default());
        assert_eq!((c.capacity, c.data), (43.8, 7.3584));
        assert_eq!(c.total, 51.1584);
    }

    #[test]
    fn retention_and_fan_out_add_their_terms() {
        let usage = Usage {
            shard_hours: 10.0,
            retention_hours: 168,
            long_term_gb_months: 2.0,
            efo_consumer_shard_hours: 10.0,
            efo_bytes: GB,
            ..Usage::default()
        };
        let c = cost(&usage, &Prices::default());
        assert_eq!((c.retention, c.fan_out), (0.2 + 0.046, 0.15 + 0.013));
        let on_demand = Usage {
            on_demand: true,
            stream_hours: 10.0,
            bytes_in_rounded: 2.0 * GB,
            bytes_out: GB,
            ..Usage::default()
        };
        let c = cost(&on_demand, &Prices::default());
        assert_eq!((c.capacity, c.data), (0.4, 0.2));
    }
}
