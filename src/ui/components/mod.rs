//! One component per file, each rendering one part of the page.

pub mod chart_canvas;
pub mod clients_panel;
pub mod cloudwatch_table;
pub mod consumer_charts;
pub mod controls;
pub mod design_panel;
pub mod engine_panel;
pub mod event_log;
pub mod events_chart;
pub mod header;
pub mod lab_page;
pub mod nav;
pub mod notices;
pub mod planner_panel;
pub mod record_inspector;
pub mod reshard_panel;
pub mod scenarios_page;
pub mod seed_form;
pub mod shard_charts;
pub mod shard_map;
pub mod shard_picker;
pub mod stream_charts;
pub mod streams_lab;
pub mod video_channel;
pub mod video_lab;
pub mod worker_status;
