//! Partition-key strategies: which key (and so which shard) each record gets (spec kds.md §4.2, §5.1).
//!
//! A strategy is either a finite set of weighted keys (N uniform keys, a Zipf or hot-key skew, an explicit
//! mix, one key, a salted key, explicit hash keys) or a fresh random key per record (the Kinesis Agent's
//! `RANDOM` option). Per-record mode draws one key at a time; fast-forward needs only each shard's share
//! of the traffic, [`KeyPlan::shard_shares`], computed from the same keys and the same MD5 routing.

use super::faker::write_uuid;
use crate::engine::distributions::zipf_weights;
use crate::engine::kds::hashing::partition_key_hash;
use crate::engine::kds::ids::HashRange;
use crate::engine::rng::SimRng;
use serde::{Deserialize, Serialize};

/// 2^128, the size of the hash-key space (exact in an f64).
const HASH_SPACE: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0;

/// The most keys a finite strategy may have (each is hashed once when the scenario loads).
pub const KEYS_MAX: u32 = 1_000_000;

/// How a producer picks partition keys, as a scenario file writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyStrategy {
    /// `keys` keys (`{prefix}0` …), equally likely.
    Uniform { keys: u32, prefix: Option<String> },
    /// `keys` keys where the k-th most popular has weight 1/k^exponent.
    Zipf { keys: u32, exponent: f64, prefix: Option<String> },
    /// One hot key (`{prefix}0`) takes `hot_share` (0–1) of the records; the other keys share the rest.
    HotKey { keys: u32, hot_share: f64, prefix: Option<String> },
    /// An explicit mix of keys and weights (e.g. notification types).
    Weighted { keys: Vec<WeightedKey> },
    /// A fresh random UUID per record.
    Random,
    /// The same `partition_key` on every record, with an ExplicitHashKey chosen uniformly from `hash_keys`
    /// (decimal 128-bit integers), or — with `evenly` — from the midpoints of `evenly` equal hash ranges.
    ExplicitHash { partition_key: String, hash_keys: Option<Vec<String>>, evenly: Option<u32> },
    /// One key for everything (e.g. a Flink sink's default partition "0").
    Single { key: String },
    /// One key salted `{key}#0` … `{key}#{salts−1}`, equally likely.
    Salted { key: String, salts: u32 },
}

/// A key with its relative weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedKey {
    /// The partition key.
    pub key: String,
    /// Its relative weight (any non-negative scale).
    pub weight: f64,
}

/// A key drawn for one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawnKey {
    /// The PartitionKey.
    pub partition_key: String,
    /// The ExplicitHashKey, if the strategy sets one (decimal text, as the API takes it).
    pub explicit_hash_key: Option<String>,
}

/// A compiled strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyPlan {
    kind: PlanKind,
    /// The weighted mean key length, computed once: fast-forward asks for it every tick.
    mean_key_bytes: f64,
}

#[derive(Clone, Debug, PartialEq)]
enum PlanKind {
    /// Keys with their routing hash, explicit hash text and cumulative weight.
    Finite {
        keys: Vec<PlannedKey>,
        total: f64,
    },
    Random,
}

#[derive(Clone, Debug, PartialEq)]
struct PlannedKey {
    partition_key: String,
    explicit: Option<String>,
    hash: u128,
    weight: f64,
    cumulative: f64,
}

