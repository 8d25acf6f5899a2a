//! The event log's per-second lines: what the clients met in each simulated second that is too frequent
//! to log one by one (a throttled stream refuses thousands of records a second). Each line sums a
//! client's counters over the second, and a quiet second writes nothing.

use super::{Clients, Consumer, LogKind};
use crate::engine::time::SimTime;

/// The counters a second's lines are the differences of.
#[derive(Clone, Debug, Default)]
pub struct Summarised {
    /// Per producer: (throttled, retried, dropped).
    producers: Vec<(u64, u64, u64)>,
    /// Per consumer: (read_throttled, lease_moves, reprocessed, errors, discarded_batches).
    consumers: Vec<(u64, u64, u64, u64, u64)>,
}

impl Clients {
    /// Logs what happened in the second that ends at `at`.
    pub fn log_second(&mut self, at: SimTime) {
        let mut lines: Vec<(String, LogKind, String)> = Vec::new();
        let last = &mut self.summarised;
        last.producers.resize(self.producers.len(), Default::default());
        for (p, was) in self.producers.iter().zip(&mut last.producers) {
            let now = (p.stats.throttled, p.stats.retried, p.stats.dropped);
            let (throttled, retried, dropped) = (now.0 - was.0, now.1 - was.1, now.2 - was.2);
            *was = now;
            if throttled + retried + dropped > 0 {
                lines.push((
                    p.plan.spec.name.clone(),
                    LogKind::Throttling,
                    format!(
                        "{throttled} records throttled (ProvisionedThroughputExceededException), {retried} resent, {dropped} dropped after the last retry"
                    ),
                ));
            }
        }
        last.consumers.resize(self.consumers.len(), Default::default());
        for (c, was) in self.consumers.iter().zip(&mut last.consumers) {
            let s = c.stats();
            let now = (s.read_throttled, s.lease_moves, s.reprocessed, s.errors, s.discarded_batches);
            let name = c.name().to_string();
            if now.0 > was.0 {
                let text =
                    format!("{} GetRecords calls throttled (ProvisionedThroughputExceededException)", now.0 - was.0);
                lines.push((name.clone(), LogKind::Throttling, text));
            }
            if now.1 > was.1 {
                let text = format!(
                    "{} leases moved to another worker; {} records processed again",
                    now.1 - was.1,
                    now.2 - was.2
                );
                lines.push((name.clone(), LogKind::Leases, text));
            }
            if now.3 > was.3 || now.4 > was.4 {
                let bisect = matches!(c, Consumer::Lambda(l) if l.spec.bisect_on_error);
                let retry = if bisect { "the batch is bisected and retried" } else { "the batch is retried" };
                let text = format!(
                    "{} invocations failed ({retry}); {} batches given up to the on-failure destination",
                    now.3 - was.3,
                    now.4 - was.4
                );
                lines.push((name, LogKind::Lambda, text));
            }
            *was = now;
        }
        for (who, kind, text) in lines {
            self.note_kind(at, &who, kind, text);
        }
    }
}
