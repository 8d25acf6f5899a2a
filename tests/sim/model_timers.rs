//! Reference-model property test of the timer queue: every sequence of schedule / cancel / pop
//! behaves like a plain sorted list of pending timers.
//!
//! Invariants checked after every step: timers pop in (time, scheduling order) order, never before
//! they are due, cancelled timers never pop, and the pending count and next time match the model.

use kinesis_lab::engine::queue::{TimerId, TimerQueue};
use kinesis_lab::engine::time::SimTime;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Transition {
    Schedule {
        at_ms: u64,
    },
    /// Cancel the n-th timer ever scheduled (modulo how many there are).
    Cancel {
        nth: usize,
    },
    PopDue {
        now_ms: u64,
    },
}

fn transition() -> impl Strategy<Value = Transition> {
    prop_oneof![
        4 => (0u64..50).prop_map(|at_ms| Transition::Schedule { at_ms }),
        1 => any::<usize>().prop_map(|nth| Transition::Cancel { nth }),
        3 => (0u64..60).prop_map(|now_ms| Transition::PopDue { now_ms }),
    ]
}

/// The model: pending timers as (time, scheduling index), kept in a Vec.
#[derive(Default)]
struct Reference {
    pending: Vec<(u64, usize)>,
}

impl Reference {
    fn earliest(&self) -> Option<(u64, usize)> {
        self.pending.iter().copied().min()
    }
}

proptest! {
    #![proptest_config(crate::harness::proptest_config(256))]

    #[test]
    fn timer_queue_matches_the_reference_model(steps in prop::collection::vec(transition(), 1..60)) {
        let mut sut: TimerQueue<usize> = TimerQueue::new();
        let mut model = Reference::default();
        let mut ids: Vec<TimerId> = Vec::new();
        for step in steps {
            match step {
                Transition::Schedule { at_ms } => {
                    let index = ids.len();
                    ids.push(sut.schedule(SimTime::from_millis(at_ms), index));
                    model.pending.push((at_ms, index));
                }
                Transition::Cancel { nth } => {
                    if ids.is_empty() {
                        continue;
                    }
                    let index = nth % ids.len();
                    let was_pending = model.pending.iter().any(|&(_, i)| i == index);
                    model.pending.retain(|&(_, i)| i != index);
                    prop_assert_eq!(sut.cancel(ids[index]), was_pending);
                }
                Transition::PopDue { now_ms } => {
                    let expected = model.earliest().filter(|&(at, _)| at <= now_ms);
                    if let Some(e) = expected {
                        model.pending.retain(|&p| p != e);
                    }
                    let got = sut.pop_due(SimTime::from_millis(now_ms)).map(|(t, i)| (t.as_millis(), i));
                    prop_assert_eq!(got, expected);
                }
            }
            prop_assert_eq!(sut.len(), model.pending.len());
            let next = model.earliest().map_or(SimTime::MAX, |(at, _)| SimTime::from_millis(at));
            prop_assert_eq!(sut.next_time(), next);
        }
    }
}
