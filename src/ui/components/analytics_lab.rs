//! The Analytics lab page (its own module, see `src/bin/analytics.rs`): the window comparison — one
//! generated stream cut by tumbling, sliding, session and stagger windows side by side, with knobs for
//! out-of-orderness, late events, lateness and size — and the SQL and pipeline editor with the book's
//! queries and the seed programs, run over sample input, errors underlined where they are.

use super::pipeline_builder::PipelineBuilder;
use crate::engine::analytics::batch::{drive_pipeline, drive_sql, BatchError};
use crate::engine::analytics::compare::{generate, lanes, Event, Knobs, Lane};
use crate::engine::analytics::examples::{find, sample_input, Language, ALL, BIKE_SCHEMA};
use crate::view_model::analytics::{highlight, ResultRow};
use crate::view_model::labs::Lab;
use crate::view_model::pipeline_form::PipelineForm;
use crate::view_model::window_timeline::{clock, lane_geometry, scatter, ROW_PX};
use leptos::prelude::*;
use std::time::Duration;

const LANE_WIDTH: f64 = 640.0;
const LABEL_PX: f64 = 36.0;
/// Rows the result table shows.
const RESULT_ROWS: usize = 200;

/// The page.
#[component]
pub fn AnalyticsLab() -> impl IntoView {
    view! {
        <section class="analytics-lab">
            <p class="lab-status">{Lab::Analytics.status_sentence()}</p>
            <h2 class="lab-subhead">"Window comparison"</h2>
            <Comparison />
            <h2 class="lab-subhead">"SQL and pipelines"</h2>
            <Editor />
        </section>
    }
}

/// A number knob: (label, test id, largest value, its unit in ms: 1 for plain numbers).
type KnobSpec = (&'static str, &'static str, i64, i64);

fn knob(
    (label, testid, max, unit_ms): KnobSpec,
    knobs: RwSignal<Knobs>,
    problem: RwSignal<Option<String>>,
    get: fn(&Knobs) -> i64,
    set: fn(&mut Knobs, i64),
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input type="number" min="0" max=max.to_string() data-testid=testid
                prop:value=move || (get(&knobs.get()) / unit_ms).to_string()
                on:change=move |ev| {
                    match event_target_value(&ev).trim().parse::<i64>() {
                        Ok(v) if (0..=max).contains(&v) => {
                            knobs.update(|k| set(k, v * unit_ms));
                            problem.set(None);
                        }
                        _ => problem.set(Some(format!("{}: a whole number from 0 to {max}", label.trim()))),
                    }
                } />
        </label>
    }
}

/// Processing time a second of playing advances.
const PLAY_MS_PER_S: i64 = 15_000;
const TICK_MS: u64 = 100;

type Run = (Knobs, Vec<Event>, Vec<Lane>);

