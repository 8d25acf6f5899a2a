//! The event log as the page keeps and filters it.
//!
//! Per-second throttling lines can come every second for a whole run; kept in one list they would push
//! out the few lines that matter most (a reshard, its refusal). So the page keeps the newest lines of
//! each kind separately.

use crate::engine::clients::{LogKind, LogLine};

/// Appends `new` lines to `log` and keeps at most `per_kind` of each kind, oldest dropped first.
pub fn append(log: &mut Vec<LogLine>, new: &[LogLine], per_kind: usize) {
    log.extend(new.iter().cloned());
    let mut seen = [0usize; 4];
    let mut keep = vec![false; log.len()];
    for (i, line) in log.iter().enumerate().rev() {
        let n = &mut seen[slot(line.kind)];
        *n += 1;
        keep[i] = *n <= per_kind;
    }
    let mut i = 0;
    log.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// The lines of `kind` (all of them with `None`), newest first, at most `max`.
pub fn newest(log: &[LogLine], kind: Option<LogKind>, max: usize) -> Vec<&LogLine> {
    log.iter().rev().filter(|l| kind.is_none_or(|k| l.kind == k)).take(max).collect()
}

/// True for a line that reports a refusal (an AWS exception or a throttled second).
pub fn refused(line: &LogLine) -> bool {
    line.kind == LogKind::Throttling || line.text.contains("Exception")
}

fn slot(kind: LogKind) -> usize {
    match kind {
        LogKind::Action => 0,
        LogKind::Throttling => 1,
        LogKind::Leases => 2,
        LogKind::Lambda => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimTime;

    fn line(s: u64, kind: LogKind) -> LogLine {
        LogLine { at: SimTime::from_secs(s), who: "p".into(), text: format!("t{s}"), kind }
    }

    #[test]
    fn a_flood_of_throttling_lines_keeps_the_actions() {
        let mut log = vec![line(0, LogKind::Action)];
        let flood: Vec<LogLine> = (1..=50).map(|s| line(s, LogKind::Throttling)).collect();
        append(&mut log, &flood, 10);
        assert_eq!(log.len(), 11);
        assert_eq!(log[0].kind, LogKind::Action, "the old action survives the flood");
        assert_eq!(log[1].at, SimTime::from_secs(41), "the newest ten throttling lines, in order");
        let shown = newest(&log, Some(LogKind::Throttling), 3);
        assert_eq!(shown.iter().map(|l| l.at.as_millis() / 1_000).collect::<Vec<_>>(), [50, 49, 48]);
        assert_eq!(newest(&log, None, 100).len(), 11);
        assert!(refused(&log[1]) && !refused(&log[0]));
    }
}