impl KeyStrategy {
    /// Checks the strategy and compiles it; the error names the offending field.
    pub fn plan(&self) -> Result<KeyPlan, (String, String)> {
        let count = |keys: u32| {
            if (1..=KEYS_MAX).contains(&keys) {
                Ok(keys)
            } else {
                Err(("keys".to_string(), format!("must be from 1 to {KEYS_MAX}, got {keys}")))
            }
        };
        let named = |prefix: &Option<String>, n: u32| -> Vec<String> {
            let prefix = prefix.as_deref().unwrap_or("key-");
            (0..n).map(|i| format!("{prefix}{i}")).collect()
        };
        let weighted: Vec<(String, Option<String>, f64)> = match self {
            KeyStrategy::Random => return Ok(KeyPlan { kind: PlanKind::Random, mean_key_bytes: 36.0 }),
            KeyStrategy::Uniform { keys, prefix } => {
                named(prefix, count(*keys)?).into_iter().map(|k| (k, None, 1.0)).collect()
            }
            KeyStrategy::Zipf { keys, exponent, prefix } => {
                if !(exponent.is_finite() && (0.0..=10.0).contains(exponent)) {
                    return Err(("exponent".into(), format!("must be from 0 to 10, got {exponent}")));
                }
                let weights = zipf_weights(count(*keys)? as usize, *exponent);
                named(prefix, *keys).into_iter().zip(weights).map(|(k, w)| (k, None, w)).collect()
            }
            KeyStrategy::HotKey { keys, hot_share, prefix } => {
                if !(hot_share.is_finite() && (0.0..=1.0).contains(hot_share)) {
                    return Err(("hot_share".into(), format!("must be a fraction from 0 to 1, got {hot_share}")));
                }
                let n = count(*keys)?;
                if n < 2 && *hot_share < 1.0 {
                    return Err(("keys".into(), "needs at least 2 keys unless hot_share is 1".into()));
                }
                let cold = if n > 1 { (1.0 - hot_share) / f64::from(n - 1) } else { 0.0 };
                let names = named(prefix, n);
                names.into_iter().enumerate().map(|(i, k)| (k, None, if i == 0 { *hot_share } else { cold })).collect()
            }
            KeyStrategy::Weighted { keys } => {
                if keys.is_empty() || keys.len() > KEYS_MAX as usize {
                    return Err(("keys".into(), format!("needs 1 to {KEYS_MAX} keys")));
                }
                for (i, k) in keys.iter().enumerate() {
                    check_key(&k.key).map_err(|m| (format!("keys[{i}].key"), m))?;
                    if !(k.weight.is_finite() && k.weight >= 0.0) {
                        return Err((
                            format!("keys[{i}].weight"),
                            format!("must be a non-negative number, got {}", k.weight),
                        ));
                    }
                }
                keys.iter().map(|k| (k.key.clone(), None, k.weight)).collect()
            }
            KeyStrategy::ExplicitHash { partition_key, hash_keys, evenly } => {
                check_key(partition_key).map_err(|m| ("partition_key".to_string(), m))?;
                let texts = explicit_hash_keys(hash_keys.as_deref(), *evenly)?;
                texts.into_iter().map(|h| (partition_key.clone(), Some(h), 1.0)).collect()
            }
            KeyStrategy::Single { key } => {
                check_key(key).map_err(|m| ("key".to_string(), m))?;
                vec![(key.clone(), None, 1.0)]
            }
            KeyStrategy::Salted { key, salts } => {
                check_key(&format!("{key}#{}", salts.saturating_sub(1))).map_err(|m| ("key".to_string(), m))?;
                let n = count(*salts).map_err(|(_, m)| ("salts".to_string(), m))?;
                (0..n).map(|i| (format!("{key}#{i}"), None, 1.0)).collect()
            }
        };
        if let Some(prefix) = match self {
            KeyStrategy::Uniform { prefix, .. }
            | KeyStrategy::Zipf { prefix, .. }
            | KeyStrategy::HotKey { prefix, .. } => prefix.as_deref(),
            _ => None,
        } {
            check_key(&format!("{prefix}{}", weighted.len())).map_err(|m| ("prefix".to_string(), m))?;
        }
        let total: f64 = weighted.iter().map(|w| w.2).sum();
        if total <= 0.0 {
            return Err(("keys".into(), "at least one key needs a positive weight".into()));
        }
        let mut cumulative = 0.0;
        let keys: Vec<PlannedKey> = weighted
            .into_iter()
            .map(|(partition_key, explicit, weight)| {
                cumulative += weight;
                let hash = match &explicit {
                    Some(text) => text.parse().expect("validated by explicit_hash_keys"),
                    None => partition_key_hash(&partition_key).0,
                };
                PlannedKey { partition_key, explicit, hash, weight, cumulative }
            })
            .collect();
        let mean_key_bytes = keys.iter().map(|k| k.partition_key.len() as f64 * k.weight / total).sum();
        Ok(KeyPlan { kind: PlanKind::Finite { keys, total }, mean_key_bytes })
    }
}

