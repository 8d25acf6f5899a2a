//! The planner's answer as text for people: each term, the answer, the checks, the cost.

use super::check::{Check, CheckRun};
use super::sizing::{Design, Sizing};
use std::fmt::Write;

/// The report `kinesis-lab plan` prints.
pub fn text(d: &Design, s: &Sizing, check: Option<&Check>) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "Design: {} records/s of {} B (data + key){}, {} polling consumer(s) at {} call(s)/s per shard, {} enhanced fan-out",
        s_num(d.records_per_second),
        d.record_bytes,
        if d.kpl { ", KPL aggregation" } else { "" },
        d.polling_consumers,
        s_num(d.polls_per_second),
        d.efo_consumers,
    );
    let f = &s.seed_formula;
    let _ = writeln!(
        w,
        "Seed formula: {} KiB × {} rec/s = {} KiB/s in, {} KiB/s out → {} shard(s)",
        f.average_data_size_in_kib,
        s_num(d.records_per_second),
        s_num(f.incoming_write_bandwidth_in_kib),
        s_num(f.outgoing_read_bandwidth_in_kib),
        f.number_of_shards
    );
    let t = &s.terms;
    let _ = writeln!(w, "Complete estimator, in shards:");
    let _ = writeln!(w, "  write bytes   {:>10.3}  ({} B/s / 1 MiB)", t.write_bytes, s_num(s.write_bytes_per_second));
    let _ = writeln!(
        w,
        "  write records {:>10.3}  ({} Kinesis records/s / 1,000)",
        t.write_records,
        s_num(s.kinesis_records_per_second)
    );
    let _ =
        writeln!(w, "  read bytes    {:>10.3}  (write bytes × {} polling / 2 MiB)", t.read_bytes, d.polling_consumers);
    let _ = writeln!(
        w,
        "  read calls    {:>10.3}  ({} polling × {} calls/s / 5)",
        t.read_calls,
        d.polling_consumers,
        s_num(d.polls_per_second)
    );
    let _ = writeln!(
        w,
        "Answer: {} shard(s) — {:.3} by {}, headroom {}",
        s.shards,
        s.shards_exact,
        s.binding,
        s_num(s.headroom)
    );
    if let Some(skew) = &s.skew {
        let _ = writeln!(w, "Hot key: {}", skew.note);
    }
    if let Some(plan) = &s.scaling {
        let steps: Vec<String> = plan.steps.iter().map(u32::to_string).collect();
        let path = if steps.is_empty() { "no change".to_string() } else { steps.join(" → ") };
        let _ = writeln!(w, "Scaling from {}: UpdateShardCount {path}; {}", plan.from, plan.note);
    }
    let c = &s.monthly_cost;
    let _ = writeln!(
        w,
        "Monthly cost at the peak rate (730 h): ${:.2} = shards ${:.2} + PUT units ${:.2} + retention ${:.2} + fan-out ${:.2}",
        c.total, c.capacity, c.data, c.retention, c.fan_out
    );
    if let Some(check) = check {
        let _ = writeln!(w, "Check by simulation:");
        run_line(w, &check.at_answer);
        if let Some(fewer) = &check.one_fewer {
            run_line(w, fewer);
        }
        let _ = writeln!(w, "  {}", check.note);
    }
    out
}

fn run_line(w: &mut String, r: &CheckRun) {
    let _ = writeln!(
        w,
        "  {:>4} shards: {} throttled write attempts, {} dropped of {} records, {} throttled reads, iterator age max {} ms, ends {} ms behind → {}",
        r.shards,
        r.throttled_records,
        r.dropped_records,
        r.records,
        r.throttled_reads,
        r.max_iterator_age_ms,
        r.behind_ms_end,
        if r.keeps_up { "keeps up" } else { "does not keep up" }
    );
}

/// A number without a trailing ".0".
fn s_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
    }
}
