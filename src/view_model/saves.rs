//! Designs saved in the browser, files exported and imported, and share links: what the Scenarios page
//! does, as plain Rust. A saved design is a scenario file and a seed; nothing is kept that the engine
//! has not accepted.

use crate::engine::scenario::Scenario;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// Where the saves live in `localStorage`.
pub const STORAGE_KEY: &str = "kinesis-lab.saves.v1";

/// The longest scenario a share link or an import may carry, in bytes (a guard against huge inputs).
pub const SCENARIO_BYTES_MAX: usize = 1 << 20;

/// One saved design.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The name the user gave it (unique among the saves).
    pub name: String,
    /// The seed it replays with.
    pub seed: u64,
    /// The scenario file (JSON).
    pub scenario: String,
}

/// Every saved design, in the order saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saves(pub Vec<Saved>);

/// Checks a scenario file as the engine would load it; Ok with its parsed form.
fn check(scenario: &str) -> Result<Scenario, String> {
    if scenario.len() > SCENARIO_BYTES_MAX {
        return Err(format!("The file is {} bytes; a scenario may be at most {SCENARIO_BYTES_MAX}.", scenario.len()));
    }
    let parsed = Scenario::from_json(scenario).map_err(|e| format!("This is not a valid scenario: {e}"))?;
    crate::engine::scenario::check(&parsed).map_err(|e| format!("This is not a valid scenario: {e}"))?;
    Ok(parsed)
}

impl Saves {
    /// The saves stored as `text`; unreadable storage gives an error (and the caller keeps it untouched).
    pub fn from_storage(text: Option<&str>) -> Result<Saves, String> {
        match text {
            None => Ok(Saves::default()),
            Some(text) => serde_json::from_str(text).map_err(|e| format!("The saved designs could not be read ({e}).")),
        }
    }

    /// The text to store.
    pub fn to_storage(&self) -> String {
        serde_json::to_string(self).expect("saves serialise")
    }

    /// Saves `scenario` with `seed` under `name`, replacing a save of the same name.
    pub fn save(&mut self, name: &str, scenario: &str, seed: u64) -> Result<(), String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("Give the design a name to save it under.".into());
        }
        check(scenario)?;
        let saved = Saved { name: name.to_string(), seed, scenario: scenario.to_string() };
        match self.0.iter_mut().find(|s| s.name == name) {
            Some(old) => *old = saved,
            None => self.0.push(saved),
        }
        Ok(())
    }

    /// Adds an exported file (a scenario file, as `kinesis-lab run` takes) named after its `name`
    /// field; a bad file is refused with the reason and the saves stay as they were.
    pub fn import(&mut self, text: &str) -> Result<String, String> {
        let scenario = check(text)?;
        let name = if self.0.iter().any(|s| s.name == scenario.name) {
            (2..)
                .map(|n| format!("{} ({n})", scenario.name))
                .find(|n| !self.0.iter().any(|s| &s.name == n))
                .expect("a free name")
        } else {
            scenario.name.clone()
        };
        self.0.push(Saved { name: name.clone(), seed: scenario.seed, scenario: text.to_string() });
        Ok(name)
    }

    /// Removes the save called `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|s| s.name != name);
    }
}

/// The file an export downloads: the scenario with its seed set to `seed`, pretty-printed.
pub fn export(scenario: &str, seed: u64) -> Result<String, String> {
    let mut parsed = check(scenario)?;
    parsed.seed = seed;
    Ok(serde_json::to_string_pretty(&parsed).expect("scenarios serialise") + "\n")
}

/// A share link's `scenario` parameter: the file deflated and base64url-encoded.
pub fn share_param(scenario: &str) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(scenario.as_bytes()).expect("writing to memory");
    URL_SAFE_NO_PAD.encode(encoder.finish().expect("finishing in memory"))
}

/// The scenario file a share link's `scenario` parameter carries, checked; or why it cannot be used.
pub fn from_share_param(param: &str) -> Result<String, String> {
    let bad = |why: &str| format!("The shared design in this address cannot be used: {why}.");
    let bytes = URL_SAFE_NO_PAD.decode(param.trim()).map_err(|_| bad("it is not base64url text"))?;
    let mut text = String::new();
    DeflateDecoder::new(bytes.as_slice())
        .take(SCENARIO_BYTES_MAX as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|_| bad("it is not a deflated scenario"))?;
    check(&text).map_err(|e| bad(&e))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::presets;

    fn p13() -> &'static str {
        presets::find("p13-hot-shard").expect("preset").json
    }

    #[test]
    fn saves_round_trip_through_storage_and_replace_by_name() {
        let mut saves = Saves::from_storage(None).expect("empty");
        saves.save("mine", p13(), 5).expect("valid");
        saves.save("mine", p13(), 6).expect("valid");
        saves.save(" other ", p13(), 7).expect("valid");
        let back = Saves::from_storage(Some(&saves.to_storage())).expect("readable");
        let names: Vec<(&str, u64)> = back.0.iter().map(|s| (s.name.as_str(), s.seed)).collect();
        assert_eq!(names, [("mine", 6), ("other", 7)]);
        assert!(Saves::from_storage(Some("{not json")).is_err());
    }

    #[test]
    fn nothing_unloadable_is_saved_or_imported() {
        let mut saves = Saves::default();
        saves.save("good", p13(), 1).expect("valid");
        let before = saves.clone();
        assert!(saves.save("", p13(), 1).unwrap_err().contains("name"));
        let err = saves.import(r#"{"name": "x"}"#).unwrap_err();
        assert!(err.starts_with("This is not a valid scenario: "), "{err}");
        let err = saves.import("not json at all").unwrap_err();
        assert!(err.starts_with("This is not a valid scenario"), "{err}");
        assert_eq!(saves, before, "refusals leave the saves untouched");
    }

    #[test]
    fn an_exported_file_imports_under_a_free_name_with_its_seed() {
        let mut saves = Saves::default();
        let file = export(p13(), 99).expect("valid");
        assert_eq!(saves.import(&file), Ok("p13-hot-shard".into()));
        assert_eq!(saves.import(&file), Ok("p13-hot-shard (2)".into()));
        assert_eq!(saves.0[1].seed, 99);
    }

    #[test]
    fn share_links_carry_the_scenario_and_refuse_damage() {
        let param = share_param(p13());
        assert!(param.len() < p13().len() / 2, "deflated: {} of {}", param.len(), p13().len());
        assert!(param.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(from_share_param(&param).as_deref(), Ok(p13()));
        assert!(from_share_param("***").unwrap_err().contains("base64url"));
        assert!(from_share_param(&param[..param.len() / 2]).is_err());
        assert!(from_share_param(&share_param(r#"{"name": 1}"#)).unwrap_err().contains("not a valid scenario"));
    }
}
