//! The built-in scenarios: the teaching scenarios of spec kds.md §6, each a JSON file in `presets/`.
//!
//! Each has a title and a two-sentence explanation of what it teaches; `kinesis-lab run <name>` runs one,
//! and every one has a golden summary under `tests/golden/`.

use super::Scenario;

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Its name (what `kinesis-lab run` takes).
    pub name: &'static str,
    /// Its scenario file.
    pub json: &'static str,
}

const PRESETS: [Preset; 1] = [Preset { name: "p04-hot-key", json: include_str!("presets/p04-hot-key.json") }];

/// Every preset, in order.
pub fn all() -> Vec<PresetInfo> {
    PRESETS
        .iter()
        .map(|p| {
            let s = Scenario::from_json(p.json).expect("presets are valid (tested)");
            PresetInfo { name: p.name, title: s.title, explanation: s.explanation, json: p.json }
        })
        .collect()
}

/// A preset with its title and explanation read from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetInfo {
    /// Its name.
    pub name: &'static str,
    /// Its title.
    pub title: String,
    /// What it teaches, in two sentences.
    pub explanation: String,
    /// Its scenario file.
    pub json: &'static str,
}

/// The preset called `name`.
pub fn find(name: &str) -> Option<Preset> {
    PRESETS.iter().copied().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_is_named_after_its_file() {
        for p in PRESETS {
            let plan = Scenario::load(p.json).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(plan.scenario.name, p.name);
            let sentences = plan.scenario.explanation.matches(". ").count() + 1;
            assert_eq!(sentences, 2, "{}: the explanation is two sentences", p.name);
        }
    }
}
