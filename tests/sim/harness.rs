//! Shared helpers for the simulation tests.

use kinesis_lab::engine::rng::Seed;

/// The seed a test runs with: `KLAB_SEED` when set (to replay a failure), else `default`.
/// Tests print it on failure so any run can be reproduced.
pub fn seed(default: u64) -> Seed {
    let seed = std::env::var("KLAB_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    Seed(seed)
}
