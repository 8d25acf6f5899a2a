//! Maps the wall clock to simulated time: how far a tick should advance the engine.
//!
//! This is the one place where wall time meets simulated time, and it only decides *how far* to go;
//! the engine never sees the wall clock. Wall readings are integer microseconds (from
//! `performance.now()` in the worker). Advances are exact: the fractional microseconds that a slow
//! speed leaves over are carried to the next tick, so ×0.1 loses no time over a long run.
//!
//! A gap longer than [`CATCH_UP_WALL_MAX`] (a background tab whose frames stopped, a debugger pause)
//! is cut to that length: the run resumes where it was rather than leaping ahead unseen.

use crate::engine::time::SimDuration;
use crate::protocol::Speed;

/// The most wall time one tick may account for, in microseconds (a quarter second).
pub const CATCH_UP_WALL_MAX: u64 = 250_000;

/// Turns successive wall-clock readings into simulated advances at a given speed.
#[derive(Clone, Debug, Default)]
pub struct Pacer {
    speed: Speed,
    last_wall_us: Option<u64>,
    /// Simulated microseconds owed, in tenths, not yet whole.
    carry_tenths: u64,
}

impl Pacer {
    /// A paused pacer at `speed`.
    pub fn new(speed: Speed) -> Self {
        Pacer { speed, last_wall_us: None, carry_tenths: 0 }
    }

    /// The current speed.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    /// True while simulated time follows the wall clock.
    pub fn playing(&self) -> bool {
        self.last_wall_us.is_some()
    }

    /// Starts following the wall clock from the reading `wall_us`.
    pub fn play(&mut self, wall_us: u64) {
        if self.last_wall_us.is_none() {
            self.last_wall_us = Some(wall_us);
        }
    }

    /// Stops following the wall clock.
    pub fn pause(&mut self) {
        self.last_wall_us = None;
        self.carry_tenths = 0;
    }

    /// Changes speed from now on; time already elapsed is accounted at the old speed.
    pub fn set_speed(&mut self, speed: Speed, wall_us: u64) {
        let owed = self.advance(wall_us);
        self.speed = speed;
        // Whatever the old speed owed is handed out by the next tick rather than lost.
        self.carry_tenths += owed.as_micros() * 10;
    }

    /// How far simulated time should move for the wall clock now reading `wall_us`; zero while paused.
    pub fn advance(&mut self, wall_us: u64) -> SimDuration {
        let Some(last) = self.last_wall_us else {
            return SimDuration::ZERO;
        };
        let elapsed = wall_us.saturating_sub(last).min(CATCH_UP_WALL_MAX);
        self.last_wall_us = Some(wall_us.max(last));
        let owed_tenths = self.carry_tenths + elapsed * u64::from(self.speed.tenths());
        self.carry_tenths = owed_tenths % 10;
        SimDuration::from_micros(owed_tenths / 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speed(tenths: u32) -> Speed {
        Speed::from_tenths(tenths).expect("valid speed")
    }

    #[test]
    fn paused_means_no_advance() {
        let mut p = Pacer::new(Speed::MAX);
        assert_eq!(p.advance(1_000_000), SimDuration::ZERO);
        assert!(!p.playing());
    }

    #[test]
    fn real_time_follows_the_wall_clock() {
        let mut p = Pacer::new(Speed::REAL_TIME);
        p.play(5_000);
        assert_eq!(p.advance(21_000), SimDuration::from_millis(16));
        assert_eq!(p.advance(37_000), SimDuration::from_millis(16));
    }

    #[test]
    fn fast_speeds_multiply() {
        let mut p = Pacer::new(Speed::MAX);
        p.play(0);
        assert_eq!(p.advance(16_000), SimDuration::from_secs(16));
    }

    #[test]
    fn slow_speeds_carry_fractions_exactly() {
        let mut p = Pacer::new(Speed::MIN);
        p.play(0);
        let total: u64 = (1..=1_000).map(|i| p.advance(i * 7).as_micros()).sum();
        assert_eq!(total, 700, "7 ms of wall at ×0.1 is exactly 700 µs of simulated time");
    }

    #[test]
    fn long_gaps_are_capped() {
        let mut p = Pacer::new(Speed::REAL_TIME);
        p.play(0);
        assert_eq!(p.advance(60_000_000), SimDuration::from_micros(CATCH_UP_WALL_MAX));
    }

    #[test]
    fn the_wall_clock_going_backwards_advances_nothing() {
        let mut p = Pacer::new(Speed::REAL_TIME);
        p.play(10_000);
        assert_eq!(p.advance(5_000), SimDuration::ZERO);
        assert_eq!(p.advance(11_000), SimDuration::from_millis(1));
    }

    #[test]
    fn a_speed_change_keeps_time_already_elapsed() {
        let mut p = Pacer::new(Speed::REAL_TIME);
        p.play(0);
        p.set_speed(speed(100), 10_000);
        assert_eq!(p.speed(), speed(100));
        // 10 ms at ×1, then 10 ms at ×10.
        assert_eq!(p.advance(20_000), SimDuration::from_millis(110));
    }

    #[test]
    fn pause_then_play_does_not_count_the_pause() {
        let mut p = Pacer::new(Speed::REAL_TIME);
        p.play(0);
        p.advance(1_000);
        p.pause();
        p.play(9_000_000);
        assert_eq!(p.advance(9_002_000), SimDuration::from_millis(2));
    }
}
