//! Browser tests (wasm-bindgen-test in headless Chromium): the app mounts, a worker that cannot
//! start is reported with a restart, the chart really draws on a canvas, and the presets rerun in wasm
//! to the same golden summaries as natively.
#![cfg(target_arch = "wasm32")]

use kinesis_lab::ui;
use kinesis_lab::view_model::labs::Lab;
use kinesis_lab::view_model::series::Series;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> Document {
    web_sys::window().expect("a window").document().expect("a document")
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ =
            web_sys::window().expect("a window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    JsFuture::from(promise).await.expect("timers resolve");
}

fn mount() -> HtmlElement {
    let root: HtmlElement = document().create_element("div").expect("div").unchecked_into();
    document().body().expect("a body").append_child(&root).expect("append");
    ui::mount_to(root.clone());
    root
}

fn text_of(root: &HtmlElement, selector: &str) -> Option<String> {
    root.query_selector(selector).expect("valid selector").and_then(|el| el.text_content())
}

#[wasm_bindgen_test]
async fn the_app_mounts_with_header_labs_and_chart() {
    let root = mount();
    sleep(50).await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Kinesis Lab"), "{text}");
    for lab in Lab::ALL {
        let link = text_of(&root, &format!("#nav-{}", lab.slug()));
        assert_eq!(link.as_deref(), Some(lab.title()));
    }
    assert_eq!(text_of(&root, "#lab-page p").as_deref(), Some(Lab::Streams.status_sentence()));
    assert!(root.query_selector("canvas#events-chart").expect("selector").is_some());
    assert_eq!(text_of(&root, "#sim-time").as_deref(), Some("--:--.---"), "no time is invented before a snapshot");
}

/// The test server has no worker bundle, so the worker fails to load: the UI must say so and offer a restart.
#[wasm_bindgen_test]
async fn a_worker_that_cannot_start_is_reported_with_a_restart() {
    let root = mount();
    let mut status = String::new();
    for _ in 0..100 {
        sleep(50).await;
        status = text_of(&root, "#worker-status").unwrap_or_default();
        if status.starts_with("worker crashed") {
            break;
        }
    }
    assert!(status.starts_with("worker crashed"), "status: {status}");
    assert!(root.query_selector("#restart").expect("selector").is_some(), "a restart is offered");
    assert!(root.query_selector("#play").expect("selector").expect("play button").has_attribute("disabled"));
}

fn accent_pixels(canvas: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").expect("2d").expect("2d context").unchecked_into();
    let data =
        ctx.get_image_data(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height())).expect("pixels").data();
    data.chunks(4).filter(|p| p[0] < 0x40 && (0x50..0x90).contains(&p[1]) && p[2] > 0xb0).count()
}

#[wasm_bindgen_test]
fn the_events_chart_draws_its_line_on_a_canvas() {
    let canvas: HtmlCanvasElement = document().create_element("canvas").expect("canvas").unchecked_into();
    canvas.set_width(640);
    canvas.set_height(300);
    ui::canvas::draw_events(canvas.clone(), &Series::default());
    assert_eq!(accent_pixels(&canvas), 0, "an empty series draws no line");
    let mut series = Series::default();
    for i in 0..=60 {
        series.observe(f64::from(i), f64::from(i));
    }
    ui::canvas::draw_events(canvas.clone(), &series);
    assert!(accent_pixels(&canvas) > 300, "the line is drawn: {}", accent_pixels(&canvas));
}

/// Each preset's scenario and golden summary (tests/golden, written by the native test in tests/sim).
macro_rules! goldens {
    ($($name:literal),*) => {
        [$(($name, include_str!(concat!("golden/", $name, ".json")))),*]
    };
}

#[wasm_bindgen_test]
fn every_preset_reruns_in_wasm_to_its_native_golden_summary() {
    use kinesis_lab::engine::analytics::runtime;
    use kinesis_lab::engine::scenario::{presets, run::run_with, Scenario};
    let goldens = goldens!(
        "p01-simple-pipeline",
        "p02-rider-alert",
        "p03-full-pipeline",
        "p04-hot-key",
        "p05-swipebike-city",
        "p06-five-readers",
        "p07-poison-pill",
        "p08-commute-autoscaling",
        "p09-replay",
        "p10-bursty-iot",
        "p11-producer-retries",
        "p12-station-routing",
        "p13-hot-shard",
        "firehose-p01-bikes-to-parquet",
        "firehose-p02-data-lake",
        "firehose-p07-cloudwatch-logs-to-splunk",
        "firehose-p08-partition-by-station",
        "firehose-p09-http-endpoint-outage",
        "firehose-p10-s3-outage",
        "firehose-redshift-copy",
        "firehose-opensearch-index",
        "analytics-p03-rental-count-sql",
        "analytics-p04-window-comparison",
        "analytics-p05-rental-count-flink",
        "analytics-p06-access-log-errors",
        "analytics-p11-anomaly-top-k"
    );
    assert_eq!(goldens.len(), presets::all().len(), "every preset has its golden here");
    for (name, golden) in goldens {
        let preset = presets::find(name).expect("a preset of that name");
        let plan = Scenario::load(preset.json).expect("presets are valid");
        // The worker loads its Parquet writer on demand; the test links the same writer directly.
        let writer = Some(kinesis_lab::columnar::parquet_file::write as kinesis_lab::columnar::ParquetWriter);
        // So does the Analytics runtime.
        let analytics = Some(runtime::native as runtime::RuntimeFactory);
        let summary = run_with(plan, writer, analytics, &mut |_| {});
        let text = serde_json::to_string_pretty(&summary).expect("summaries serialise") + "\n";
        assert!(text == golden, "{name}: the wasm summary differs from tests/golden/{name}.json:\n{text}");
    }
}

#[wasm_bindgen_test]
fn the_analytics_examples_rerun_in_wasm_to_their_native_golden_output() {
    let text = kinesis_lab::engine::analytics::examples::golden_text();
    let golden = include_str!("golden/analytics-examples.txt");
    assert!(text == golden, "the wasm analytics output differs from tests/golden/analytics-examples.txt:\n{text}");
}
