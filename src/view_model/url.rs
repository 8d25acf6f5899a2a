//! The run's seed and speed in the page address (`?seed=42&speed=100`), so a run can be shared and
//! replayed. A bad value is reported and ignored; the default stands in its place.

use crate::engine::rng::Seed;
use crate::protocol::Speed;

/// The seed a run uses when the address names none.
pub const SEED_DEFAULT: Seed = Seed(1);

/// What the address asks for, and what in it was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlState {
    /// The seed to start with.
    pub seed: Seed,
    /// The playback speed to start with.
    pub speed: Speed,
    /// A shared design (a scenario file), checked.
    pub scenario: Option<String>,
    /// One sentence per ignored parameter.
    pub errors: Vec<String>,
}

/// Reads a query string (`?seed=42&speed=0.5`, with or without the `?`). Unknown parameters are ignored.
pub fn parse_query(query: &str) -> UrlState {
    let mut state = UrlState { seed: SEED_DEFAULT, speed: Speed::default(), scenario: None, errors: Vec::new() };
    for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "seed" => match parse_seed(value) {
                Ok(seed) => state.seed = seed,
                Err(e) => state.errors.push(format!("Address: {e}; using seed {SEED_DEFAULT}.")),
            },
            "speed" => match value.parse::<Speed>() {
                Ok(speed) => state.speed = speed,
                Err(e) => state.errors.push(format!("Address: {e}; using {}.", Speed::default())),
            },
            "scenario" => match super::saves::from_share_param(value) {
                Ok(scenario) => state.scenario = Some(scenario),
                Err(e) => state.errors.push(format!("Address: {e}")),
            },
            _ => {}
        }
    }
    state
}

/// The query string for a seed and speed, and the loaded design if any: `?seed=42&speed=2.5&scenario=…`.
pub fn to_query(seed: Seed, speed: Speed, scenario: Option<&str>) -> String {
    let shared = scenario.map(|s| format!("&scenario={}", super::saves::share_param(s))).unwrap_or_default();
    format!("?seed={seed}&speed={}{shared}", speed.decimal())
}

/// A seed as typed by a person: a whole number from 0 to 18446744073709551615.
pub fn parse_seed(text: &str) -> Result<Seed, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("seed '{text}' is not a whole number from 0 to {}", u64::MAX));
    }
    trimmed.parse().map(Seed).map_err(|_| format!("seed '{text}' is larger than {}", u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_address_gives_the_defaults() {
        let state = parse_query("");
        assert_eq!((state.seed, state.speed), (SEED_DEFAULT, Speed::REAL_TIME));
        assert!(state.errors.is_empty());
    }

    #[test]
    fn seed_and_speed_round_trip() {
        for (seed, tenths) in [(0, 1), (42, 25), (u64::MAX, 10_000)] {
            let speed = Speed::from_tenths(tenths).expect("valid speed");
            let state = parse_query(&to_query(Seed(seed), speed, None));
            assert_eq!((state.seed, state.speed), (Seed(seed), speed));
            assert!(state.errors.is_empty());
        }
    }

    #[test]
    fn bad_values_are_reported_and_ignored() {
        let state = parse_query("?seed=-3&speed=9000&lab=x");
        assert_eq!((state.seed, state.speed), (SEED_DEFAULT, Speed::REAL_TIME));
        assert_eq!(state.errors.len(), 2);
        assert!(state.errors[0].contains("seed '-3' is not a whole number"), "{}", state.errors[0]);
        assert!(state.errors[1].contains("speed '9000'"), "{}", state.errors[1]);
    }

    #[test]
    fn a_design_travels_in_the_address() {
        let p13 = crate::engine::scenario::presets::find("p13-hot-shard").expect("preset").json;
        let state = parse_query(&to_query(Seed(5), Speed::REAL_TIME, Some(p13)));
        assert_eq!((state.seed, state.scenario.as_deref()), (Seed(5), Some(p13)));
        let bad = parse_query("?seed=5&scenario=AAAA");
        assert_eq!((bad.seed, bad.scenario), (Seed(5), None));
        assert!(
            bad.errors[0].starts_with("Address: The shared design in this address cannot be used"),
            "{:?}",
            bad.errors
        );
    }

    #[test]
    fn seeds_reject_overflow_and_junk() {
        assert_eq!(parse_seed(" 7 "), Ok(Seed(7)));
        assert!(parse_seed("18446744073709551616").expect_err("overflow").contains("larger than"));
        for bad in ["", "abc", "1e5", "+4", "4.0"] {
            assert!(parse_seed(bad).is_err(), "{bad}");
        }
    }
}
