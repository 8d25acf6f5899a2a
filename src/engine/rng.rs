//! The engine's only source of randomness: a seeded xoshiro256++ generator.
//!
//! Every random choice in a run (a partition key, a jittered backoff, a poison record) is drawn from a
//! `SimRng` that descends from the run's one `Seed`, so the same seed gives the same trace, natively and
//! in wasm. Subsystems do not share a stream: each takes `fork(label)`, whose seed is derived from the
//! parent's *seed* and the label, never from how much the parent has drawn. Adding draws to one
//! subsystem therefore cannot shift another's choices.
//!
//! The algorithm is named (xoshiro256++, from `rand_xoshiro`) rather than "whatever `rand` picks", so a
//! recorded seed replays the same way after dependency upgrades. Probabilities are integer ratios;
//! floats appear only where a distribution needs them, never in comparisons that decide control flow.

use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The number a run is replayed from; shown in the UI, carried in the URL, printed by failing tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seed(pub u64);

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A probability as an exact fraction `num / den`, with `num <= den` and `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    num: u64,
    den: u64,
}

impl Ratio {
    /// Certain failure: never true.
    pub const NEVER: Ratio = Ratio { num: 0, den: 1 };
    /// Certain success: always true.
    pub const ALWAYS: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`, or `None` when `den` is zero or `num > den` (not a probability).
    pub const fn new(num: u64, den: u64) -> Option<Ratio> {
        if den == 0 || num > den {
            return None;
        }
        Some(Ratio { num, den })
    }

    /// A probability in basis points (1/10,000), or `None` above 10,000.
    pub const fn from_basis_points(bp: u64) -> Option<Ratio> {
        Ratio::new(bp, 10_000)
    }
}

/// A deterministic random stream derived from a seed.
#[derive(Clone, Debug)]
pub struct SimRng {
    seed: Seed,
    inner: Xoshiro256PlusPlus,
}

impl SimRng {
    /// The root stream of a run.
    pub fn new(seed: Seed) -> Self {
        SimRng { seed, inner: Xoshiro256PlusPlus::seed_from_u64(seed.0) }
    }

    /// The seed this stream started from.
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// An independent child stream for the subsystem called `label`.
    ///
    /// The child depends only on this stream's seed and the label: forking the same label twice gives
    /// the same child, and draws on the parent do not change it.
    pub fn fork(&self, label: &str) -> SimRng {
        SimRng::new(Seed(splitmix64(self.seed.0 ^ fnv1a64(label.as_bytes()))))
    }

    /// The next 64 uniformly random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform integer in `0..n`; `n` must be positive.
    ///
    /// Lemire's multiply-and-reject method: exact (no modulo bias) and usually one draw.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "SimRng::below(0): callers validate ranges before drawing");
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// A uniform integer in `lo..=hi`; `lo <= hi`.
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "SimRng::range_inclusive({lo}, {hi}): callers validate ranges before drawing");
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(), // the whole u64 range
        }
    }

    /// True with probability `ratio`.
    pub fn chance(&mut self, ratio: Ratio) -> bool {
        self.below(ratio.den) < ratio.num
    }

    /// A uniform float in `[0, 1)` with 53 random bits, for distributions (Zipf, exponential) only.
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// FNV-1a over bytes: a stable, dependency-free label hash (std's hashers are not stable across releases).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// SplitMix64's finaliser: spreads the combined seed so nearby seeds give unrelated children.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(rng: &mut SimRng, n: usize) -> Vec<u64> {
        (0..n).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (SimRng::new(Seed(42)), SimRng::new(Seed(42)));
        assert_eq!(draws(&mut a, 64), draws(&mut b, 64));
        assert_ne!(draws(&mut SimRng::new(Seed(42)), 8), draws(&mut SimRng::new(Seed(43)), 8));
    }

    #[test]
    fn the_algorithm_is_pinned() {
        // If this fails, recorded seeds no longer replay: the PRNG or its seeding changed.
        let got = draws(&mut SimRng::new(Seed(1)), 3);
        assert_eq!(got, PINNED_SEED1_DRAWS, "xoshiro256++ seeded with 1 changed: {got:?}");
    }

    /// xoshiro256++ with its state filled by SplitMix64 from the seed (rand_xoshiro's `seed_from_u64`),
    /// computed independently from the published reference algorithms.
    const PINNED_SEED1_DRAWS: [u64; 3] =
        [14_971_601_782_005_023_387, 13_781_649_495_232_077_965, 1_847_458_086_238_483_744];

    #[test]
    fn forks_ignore_parent_draws_and_differ_by_label() {
        let mut parent = SimRng::new(Seed(7));
        let before = draws(&mut parent.fork("kds"), 16);
        draws(&mut parent, 100);
        assert_eq!(draws(&mut parent.fork("kds"), 16), before);
        assert_ne!(draws(&mut parent.fork("firehose"), 16), before);
        assert_ne!(draws(&mut parent.fork("kds"), 16), draws(&mut SimRng::new(Seed(7)), 16));
        assert_eq!(parent.fork("kds").seed(), SimRng::new(Seed(7)).fork("kds").seed());
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SimRng::new(Seed(3));
        let mut seen = [0u32; 6];
        for _ in 0..6_000 {
            let v = rng.below(6);
            seen[v as usize] += 1;
        }
        // Each face expects 1,000; a fair die lands within ±200 with overwhelming probability.
        assert!(seen.iter().all(|&n| (800..1_200).contains(&n)), "{seen:?}");
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn range_inclusive_handles_the_full_width() {
        let mut rng = SimRng::new(Seed(9));
        for _ in 0..1_000 {
            let v = rng.range_inclusive(10, 12);
            assert!((10..=12).contains(&v));
        }
        assert_eq!(rng.range_inclusive(5, 5), 5);
        let _any = rng.range_inclusive(0, u64::MAX);
    }

    #[test]
    fn chance_respects_its_ratio() {
        let mut rng = SimRng::new(Seed(11));
        assert!((0..1_000).all(|_| rng.chance(Ratio::ALWAYS)));
        assert!((0..1_000).all(|_| !rng.chance(Ratio::NEVER)));
        let quarter = Ratio::new(1, 4).expect("valid ratio");
        let hits = (0..10_000).filter(|_| rng.chance(quarter)).count();
        assert!((2_250..2_750).contains(&hits), "{hits}");
    }

    #[test]
    fn ratios_reject_non_probabilities() {
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(Ratio::new(3, 2), None);
        assert_eq!(Ratio::from_basis_points(10_001), None);
        assert_eq!(Ratio::from_basis_points(2_500), Ratio::new(2_500, 10_000));
    }

    #[test]
    fn unit_f64_is_in_the_half_open_interval() {
        let mut rng = SimRng::new(Seed(5));
        let xs: Vec<f64> = (0..1_000).map(|_| rng.unit_f64()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((0.45..0.55).contains(&mean), "{mean}");
    }
}