#[component]
fn Comparison() -> impl IntoView {
    let knobs = RwSignal::new(Knobs::default());
    let problem = RwSignal::new(None::<String>);
    let run = Memo::new(move |_| {
        let k = knobs.get();
        let events = generate(&k);
        let lanes = lanes(&k, &events);
        (k, events, lanes)
    });
    // Late events arrive up to four windows after the stream ends.
    let span = Memo::new(move |_| run.with(|(k, _, _)| k.duration_ms + 4 * k.window_ms));
    let until = RwSignal::new(span.get_untracked());
    let playing = RwSignal::new(false);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if playing.get_untracked() {
                let next = until.get_untracked() + PLAY_MS_PER_S * TICK_MS as i64 / 1_000;
                until.set(next.min(span.get_untracked()));
                if next >= span.get_untracked() {
                    playing.set(false);
                }
            }
        },
        Duration::from_millis(TICK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let toggle = move |_| {
        if !playing.get_untracked() && until.get_untracked() >= span.get_untracked() {
            until.set(0);
        }
        playing.update(|p| *p = !*p);
    };
    view! {
        <p class="panel-note">
            "One stream of bike events at three stations over five minutes, 20 a minute, each arriving up to the out-of-orderness after its event time and some far later; stations 100 and 110 send through one shard, 120 through another. The first three lanes are Flink-style event-time windows: each shard's watermark is the largest event time it has seen minus the bound, the job's is the smaller of the two, and a window fires when it passes the window's end; an event for a window already past its lateness is late (red ×). If station 120 goes quiet its shard holds the watermark back until the idleness marks it idle. The last lane is KDA SQL's stagger window on ROWTIME, the arrival: a window per event minute and station opens with its first row, so late rows still count, in a result of their own (amber). Play, or drag the processing time, to watch panes fill (dashed) and fire."
        </p>
        <div class="drill-row analytics-knobs">
            {knob(("out-of-orderness s ", "an-ooo", 60, 1_000), knobs, problem, |k| k.out_of_orderness_ms, |k, v| { k.out_of_orderness_ms = v; k.bound_ms = v })}
            {knob(("late % ", "an-late", 100, 1), knobs, problem, |k| k.late_percent.into(), |k, v| k.late_percent = v as u32)}
            {knob(("allowed lateness s ", "an-lateness", 600, 1_000), knobs, problem, |k| k.allowed_lateness_ms, |k, v| k.allowed_lateness_ms = v)}
            {knob(("window s ", "an-window", 300, 1_000), knobs, problem, |k| k.window_ms, |k, v| k.window_ms = v.max(1_000))}
            {knob(("session gap s ", "an-gap", 300, 1_000), knobs, problem, |k| k.gap_ms, |k, v| k.gap_ms = v.max(1_000))}
            {knob(("station 120 quiet from s (0 never) ", "an-quiet", 300, 1_000), knobs, problem, |k| k.quiet_from_ms, |k, v| k.quiet_from_ms = v)}
            {knob(("idleness s (0 off) ", "an-idleness", 300, 1_000), knobs, problem, |k| k.idleness_ms, |k, v| k.idleness_ms = v)}
            {knob(("seed ", "an-seed", 1_000_000, 1), knobs, problem, |k| k.seed as i64, |k, v| k.seed = v as u64)}
        </div>
        {move || problem.get().map(|p| view! { <p class="inline-error" role="alert">{p}</p> })}
        <div class="slider-row">
            <button class="btn small" data-testid="an-play" on:click=toggle>{move || if playing.get() { "Pause" } else { "Play" }}</button>
            <label class="slider">
                "processing time "
                <input type="range" min="0" max=move || span.get().to_string() step="1000" data-testid="an-until"
                    prop:value=move || until.get().to_string()
                    on:input=move |ev| {
                        playing.set(false);
                        until.set(event_target_value(&ev).parse().unwrap_or(0));
                    } />
                <span class="mono" data-testid="an-clock">{move || clock(until.get())}</span>
            </label>
        </div>
        <Watermark run=run until=until span=span />
        <div class="lanes" data-testid="an-lanes">
            {move || run.with(|(k, events, lanes)| lanes.iter().map(|lane| {
                let t = until.get();
                let g = lane_geometry(lane, events, k.duration_ms, LANE_WIDTH, t);
                let dropped = lane.late.iter().filter(|i| events[**i].arrival <= t).count();
                let late_firings = lane.panes.iter().filter(|p| p.late_firing && p.fired_at <= t).count();
                let summary = format!(
                    "{} of {} results fired · {dropped} late events to the side output · {late_firings} late results",
                    g.fired, lane.panes.len()
                );
                let height = 3.0 * ROW_PX + 18.0;
                let minutes = (k.duration_ms / 60_000).max(1);
                let bottom = (3.0 * ROW_PX).to_string();
                view! {
                    <div class="lane">
                        <div class="lane-title"><strong>{lane.title.clone()}</strong>" · "{summary}</div>
                        <div class="lane-latest">{g.latest.map_or_else(|| "no result yet".to_string(), |l| format!("last result {l}"))}</div>
                        <svg viewBox=format!("0 0 {} {height}", LANE_WIDTH + LABEL_PX) width="100%" role="img">
                            {["100", "110", "120"].iter().enumerate().map(|(i, s)| view! {
                                <text x="0" y=(i as f64 * ROW_PX + ROW_PX * 0.7).to_string() class="lane-label">{*s}</text>
                            }).collect_view()}
                            <g transform=format!("translate({LABEL_PX},0)")>
                                {(0..=minutes).map(|m| {
                                    let x = m as f64 * LANE_WIDTH / minutes as f64;
                                    view! {
                                        <line x1=x.to_string() x2=x.to_string() y1="0" y2=bottom.clone() class="lane-grid" />
                                        <text x=x.to_string() y=(3.0 * ROW_PX + 14.0).to_string() class="lane-axis">{format!("10:0{m}")}</text>
                                    }
                                }).collect_view()}
                                {g.panes.into_iter().map(|p| view! {
                                    <rect x=p.x.to_string() y=p.y.to_string() width=p.width.to_string() height=p.height.to_string() class=format!("pane {}", p.class) rx="3" />
                                    <text x=(p.x + 3.0).to_string() y=(p.y + p.height * 0.5).to_string() class="pane-count" dominant-baseline="central" style=format!("font-size:{:.1}px", (p.height * 0.62).min(10.0))>{p.label}</text>
                                }).collect_view()}
                                {g.events.into_iter().map(|(x, y, late)| if late {
                                    view! { <path d=format!("M{} {} l6 6 m0 -6 l-6 6", x - 3.0, y - 3.0) class="late-event" /> }.into_any()
                                } else {
                                    view! { <circle cx=x.to_string() cy=y.to_string() r="2.2" class="event" /> }.into_any()
                                }).collect_view()}
                                <line x1=g.now_x.to_string() x2=g.now_x.to_string() y1="0" y2=bottom.clone() class="now-line" />
                                {g.watermark_x.map(|x| view! {
                                    <line x1=x.to_string() x2=x.to_string() y1="0" y2=bottom.clone() class="watermark-line" data-testid="an-lane-watermark" />
                                })}
                            </g>
                        </svg>
                    </div>
                }
            }).collect_view())}
        </div>
        <p class="panel-note">"Grey line: processing time now; purple: the watermark. Dashed panes are open (their count so far); green ones fired, amber ones fired for late data; +n marks late rows waiting for a result of their own."</p>
    }
}

