//! Record-size distributions: how many data bytes each record carries (the partition key adds its own).
//!
//! Per-record mode draws one size per record. Fast-forward sends a tick's records to a shard as a few
//! runs of equal-sized records, so every distribution also has a class form, [`SizeDist::classes`]:
//! at most [`CLASSES_MAX`] sizes with probabilities (equal-probability bins for the continuous ones).

use crate::engine::distributions::standard_normal;
use crate::engine::kds::limits::MIB;
use crate::engine::rng::SimRng;
use serde::{Deserialize, Serialize};

/// The most size classes fast-forward splits a tick's records into.
pub const CLASSES_MAX: usize = 8;

/// A size distribution, as a scenario file writes it (data bytes per record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SizeDist {
    /// Every record the same size.
    Fixed { bytes: u32 },
    /// Uniform between the bounds, inclusive.
    Uniform { min_bytes: u32, max_bytes: u32 },
    /// Normal, rounded and clamped to `[min_bytes, max_bytes]`.
    Normal { mean_bytes: f64, stddev_bytes: f64, min_bytes: u32, max_bytes: u32 },
    /// An explicit histogram of sizes and relative weights.
    Classes { classes: Vec<SizeClass> },
}

/// One size with its relative weight.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeClass {
    /// Data bytes.
    pub bytes: u32,
    /// Relative weight (any non-negative scale).
    pub weight: f64,
}

/// Equal-probability bin midpoints of the standard normal, Φ⁻¹((2i+1)/16) for i = 0…7.
const NORMAL_OCTILE_MIDPOINTS: [f64; 8] =
    [-1.534_120_5, -0.887_146_6, -0.488_776_4, -0.157_310_7, 0.157_310_7, 0.488_776_4, 0.887_146_6, 1.534_120_5];

