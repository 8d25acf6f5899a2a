//! The discrete-event loop around an [`Engine`]: advance simulated time to a target, one event at a time.
//!
//! The runner is what the worker, the CLI and the tests drive. It applies the engine's drain rule and
//! hands every output to a sink, so callers decide what to keep. A step budget bounds the work done in
//! one call, so a host with a frame to render (the worker) can never be stalled by a busy stretch.

use super::{Engine, Input, Output};
use crate::engine::time::SimTime;

/// How a call to [`Runner::run_until`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Simulated time reached the target.
    Reached,
    /// The step budget ran out first; simulated time stopped at the last event processed.
    StepLimit,
}

/// Drives an [`Engine`] through simulated time.
#[derive(Debug)]
pub struct Runner {
    engine: Engine,
}

impl Runner {
    /// A runner around a fresh engine.
    pub fn new(engine: Engine) -> Self {
        Runner { engine }
    }

    /// The engine, for snapshots.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to send it commands between runs.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// The simulated time reached so far.
    pub fn now(&self) -> SimTime {
        self.engine.now()
    }

    /// Processes every event due up to `target` (at most `max_steps` wake-ups), then moves time to `target`.
    pub fn run_until(&mut self, target: SimTime, max_steps: u64, sink: &mut impl FnMut(Output)) -> RunOutcome {
        let mut steps = 0;
        loop {
            let next = self.engine.poll_timeout();
            if next > target || next == SimTime::MAX {
                self.wake(target.max(self.now()), sink);
                return RunOutcome::Reached;
            }
            if steps == max_steps {
                return RunOutcome::StepLimit;
            }
            self.wake(next, sink);
            steps += 1;
        }
    }

    /// Jumps to the next pending event and processes it; returns its time, or `None` if nothing is pending.
    pub fn step(&mut self, sink: &mut impl FnMut(Output)) -> Option<SimTime> {
        let next = self.engine.poll_timeout();
        if next == SimTime::MAX {
            return None;
        }
        self.wake(next, sink);
        Some(next)
    }

    fn wake(&mut self, at: SimTime, sink: &mut impl FnMut(Output)) {
        self.engine.handle_input(at, Input::Timeout);
        loop {
            match self.engine.poll_output() {
                Output::Timeout(_) => return,
                other => sink(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;
    use crate::engine::EngineConfig;

    fn runner() -> Runner {
        Runner::new(Engine::new(EngineConfig::with_seed(Seed(1))))
    }

    #[test]
    fn run_until_reaches_the_target_between_events() {
        let mut r = runner();
        let mut samples = Vec::new();
        let outcome = r.run_until(SimTime::from_millis(2_500), 1_000, &mut |o| samples.push(o));
        assert_eq!(outcome, RunOutcome::Reached);
        assert_eq!(r.now(), SimTime::from_millis(2_500));
        assert_eq!(samples.len(), 2);
    }

    #[test]
    fn the_step_budget_stops_at_the_last_event() {
        let mut r = runner();
        let outcome = r.run_until(SimTime::from_secs(10), 3, &mut |_| {});
        assert_eq!(outcome, RunOutcome::StepLimit);
        assert_eq!(r.now(), SimTime::from_secs(3));
        assert_eq!(r.run_until(SimTime::from_secs(10), 100, &mut |_| {}), RunOutcome::Reached);
        assert_eq!(r.engine().snapshot().events_processed, 10);
    }

    #[test]
    fn an_exact_budget_still_reaches_the_target() {
        let mut r = runner();
        assert_eq!(r.run_until(SimTime::from_secs(3), 3, &mut |_| {}), RunOutcome::Reached);
        assert_eq!(r.now(), SimTime::from_secs(3));
    }

    #[test]
    fn step_jumps_to_the_next_event() {
        let mut r = runner();
        assert_eq!(r.step(&mut |_| {}), Some(SimTime::from_secs(1)));
        assert_eq!(r.step(&mut |_| {}), Some(SimTime::from_secs(2)));
        assert_eq!(r.now(), SimTime::from_secs(2));
    }

    #[test]
    fn a_target_in_the_past_does_not_move_time_back() {
        let mut r = runner();
        r.run_until(SimTime::from_secs(5), 100, &mut |_| {});
        assert_eq!(r.run_until(SimTime::from_secs(1), 100, &mut |_| {}), RunOutcome::Reached);
        assert_eq!(r.now(), SimTime::from_secs(5));
    }
}