const PLOT_W: f64 = 640.0;
const PLOT_H: f64 = 220.0;

/// The tumbling lane's events at (arrival, event time) with the watermark below them, up to the
/// processing time the learner plays or drags: the watermark climbs and windows fire.
#[component]
fn Watermark(run: Memo<Run>, until: RwSignal<i64>, span: Memo<i64>) -> impl IntoView {
    let picture = Memo::new(move |_| {
        let t = until.get();
        run.with(|(_, events, lanes)| scatter(&lanes[0], events, span.get(), PLOT_W, PLOT_H, t))
    });
    view! {
        <div class="watermark-plot">
            <p class="panel-note" data-testid="an-watermark">{move || picture.with(|p| format!(
                "By {}: {} events arrived, {} tumbling windows fired; watermark {}.",
                clock(until.get()), p.arrived, p.fired,
                p.watermark_now.map_or("not yet emitted".to_string(), |w| if w > span.get() { "+∞ (end of input)".to_string() } else { clock(w) })
            ))}</p>
            <svg viewBox=format!("-40 -6 {} {}", PLOT_W + 50.0, PLOT_H + 30.0) width="100%" role="img">
                <line x1="0" y1=PLOT_H.to_string() x2=PLOT_W.to_string() y2="0" class="diagonal" />
                <line x1="0" y1=PLOT_H.to_string() x2=PLOT_W.to_string() y2=PLOT_H.to_string() class="lane-grid" />
                <line x1="0" y1="0" x2="0" y2=PLOT_H.to_string() class="lane-grid" />
                <text x=(PLOT_W / 2.0).to_string() y=(PLOT_H + 20.0).to_string() class="lane-axis">"arrival (processing time) →"</text>
                <text x="-36" y="10" class="lane-axis">"event"</text>
                <text x="-36" y="22" class="lane-axis">"time ↑"</text>
                {move || picture.with(|p| view! {
                    <path d=p.watermark.clone() class="watermark-line" />
                    {p.dots.iter().map(|(x, y, late)| if *late {
                        view! { <path d=format!("M{} {} l6 6 m0 -6 l-6 6", x - 3.0, y - 3.0) class="late-event" /> }.into_any()
                    } else {
                        view! { <circle cx=x.to_string() cy=y.to_string() r="2.4" class="event" /> }.into_any()
                    }).collect_view()}
                })}
            </svg>
        </div>
    }
}

/// What a run gave: rows, or an error with where it is in the code.
#[derive(Clone, Debug, PartialEq)]
enum Ran {
    Rows(Vec<ResultRow>, usize),
    Failed { message: String, at: Option<(u32, u32)> },
}

fn run_example(code: &str, language: Language, input: &str) -> Ran {
    let mut rows = Vec::new();
    let mut total = 0usize;
    let result = match language {
        Language::Sql => {
            let schema: serde_json::Value = serde_json::from_str(BIKE_SCHEMA).unwrap_or_default();
            drive_sql(code, Some(&schema), None, input, &mut |e| {
                total += 1;
                if rows.len() < RESULT_ROWS {
                    rows.push(ResultRow::from_emitted(e));
                }
                Ok(())
            })
            .map(|_| ())
        }
        Language::Pipeline => match serde_json::from_str::<serde_json::Value>(code) {
            Err(e) => Err(BatchError::Pipeline(format!("not JSON: {e}"))),
            Ok(p) => drive_pipeline(&p, input, None, &mut |o| {
                total += 1;
                if rows.len() < RESULT_ROWS {
                    rows.push(ResultRow::from_output(o));
                }
                Ok(())
            })
            .map(|_| ()),
        },
    };
    match result {
        Ok(()) => Ran::Rows(rows, total),
        Err(BatchError::Sql(e)) => Ran::Failed { message: e.to_string(), at: Some((e.pos.line, e.pos.col)) },
        Err(e) => Ran::Failed { message: e.to_string(), at: None },
    }
}

