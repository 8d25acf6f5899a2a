//! Running a scenario headless from start to end: the series rows as they come, then the summary.
//!
//! This is what `kinesis-lab run`, the golden tests and the benchmarks call; the worker drives the same
//! engine live instead. Nothing here reads a clock: a run is a function of the scenario.

use super::series::SeriesRow;
use super::summary::{Summary, SummaryBuilder};
use super::Plan;
use crate::columnar::ParquetWriter;
use crate::engine::analytics::runtime::RuntimeFactory;
use crate::engine::runner::Runner;
use crate::engine::time::SimTime;
use crate::engine::{Engine, Output};

/// Runs `plan` to its end, handing each series row to `on_row`; returns the summary.
pub fn run(plan: Plan, on_row: &mut impl FnMut(&SeriesRow)) -> Summary {
    run_with(plan, None, None, on_row)
}

/// [`run`], with a Parquet writer and an Analytics runtime installed first (wasm builds have none of their
/// own).
pub fn run_with(
    plan: Plan,
    parquet: Option<ParquetWriter>,
    analytics: Option<RuntimeFactory>,
    on_row: &mut impl FnMut(&SeriesRow),
) -> Summary {
    // The run covers [0, duration): everything strictly before the end, then a last sample at the end.
    let end = SimTime::ZERO + plan.duration;
    let mut builder = SummaryBuilder::new(&plan);
    let mut engine = Engine::from_plan(plan);
    if let Some(writer) = parquet {
        engine.set_parquet_writer(writer);
    }
    if let Some(factory) = analytics {
        engine.set_analytics_runtime(factory);
    }
    let mut runner = Runner::new(engine);
    let last = SimTime::from_micros(end.as_micros().saturating_sub(1));
    runner.run_until(last, u64::MAX, &mut |output| {
        if let Output::Series(row) = output {
            builder.row(&row);
            on_row(&row);
        }
    });
    if let Some(row) = runner.engine_mut().sample_series(end) {
        builder.row(&row);
        on_row(&row);
    }
    builder.finish(runner.engine(), end)
}
