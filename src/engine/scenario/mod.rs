//! Scenarios: seeded what-if runs of whole pipelines (issue 4, spec kds.md §6).
//!
//! A scenario file ([`format::Scenario`]) is checked when it loads — serde names the path of any type
//! error, and [`compile`] checks every value, naming the field — and compiled into a [`Plan`]: the engine
//! configuration and the client plans (rate curves, key plans, templates) the simulated producers and
//! consumers run from. Nothing is changed by a scenario that fails to load.

pub mod compile;
pub mod firehose;
pub mod firehose_summary;
pub mod format;
pub mod presets;
pub mod run;
pub mod series;
pub mod summary;

pub use compile::{check, compile, Plan};
pub use format::Scenario;

use std::fmt;

/// Why a scenario did not load: the path of the offending field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The field, as a path: `producers[1].rate.per_second`; empty for the file as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ScenarioError {
    /// An error at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Reads a scenario from JSON; a type error or unknown field names its path.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            ScenarioError::at(path, inner.to_string())
        })
    }

    /// Whether it uses Firehose (a call to it, or Direct PUT producers): the page opens it in the Firehose lab.
    pub fn uses_firehose(&self) -> bool {
        self.calls.iter().any(|c| c.service == "firehose") || !self.firehose_producers.is_empty()
    }

    /// Whether a call creates or updates a Firehose stream that converts records to Parquet (the browser's
    /// worker then loads its Parquet writer before the run starts).
    pub fn converts_to_parquet(&self) -> bool {
        self.calls.iter().any(|c| {
            c.service == "firehose"
                && matches!(c.action.as_str(), "CreateDeliveryStream" | "UpdateDestination")
                && c.input.as_object().is_some_and(|input| {
                    input.values().any(|d| {
                        crate::engine::firehose::conversion::enabled(d.get("DataFormatConversionConfiguration"))
                    })
                })
        })
    }

    /// Reads and compiles a scenario.
    pub fn load(text: &str) -> Result<Plan, ScenarioError> {
        compile(&Scenario::from_json(text)?)
    }
}