impl SizeDist {
    /// Checks the numbers; the error names the offending field.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bytes = |field: &str, v: u32| {
            if u64::from(v) <= MIB {
                Ok(())
            } else {
                Err((field.to_string(), format!("must be from 0 to 1,048,576 bytes (1 MiB), got {v}")))
            }
        };
        match self {
            SizeDist::Fixed { bytes: b } => bytes("bytes", *b),
            SizeDist::Uniform { min_bytes, max_bytes } | SizeDist::Normal { min_bytes, max_bytes, .. } => {
                bytes("min_bytes", *min_bytes)?;
                bytes("max_bytes", *max_bytes)?;
                if min_bytes > max_bytes {
                    return Err(("max_bytes".into(), "must be at least min_bytes".into()));
                }
                if let SizeDist::Normal { mean_bytes, stddev_bytes, .. } = self {
                    if !(mean_bytes.is_finite() && *mean_bytes >= 0.0) {
                        return Err(("mean_bytes".into(), format!("must be a non-negative number, got {mean_bytes}")));
                    }
                    if !(stddev_bytes.is_finite() && *stddev_bytes >= 0.0) {
                        return Err((
                            "stddev_bytes".into(),
                            format!("must be a non-negative number, got {stddev_bytes}"),
                        ));
                    }
                }
                Ok(())
            }
            SizeDist::Classes { classes } => {
                if classes.is_empty() || classes.len() > 32 {
                    return Err(("classes".into(), "needs 1 to 32 classes".into()));
                }
                for (i, c) in classes.iter().enumerate() {
                    bytes(&format!("classes[{i}].bytes"), c.bytes)?;
                    if !(c.weight.is_finite() && c.weight >= 0.0) {
                        return Err((
                            format!("classes[{i}].weight"),
                            format!("must be a non-negative number, got {}", c.weight),
                        ));
                    }
                }
                if classes.iter().all(|c| c.weight == 0.0) {
                    return Err(("classes".into(), "at least one class needs a positive weight".into()));
                }
                Ok(())
            }
        }
    }

    /// Draws one record's data size.
    pub fn draw(&self, rng: &mut SimRng) -> u32 {
        match self {
            SizeDist::Fixed { bytes } => *bytes,
            SizeDist::Uniform { min_bytes, max_bytes } => {
                rng.range_inclusive(u64::from(*min_bytes), u64::from(*max_bytes)) as u32
            }
            SizeDist::Normal { mean_bytes, stddev_bytes, min_bytes, max_bytes } => {
                let x = mean_bytes + stddev_bytes * standard_normal(rng);
                clamp_round(x, *min_bytes, *max_bytes)
            }
            SizeDist::Classes { classes } => {
                let total: f64 = classes.iter().map(|c| c.weight).sum();
                let mut x = rng.unit_f64() * total;
                for c in classes {
                    if x < c.weight {
                        return c.bytes;
                    }
                    x -= c.weight;
                }
                classes.iter().rev().find(|c| c.weight > 0.0).map_or(0, |c| c.bytes)
            }
        }
    }

    /// The distribution as at most [`CLASSES_MAX`] (bytes, probability) classes, probabilities summing to 1.
    pub fn classes(&self) -> Vec<(u32, f64)> {
        match self {
            SizeDist::Fixed { bytes } => vec![(*bytes, 1.0)],
            SizeDist::Uniform { min_bytes, max_bytes } => {
                let (lo, hi) = (f64::from(*min_bytes), f64::from(*max_bytes) + 1.0);
                let n = (max_bytes - min_bytes + 1).min(CLASSES_MAX as u32);
                let width = (hi - lo) / f64::from(n);
                merge((0..n).map(|i| (libm::floor(lo + width * (f64::from(i) + 0.5)) as u32, 1.0 / f64::from(n))))
            }
            SizeDist::Normal { mean_bytes, stddev_bytes, min_bytes, max_bytes } => merge(
                NORMAL_OCTILE_MIDPOINTS
                    .iter()
                    .map(|z| (clamp_round(mean_bytes + stddev_bytes * z, *min_bytes, *max_bytes), 1.0 / 8.0)),
            ),
            SizeDist::Classes { classes } => {
                let total: f64 = classes.iter().map(|c| c.weight).sum();
                let mut sorted: Vec<(u32, f64)> =
                    classes.iter().filter(|c| c.weight > 0.0).map(|c| (c.bytes, c.weight / total)).collect();
                sorted.sort_by_key(|c| c.0);
                coarsen(merge(sorted.into_iter()))
            }
        }
    }

    /// The mean data size in bytes.
    pub fn mean(&self) -> f64 {
        self.classes().iter().map(|(b, p)| f64::from(*b) * p).sum()
    }
}

/// Classes from a sample of observed sizes (e.g. rendered template bodies): equal-count bins, each at its mean.
pub fn classes_from_sample(mut sizes: Vec<u32>) -> Vec<(u32, f64)> {
    if sizes.is_empty() {
        return vec![(0, 1.0)];
    }
    sizes.sort_unstable();
    let n = sizes.len();
    let bins = n.min(CLASSES_MAX);
    merge((0..bins).map(|b| {
        let bin = &sizes[b * n / bins..(b + 1) * n / bins];
        let mean = bin.iter().map(|s| u64::from(*s)).sum::<u64>() as f64 / bin.len() as f64;
        (libm::round(mean) as u32, bin.len() as f64 / n as f64)
    }))
}

fn clamp_round(x: f64, lo: u32, hi: u32) -> u32 {
    libm::round(x).clamp(f64::from(lo), f64::from(hi)) as u32
}

/// Sums the probabilities of equal sizes (the input is sorted by size).
fn merge(classes: impl Iterator<Item = (u32, f64)>) -> Vec<(u32, f64)> {
    let mut out: Vec<(u32, f64)> = Vec::new();
    for (bytes, p) in classes {
        match out.last_mut() {
            Some(last) if last.0 == bytes => last.1 += p,
            _ => out.push((bytes, p)),
        }
    }
    out
}

