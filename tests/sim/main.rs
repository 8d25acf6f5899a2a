//! The single integration-test binary: one behaviour per module (one link on a 2-core CI).
#![cfg(not(target_arch = "wasm32"))]

mod api_fuzz;
mod determinism;
mod firehose_delivery;
mod firehose_kinesis;
mod firehose_transform;
mod golden;
mod harness;
mod kds_bulk;
mod kds_consumers;
mod kds_control;
mod kds_fanout;
mod kds_iterators;
mod kds_lifecycle;
mod kds_metrics;
mod kds_on_demand;
mod kds_reshard;
mod kds_retention;
mod kds_routing;
mod kds_throttling;
mod kds_validation;
mod live_history;
mod live_view;
mod model_kds;
mod model_timers;
mod planner;
mod runner_day;
mod scenario_consumers;
mod scenario_lambda;
mod scenario_producers;
mod video_control;
mod video_harness;
mod video_lifecycle;
mod video_model;
mod video_routing;
mod video_streams;