#[component]
fn Editor() -> impl IntoView {
    let first = &ALL[2];
    let chosen = RwSignal::new(first.name);
    let code = RwSignal::new(first.text.to_string());
    let ran = RwSignal::new(None::<Ran>);
    // The example whose language and sample input a run uses: the chosen one, or the builder's source.
    let source = RwSignal::new(first.name);
    let example = move || find(source.get()).unwrap_or(&ALL[0]);
    let run = move || {
        let e = find(source.get_untracked()).unwrap_or(&ALL[0]);
        ran.set(Some(run_example(&code.get_untracked(), e.language, &sample_input(e))));
    };
    run();
    let build = Callback::new(move |(json, from): (String, &'static str)| {
        code.set(json);
        source.set(from);
        run();
    });
    let seed_program = find("error_counter_windowed").and_then(|e| serde_json::from_str(e.text).ok());
    let initial = seed_program.map(|v| PipelineForm::from_json(&v)).unwrap_or_default();
    let error_at = move || match ran.get() {
        Some(Ran::Failed { at, .. }) => at,
        _ => None,
    };
    view! {
        <div class="preset-row">
            <label for="an-example">"Example"</label>
            <select id="an-example" data-testid="an-example" on:change=move |ev| {
                if let Some(e) = find(&event_target_value(&ev)) {
                    chosen.set(e.name);
                    source.set(e.name);
                    code.set(e.text.to_string());
                    run();
                }
            }>
                {ALL.iter().map(|e| view! { <option value=e.name selected=e.name == first.name>{e.title}</option> }).collect_view()}
            </select>
            <button class="btn small" data-testid="an-run" on:click=move |_| run()>"Run"</button>
        </div>
        <details class="builder-details">
            <summary data-testid="open-builder">"Pipeline builder: source → operators → window → aggregate → sink"</summary>
            <PipelineBuilder initial=initial editor=code on_build=build />
        </details>
        <p class="panel-note">{move || {
            let e = example();
            let lines = sample_input(e).lines().count();
            match e.language {
                Language::Sql => format!("Runs over {lines} sample bike events (the book's schema, eventUTCTime as TIMESTAMP), each row entering SOURCE_SQL_STREAM_001 at its arrival; at the end of the input every window closes."),
                Language::Pipeline => format!("Runs over {lines} sample records as a Flink-style job; at the end of the input event time jumps to +∞ and every window fires."),
            }
        }}</p>
        <div class="code-editor">
            <pre class="code-highlight" aria-hidden="true">
                {move || highlight(&code.get(), error_at()).into_iter().map(|p| {
                    let class = if p.error { format!("{} err", p.class) } else { p.class.to_string() };
                    view! { <span class=class>{p.text}</span> }
                }).collect_view()}
                "\n"
            </pre>
            <textarea class="code-input" data-testid="an-code" spellcheck="false" prop:value=move || code.get()
                on:input=move |ev| code.set(event_target_value(&ev)) />
        </div>
        {move || match ran.get() {
            Some(Ran::Failed { message, .. }) => view! { <p class="inline-error" role="alert" data-testid="an-error">{message}</p> }.into_any(),
            Some(Ran::Rows(rows, total)) => view! {
                <p class="panel-note" data-testid="an-count">{format!("{total} rows emitted{}", if total > rows.len() { format!(", the first {} shown", rows.len()) } else { String::new() })}</p>
                <div class="table-scroll">
                <table class="deliveries results" data-testid="an-results">
                    <thead><tr><th>"Stream"</th><th>"ROWTIME"</th><th>"Row"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let class = if r.stream == "error_stream" || r.stream.starts_with("late") { "outcome-failed" } else if r.late_firing { "late-firing" } else { "" };
                            let cells = r.cells.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("  ");
                            view! { <tr class=class><td>{r.stream}</td><td class="mono">{r.at}</td><td class="mono">{cells}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any(),
            None => ().into_any(),
        }}
    }
}