impl KeyPlan {
    /// Draws the key for one record.
    pub fn draw(&self, rng: &mut SimRng) -> DrawnKey {
        match &self.kind {
            PlanKind::Random => DrawnKey { partition_key: uuid(rng), explicit_hash_key: None },
            PlanKind::Finite { keys, total } => {
                let k = &keys[self.index(rng, keys, *total)];
                DrawnKey { partition_key: k.partition_key.clone(), explicit_hash_key: k.explicit.clone() }
            }
        }
    }

    fn index(&self, rng: &mut SimRng, keys: &[PlannedKey], total: f64) -> usize {
        if keys.len() == 1 {
            return 0;
        }
        let x = rng.unit_f64() * total;
        keys.partition_point(|k| k.cumulative <= x).min(keys.len() - 1)
    }

    /// Each shard's share of the traffic: `ranges` are the open shards' hash ranges (in any order, tiling
    /// the hash space); the result is one share per range, summing to 1.
    pub fn shard_shares(&self, ranges: &[HashRange]) -> Vec<f64> {
        match &self.kind {
            PlanKind::Random => ranges.iter().map(|r| ((r.end.0 - r.start.0) as f64 + 1.0) / HASH_SPACE).collect(),
            PlanKind::Finite { keys, total } => {
                let mut by_start: Vec<usize> = (0..ranges.len()).collect();
                by_start.sort_by_key(|&i| ranges[i].start);
                let mut shares = vec![0.0; ranges.len()];
                for k in keys {
                    let after = by_start.partition_point(|&i| ranges[i].start.0 <= k.hash);
                    if let Some(&i) = after.checked_sub(1).map(|j| &by_start[j]) {
                        shares[i] += k.weight / total;
                    }
                }
                shares
            }
        }
    }

    /// The largest share any single key has (1 for a single key; 0 for random keys).
    pub fn hottest_key_share(&self) -> f64 {
        match &self.kind {
            PlanKind::Random => 0.0,
            PlanKind::Finite { keys, total } => keys.iter().map(|k| k.weight / total).fold(0.0, f64::max),
        }
    }

    /// How many distinct keys it draws from (`None`: a fresh key per record).
    pub fn key_count(&self) -> Option<usize> {
        match &self.kind {
            PlanKind::Random => None,
            PlanKind::Finite { keys, .. } => Some(keys.len()),
        }
    }

    /// The mean UTF-8 length of a partition key (it counts toward every size limit).
    pub fn mean_key_bytes(&self) -> f64 {
        self.mean_key_bytes
    }
}

fn check_key(key: &str) -> Result<(), String> {
    let n = key.chars().count();
    if (1..=256).contains(&n) {
        Ok(())
    } else {
        Err(format!("a partition key is 1 to 256 Unicode characters; this one has {n}"))
    }
}

fn explicit_hash_keys(given: Option<&[String]>, evenly: Option<u32>) -> Result<Vec<String>, (String, String)> {
    match (given, evenly) {
        (Some(list), None) if !list.is_empty() => {
            for (i, text) in list.iter().enumerate() {
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.parse::<u128>().is_err() {
                    return Err((format!("hash_keys[{i}]"), "must be a decimal integer from 0 to 2^128 − 1".into()));
                }
            }
            Ok(list.to_vec())
        }
        (None, Some(n)) if (1..=KEYS_MAX).contains(&n) => {
            let step = u128::MAX / u128::from(n);
            Ok((0..u128::from(n)).map(|i| (i * step + step / 2).to_string()).collect())
        }
        _ => Err(("hash_keys".into(), "give either a non-empty hash_keys list or evenly (1 to 1,000,000)".into())),
    }
}

