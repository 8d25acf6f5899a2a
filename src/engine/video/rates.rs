//! Control-plane call rates (per account and per resource), shared by the signaling and stream services:
//! a call is refused unless every bucket it draws on has a token, and then it takes one from each.

use super::error::{VideoError, VideoResult};
use crate::engine::kds::bucket::TokenBucket;
use crate::engine::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// One token bucket per (action, resource); the account-wide bucket has an empty resource.
#[derive(Debug, Default)]
pub struct ControlRates {
    buckets: BTreeMap<(&'static str, String), TokenBucket>,
}

impl ControlRates {
    /// Takes one call of `action` from its account bucket (`account` per second, when limited) and from the
    /// bucket of one resource (`(per second, "per channel" | "per stream", resource)`, when limited). A refusal
    /// takes nothing.
    pub fn take(
        &mut self,
        now: SimTime,
        action: &'static str,
        account: Option<u64>,
        per_resource: Option<(u64, &'static str, String)>,
    ) -> VideoResult<()> {
        let mut keys = Vec::new();
        if let Some(rate) = account {
            keys.push(((action, String::new()), rate, "per account"));
        }
        if let Some((rate, scope, resource)) = per_resource {
            keys.push(((action, resource), rate, scope));
        }
        let second = SimDuration::from_secs(1);
        for (key, rate, scope) in &keys {
            let bucket = self.buckets.entry(key.clone()).or_insert_with(|| TokenBucket::full(*rate, second, now));
            if !bucket.has(1, now) {
                return Err(VideoError::throttled(&format!("{action} {scope}"), *rate));
            }
        }
        for (key, _, _) in &keys {
            self.buckets.get_mut(key).expect("created above").take_refilled(1);
        }
        Ok(())
    }
}