/// Folds a sorted histogram into at most [`CLASSES_MAX`] classes of roughly equal probability, each at
/// its probability-weighted mean size.
fn coarsen(classes: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
    if classes.len() <= CLASSES_MAX {
        return classes;
    }
    let mut out = Vec::with_capacity(CLASSES_MAX);
    let (mut mass, mut weighted, mut done) = (0.0, 0.0, 0.0);
    for (i, (bytes, p)) in classes.iter().enumerate() {
        mass += p;
        weighted += f64::from(*bytes) * p;
        let target = (out.len() + 1) as f64 / CLASSES_MAX as f64;
        if done + mass >= target - 1e-12 || i + 1 == classes.len() {
            out.push((libm::round(weighted / mass) as u32, mass));
            done += mass;
            (mass, weighted) = (0.0, 0.0);
        }
    }
    merge(out.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    #[test]
    fn draws_stay_in_range_and_match_the_class_mean() {
        let dists = [
            SizeDist::Fixed { bytes: 1_024 },
            SizeDist::Uniform { min_bytes: 100, max_bytes: 300 },
            SizeDist::Normal { mean_bytes: 1_000.0, stddev_bytes: 200.0, min_bytes: 1, max_bytes: 10_000 },
            SizeDist::Classes {
                classes: vec![SizeClass { bytes: 10, weight: 3.0 }, SizeClass { bytes: 50_000, weight: 1.0 }],
            },
        ];
        let mut rng = SimRng::new(Seed(6));
        for d in dists {
            d.validate().expect("valid");
            let draws: Vec<u32> = (0..20_000).map(|_| d.draw(&mut rng)).collect();
            let mean = draws.iter().map(|b| f64::from(*b)).sum::<f64>() / draws.len() as f64;
            let classes = d.classes();
            assert!(classes.len() <= CLASSES_MAX);
            assert!((classes.iter().map(|c| c.1).sum::<f64>() - 1.0).abs() < 1e-9);
            assert!((mean - d.mean()).abs() <= 0.02 * d.mean() + 1.0, "{d:?}: drawn {mean} vs classes {}", d.mean());
        }
    }

    #[test]
    fn classes_are_exact_for_small_supports() {
        assert_eq!(SizeDist::Uniform { min_bytes: 5, max_bytes: 6 }.classes(), [(5, 0.5), (6, 0.5)]);
        assert_eq!(SizeDist::Fixed { bytes: 7 }.classes(), [(7, 1.0)]);
        let wide = SizeDist::Uniform { min_bytes: 0, max_bytes: 799 }.classes();
        assert_eq!(wide.iter().map(|c| c.0).collect::<Vec<_>>(), [50, 150, 250, 350, 450, 550, 650, 750]);
    }

    #[test]
    fn many_classes_fold_into_eight_keeping_the_mean() {
        let classes: Vec<SizeClass> = (1..=20).map(|i| SizeClass { bytes: i * 100, weight: 1.0 }).collect();
        let d = SizeDist::Classes { classes };
        let folded = d.classes();
        assert!(folded.len() <= CLASSES_MAX, "{folded:?}");
        assert!((d.mean() - 1_050.0).abs() < 10.0, "{}", d.mean());
    }

    #[test]
    fn samples_become_equal_count_bins() {
        let sample: Vec<u32> = (0..80).map(|i| 100 + i).collect();
        let classes = classes_from_sample(sample);
        assert_eq!(classes.len(), 8);
        assert!(classes.iter().all(|c| (c.1 - 0.125).abs() < 1e-12));
        assert_eq!(classes[0].0, 105);
    }

    #[test]
    fn bad_distributions_name_their_field() {
        let err = |d: SizeDist| d.validate().expect_err("invalid").0;
        assert_eq!(err(SizeDist::Fixed { bytes: 2 * 1_048_576 }), "bytes");
        assert_eq!(err(SizeDist::Uniform { min_bytes: 5, max_bytes: 4 }), "max_bytes");
        assert_eq!(
            err(SizeDist::Normal { mean_bytes: -1.0, stddev_bytes: 1.0, min_bytes: 0, max_bytes: 9 }),
            "mean_bytes"
        );
        assert_eq!(err(SizeDist::Classes { classes: vec![] }), "classes");
        assert_eq!(
            err(SizeDist::Classes { classes: vec![SizeClass { bytes: 1, weight: f64::INFINITY }] }),
            "classes[0].weight"
        );
    }
}