fn uuid(rng: &mut SimRng) -> String {
    let mut s = String::with_capacity(36);
    write_uuid(rng, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    fn even(n: u32) -> Vec<HashRange> {
        crate::engine::kds::hashing::even_ranges(n)
    }

    #[test]
    fn the_hot_key_preset_lands_where_the_spec_computes() {
        // Spec §6 P4: Weather 70 %, Traffic 20 %, Crime 8 %, Events 2 % over 4 shards.
        let keys = [("Weather", 70.0), ("Traffic", 20.0), ("Crime", 8.0), ("Events", 2.0)]
            .map(|(k, w)| WeightedKey { key: k.into(), weight: w })
            .to_vec();
        let plan = KeyStrategy::Weighted { keys }.plan().expect("valid");
        let shares = plan.shard_shares(&even(4));
        let rounded: Vec<f64> = shares.iter().map(|s| (s * 100.0).round()).collect();
        assert_eq!(rounded, [70.0, 0.0, 2.0, 28.0]);
        assert_eq!(plan.hottest_key_share(), 0.7);
    }

    #[test]
    fn draws_follow_the_weights() {
        let plan = KeyStrategy::HotKey { keys: 10, hot_share: 0.5, prefix: None }.plan().expect("valid");
        let mut rng = SimRng::new(Seed(3));
        let hot = (0..10_000).filter(|_| plan.draw(&mut rng).partition_key == "key-0").count();
        assert!((4_800..5_200).contains(&hot), "{hot}");
        let zipf = KeyStrategy::Zipf { keys: 100, exponent: 1.0, prefix: Some("user".into()) }.plan().expect("valid");
        let top = (0..10_000).filter(|_| zipf.draw(&mut rng).partition_key == "user0").count();
        // 1 / H(100) ≈ 19.3 % of the draws.
        assert!((1_750..2_100).contains(&top), "{top}");
    }

    #[test]
    fn random_keys_are_fresh_uuids_spread_over_the_hash_space() {
        let plan = KeyStrategy::Random.plan().expect("valid");
        let mut rng = SimRng::new(Seed(1));
        let (a, b) = (plan.draw(&mut rng), plan.draw(&mut rng));
        assert_ne!(a, b);
        assert_eq!(a.partition_key.len(), 36);
        let shares = plan.shard_shares(&even(4));
        assert!(shares.iter().all(|s| (s - 0.25).abs() < 1e-12), "{shares:?}");
        assert_eq!(plan.hottest_key_share(), 0.0);
    }

    #[test]
    fn explicit_hash_keys_route_by_hash_not_by_key() {
        let plan = KeyStrategy::ExplicitHash { partition_key: "pk".into(), hash_keys: None, evenly: Some(4) }
            .plan()
            .expect("valid");
        assert_eq!(plan.shard_shares(&even(4)), [0.25; 4]);
        let drawn = plan.draw(&mut SimRng::new(Seed(2)));
        assert_eq!(drawn.partition_key, "pk");
        assert!(drawn.explicit_hash_key.is_some());
        let single = KeyStrategy::Single { key: "0".into() }.plan().expect("valid");
        assert_eq!(single.shard_shares(&even(2)).iter().filter(|s| **s == 1.0).count(), 1);
    }

    #[test]
    fn salting_spreads_one_key() {
        let plan = KeyStrategy::Salted { key: "Weather".into(), salts: 16 }.plan().expect("valid");
        let shares = plan.shard_shares(&even(4));
        assert!(shares.iter().all(|s| *s > 0.0), "16 salts reach all 4 shards: {shares:?}");
        assert!((plan.hottest_key_share() - 1.0 / 16.0).abs() < 1e-12);
    }

    #[test]
    fn bad_strategies_name_their_field() {
        let err = |s: KeyStrategy| s.plan().expect_err("invalid").0;
        assert_eq!(err(KeyStrategy::Uniform { keys: 0, prefix: None }), "keys");
        assert_eq!(err(KeyStrategy::HotKey { keys: 5, hot_share: 1.5, prefix: None }), "hot_share");
        assert_eq!(err(KeyStrategy::Single { key: String::new() }), "key");
        assert_eq!(err(KeyStrategy::Single { key: "k".repeat(257) }), "key");
        let bad = vec![WeightedKey { key: "a".into(), weight: -1.0 }];
        assert_eq!(err(KeyStrategy::Weighted { keys: bad }), "keys[0].weight");
        let hk =
            KeyStrategy::ExplicitHash { partition_key: "p".into(), hash_keys: Some(vec!["12x".into()]), evenly: None };
        assert_eq!(err(hk), "hash_keys[0]");
        let both = KeyStrategy::ExplicitHash { partition_key: "p".into(), hash_keys: None, evenly: None };
        assert_eq!(err(both), "hash_keys");
        assert_eq!(err(KeyStrategy::Uniform { keys: 3, prefix: Some("p".repeat(256)) }), "prefix");
    }
}
