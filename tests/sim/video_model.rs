//! Property test of the signaling service's invariants under any sequence of socket events, frames
//! (valid and malformed), knob changes and time steps.
//!
//! After every step: at most one master and at most `viewers_max` viewers per channel, one socket per
//! viewer id; nothing pending is past its TTL; the log's sequence numbers are contiguous; and every
//! accepted message is accounted for exactly once: delivered, lost, expired, overwritten, still pending
//! or still on the wire (no duplication knob here, so one message is one fate).

use super::video_harness::{frame, Lab, CANDIDATE, OFFER};
use kinesis_lab::engine::video::log::{Outcome, Peer};
use kinesis_lab::engine::video::settings::{Knobs, PathKnobs};
use kinesis_lab::engine::video::{ConnId, Role};
use proptest::prelude::*;
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
enum Step {
    Master,
    Viewer(u8),
    Disconnect(usize),
    Send { who: usize, kind: u8, to: Option<u8>, correlated: bool },
    Garbage { who: usize, text: String },
    Knobs { latency: u32, jitter: u32, loss: u8, reorder: bool, partition: bool },
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => Just(Step::Master),
        2 => (0u8..13).prop_map(Step::Viewer),
        1 => any::<usize>().prop_map(Step::Disconnect),
        6 => (any::<usize>(), 0u8..3, proptest::option::of(0u8..13), any::<bool>())
            .prop_map(|(who, kind, to, correlated)| Step::Send { who, kind, to, correlated }),
        1 => (any::<usize>(), ".{0,40}").prop_map(|(who, text)| Step::Garbage { who, text }),
        1 => (0u32..400, 0u32..300, 0u8..60, any::<bool>(), proptest::bool::weighted(0.1))
            .prop_map(|(latency, jitter, loss, reorder, partition)| Step::Knobs { latency, jitter, loss, reorder, partition }),
        3 => (0u64..8_000).prop_map(Step::Advance),
    ]
}

fn check(lab: &Lab) {
    let connections: Vec<_> = lab.service.connections().collect();
    assert!(connections.iter().filter(|c| c.peer == Peer::Master).count() <= 1);
    let viewers: Vec<_> = connections.iter().filter(|c| c.peer != Peer::Master).map(|c| c.peer.clone()).collect();
    assert!(viewers.len() <= lab.service.settings().viewers_max);
    assert_eq!(viewers.iter().collect::<BTreeSet<_>>().len(), viewers.len(), "one socket per viewer id");
    let pending = lab.service.pending_in("demo");
    assert!(pending.iter().all(|(_, _, _, expires)| *expires > lab.now), "nothing pending past its TTL");
    let entries = lab.service.log().entries();
    assert!(entries.iter().enumerate().all(|(i, e)| e.seq == i as u64));
    let count = |f: &dyn Fn(&Outcome) -> bool| entries.iter().filter(|e| f(&e.outcome)).count();
    let accepted = count(&|o| *o == Outcome::Accepted);
    // Deliveries from the service itself (STATUS_RESPONSE, notices) have no sender.
    let delivered = entries.iter().filter(|e| e.outcome == Outcome::Delivered && e.from.is_some()).count();
    let fates = delivered
        + count(&|o| matches!(o, Outcome::Lost { .. }))
        + count(&|o| *o == Outcome::Expired)
        + count(&|o| *o == Outcome::Overwritten)
        + pending.len()
        + lab.service.in_flight_len();
    // A queued message that is later delivered, expired or overwritten has one fate but two lines;
    // "Queued" lines are not counted above, so each accepted message is exactly one of the fates.
    assert_eq!(accepted, fates, "every accepted message has exactly one fate");
}

proptest! {
    #![proptest_config(crate::harness::proptest_config(128))]

    #[test]
    fn signaling_keeps_its_invariants(steps in proptest::collection::vec(step(), 1..80)) {
        let mut lab = Lab::new(8);
        let mut sockets: Vec<(ConnId, Option<u8>)> = Vec::new();
        for s in steps {
            match s {
                Step::Master => {
                    if let Ok(id) = lab.connect(Role::Master, None) { sockets.push((id, None)); }
                }
                Step::Viewer(n) => {
                    if let Ok(id) = lab.connect(Role::Viewer, Some(&format!("v{n}"))) { sockets.push((id, Some(n))); }
                }
                Step::Disconnect(i) if !sockets.is_empty() => {
                    let (id, _) = sockets.remove(i % sockets.len());
                    lab.service.disconnect(lab.now, id);
                    lab.drain();
                }
                Step::Send { who, kind, to, correlated } if !sockets.is_empty() => {
                    let (id, _) = sockets[who % sockets.len()];
                    let (action, payload) = match kind { 0 => ("SDP_OFFER", OFFER), 1 => ("SDP_ANSWER", OFFER), _ => ("ICE_CANDIDATE", CANDIDATE) };
                    let to = to.map(|n| format!("v{n}"));
                    lab.send(id, &frame(action, payload, to.as_deref(), correlated.then_some("c1")));
                }
                Step::Garbage { who, text } if !sockets.is_empty() => {
                    let (id, _) = sockets[who % sockets.len()];
                    lab.send(id, &text);
                }
                Step::Knobs { latency, jitter, loss, reorder, partition } => {
                    let path = PathKnobs { latency_ms: latency, jitter_ms: jitter, loss_percent: loss, duplicate_percent: 0 };
                    lab.service.set_knobs(Knobs { to_master: path, to_viewer: path, reorder, partition, ..Knobs::default() }).expect("in range");
                }
                Step::Advance(ms) => lab.advance_ms(ms),
                _ => {}
            }
            sockets.retain(|(id, _)| !lab.closed.contains_key(id));
            check(&lab);
        }
    }
}
