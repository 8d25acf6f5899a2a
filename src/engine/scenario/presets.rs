//! The built-in scenarios: the teaching scenarios of spec kds.md §6 (P1–P12), P13, the hot shard a split
//! fixes (§4.2), and the Firehose and Analytics ones of spec firehose-analytics.md §5 built so far; each a JSON file in
//! `presets/`.
//!
//! Each has a title and a two-sentence explanation of what it teaches; `kinesis-lab run <name>` runs one,
//! and every one has a golden summary under `tests/golden/`.

use super::Scenario;

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Its name (what `kinesis-lab run` takes).
    pub name: &'static str,
    /// Its scenario file.
    pub json: &'static str,
}

const PRESETS: [Preset; 26] = [
    Preset { name: "p01-simple-pipeline", json: include_str!("presets/p01-simple-pipeline.json") },
    Preset { name: "p02-rider-alert", json: include_str!("presets/p02-rider-alert.json") },
    Preset { name: "p03-full-pipeline", json: include_str!("presets/p03-full-pipeline.json") },
    Preset { name: "p04-hot-key", json: include_str!("presets/p04-hot-key.json") },
    Preset { name: "p05-swipebike-city", json: include_str!("presets/p05-swipebike-city.json") },
    Preset { name: "p06-five-readers", json: include_str!("presets/p06-five-readers.json") },
    Preset { name: "p07-poison-pill", json: include_str!("presets/p07-poison-pill.json") },
    Preset { name: "p08-commute-autoscaling", json: include_str!("presets/p08-commute-autoscaling.json") },
    Preset { name: "p09-replay", json: include_str!("presets/p09-replay.json") },
    Preset { name: "p10-bursty-iot", json: include_str!("presets/p10-bursty-iot.json") },
    Preset { name: "p11-producer-retries", json: include_str!("presets/p11-producer-retries.json") },
    Preset { name: "p12-station-routing", json: include_str!("presets/p12-station-routing.json") },
    Preset { name: "p13-hot-shard", json: include_str!("presets/p13-hot-shard.json") },
    Preset { name: "firehose-p01-bikes-to-parquet", json: include_str!("presets/firehose-p01-bikes-to-parquet.json") },
    Preset { name: "firehose-p02-data-lake", json: include_str!("presets/firehose-p02-data-lake.json") },
    Preset {
        name: "firehose-p07-cloudwatch-logs-to-splunk",
        json: include_str!("presets/firehose-p07-cloudwatch-logs-to-splunk.json"),
    },
    Preset {
        name: "firehose-p08-partition-by-station",
        json: include_str!("presets/firehose-p08-partition-by-station.json"),
    },
    Preset {
        name: "firehose-p09-http-endpoint-outage",
        json: include_str!("presets/firehose-p09-http-endpoint-outage.json"),
    },
    Preset { name: "firehose-p10-s3-outage", json: include_str!("presets/firehose-p10-s3-outage.json") },
    Preset { name: "firehose-redshift-copy", json: include_str!("presets/firehose-redshift-copy.json") },
    Preset { name: "firehose-opensearch-index", json: include_str!("presets/firehose-opensearch-index.json") },
    Preset {
        name: "analytics-p03-rental-count-sql",
        json: include_str!("presets/analytics-p03-rental-count-sql.json"),
    },
    Preset {
        name: "analytics-p04-window-comparison",
        json: include_str!("presets/analytics-p04-window-comparison.json"),
    },
    Preset {
        name: "analytics-p05-rental-count-flink",
        json: include_str!("presets/analytics-p05-rental-count-flink.json"),
    },
    Preset {
        name: "analytics-p06-access-log-errors",
        json: include_str!("presets/analytics-p06-access-log-errors.json"),
    },
    Preset { name: "analytics-p11-anomaly-top-k", json: include_str!("presets/analytics-p11-anomaly-top-k.json") },
];

/// Every preset, in order.
pub fn all() -> Vec<PresetInfo> {
    PRESETS
        .iter()
        .map(|p| {
            let s = Scenario::from_json(p.json).expect("presets are valid (tested)");
            let firehose = s.uses_firehose();
            PresetInfo { name: p.name, title: s.title, explanation: s.explanation, json: p.json, firehose }
        })
        .collect()
}

/// A preset with its title and explanation read from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetInfo {
    /// Its name.
    pub name: &'static str,
    /// Its title.
    pub title: String,
    /// What it teaches, in two sentences.
    pub explanation: String,
    /// Its scenario file.
    pub json: &'static str,
    /// Whether it is a Firehose scenario (it makes calls or has Direct PUT producers), for the Firehose lab.
    pub firehose: bool,
}

/// The preset called `name`.
pub fn find(name: &str) -> Option<Preset> {
    PRESETS.iter().copied().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_is_named_after_its_file() {
        for p in PRESETS {
            let plan = Scenario::load(p.json).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(plan.scenario.name, p.name);
            let sentences = plan.scenario.explanation.matches(". ").count() + 1;
            assert_eq!(sentences, 2, "{}: the explanation is two sentences", p.name);
        }
    }
}
