//! The Analytics lab's pipeline builder: forms for source → operators → key and time → window →
//! aggregate → sink that write the pipeline JSON into the editor and run it; it can also read the
//! editor's pipeline back into the forms.

use crate::view_model::pipeline_form::{AggregateRow, OperatorRow, PipelineForm};
use leptos::prelude::*;

/// Where a form field lives in the form.
type Lens = fn(&mut PipelineForm) -> &mut String;

/// The sample inputs a built pipeline can run over: (the example whose input it is, label).
pub const SOURCES: [(&str, &str); 2] = [
    ("rental_count_job", "bike events (stationId, action, tripDuration, price, eventUTCTime)"),
    ("error_counter_windowed", "access-log records (line, ts)"),
];

fn read(form: RwSignal<PipelineForm>, lens: Lens) -> String {
    form.with(|f| lens(&mut f.clone()).clone())
}

fn input(form: RwSignal<PipelineForm>, label: &'static str, testid: &'static str, lens: Lens) -> impl IntoView {
    view! {
        <label>
            {label}
            <input type="text" data-testid=testid prop:value=move || read(form, lens)
                on:input=move |ev| form.update(|f| *lens(f) = event_target_value(&ev)) />
        </label>
    }
}

fn choice(
    form: RwSignal<PipelineForm>,
    label: &'static str,
    testid: &'static str,
    options: &'static [&'static str],
    lens: Lens,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select data-testid=testid on:change=move |ev| form.update(|f| *lens(f) = event_target_value(&ev))>
                {options.iter().map(|o| view! { <option value=*o selected=move || read(form, lens) == *o>{*o}</option> }).collect_view()}
            </select>
        </label>
    }
}

fn operator_row(form: RwSignal<PipelineForm>, i: usize) -> impl IntoView {
    let get = move |pick: fn(&OperatorRow) -> String| form.with(|f| f.operators.get(i).map(pick).unwrap_or_default());
    let set = move |put: fn(&mut OperatorRow, String), v: String| {
        form.update(|f| {
            if let Some(op) = f.operators.get_mut(i) {
                put(op, v)
            }
        })
    };
    view! {
        <div class="builder-row" data-testid=format!("pb-op-{i}")>
            <select aria-label="operator" on:change=move |ev| set(|o, v| o.kind = v, event_target_value(&ev))>
                {["map", "filter", "flat_map"].map(|k| view! { <option value=k selected=move || get(|o| o.kind.clone()) == k>{k}</option> }).collect_view()}
            </select>
            {move || match get(|o| o.kind.clone()).as_str() {
                "map" => view! {
                    <textarea rows=move || get(|o| o.text.clone()).lines().count().clamp(2, 8).to_string() aria-label="fields" placeholder="field = expression, one per line"
                        prop:value=move || get(|o| o.text.clone())
                        on:input=move |ev| set(|o, v| o.text = v, event_target_value(&ev)) />
                }.into_any(),
                "flat_map" => view! {
                    <input type="text" aria-label="split" placeholder="expression to split" prop:value=move || get(|o| o.text.clone())
                        on:input=move |ev| set(|o, v| o.text = v, event_target_value(&ev)) />
                    <input type="text" class="short" aria-label="on" placeholder="separator" prop:value=move || get(|o| o.on.clone())
                        on:input=move |ev| set(|o, v| o.on = v, event_target_value(&ev)) />
                    <input type="text" class="short" aria-label="as" placeholder="as field" prop:value=move || get(|o| o.field.clone())
                        on:input=move |ev| set(|o, v| o.field = v, event_target_value(&ev)) />
                }.into_any(),
                _ => view! {
                    <input type="text" aria-label="condition" placeholder="condition, e.g. status <> '200'" prop:value=move || get(|o| o.text.clone())
                        on:input=move |ev| set(|o, v| o.text = v, event_target_value(&ev)) />
                }.into_any(),
            }}
            <button class="btn small" aria-label="remove operator" on:click=move |_| form.update(|f| { if i < f.operators.len() { f.operators.remove(i); } })>"×"</button>
        </div>
    }
}

fn aggregate_row(form: RwSignal<PipelineForm>, i: usize) -> impl IntoView {
    let get = move |pick: fn(&AggregateRow) -> String| form.with(|f| f.aggregates.get(i).map(pick).unwrap_or_default());
    let set = move |put: fn(&mut AggregateRow, String), v: String| {
        form.update(|f| {
            if let Some(a) = f.aggregates.get_mut(i) {
                put(a, v)
            }
        })
    };
    view! {
        <div class="builder-row" data-testid=format!("pb-agg-{i}")>
            <select aria-label="aggregate" on:change=move |ev| set(|a, v| a.kind = v, event_target_value(&ev))>
                {["count", "sum", "min", "max", "avg", "distinct_count", "top_k"].map(|k| view! { <option value=k selected=move || get(|a| a.kind.clone()) == k>{k}</option> }).collect_view()}
            </select>
            <input type="text" aria-label="of" placeholder="field or *" prop:value=move || get(|a| a.arg.clone())
                on:input=move |ev| set(|a, v| a.arg = v, event_target_value(&ev)) />
            {move || (get(|a| a.kind.clone()) == "top_k").then(|| view! {
                <input type="text" class="short" aria-label="k" prop:value=move || get(|a| a.k.clone())
                    on:input=move |ev| set(|a, v| a.k = v, event_target_value(&ev)) />
            })}
            " as "
            <input type="text" class="short" aria-label="as" prop:value=move || get(|a| a.name.clone())
                on:input=move |ev| set(|a, v| a.name = v, event_target_value(&ev)) />
            <button class="btn small" aria-label="remove aggregate" on:click=move |_| form.update(|f| { if i < f.aggregates.len() { f.aggregates.remove(i); } })>"×"</button>
        </div>
    }
}

/// The builder. `on_build` gets the pipeline JSON and the example whose sample input it runs over;
/// `editor` is the editor's text, for reading a pipeline back into the forms.
#[component]
pub fn PipelineBuilder(
    initial: PipelineForm,
    editor: RwSignal<String>,
    on_build: Callback<(String, &'static str)>,
) -> impl IntoView {
    let form = RwSignal::new(initial);
    let source = RwSignal::new(SOURCES[1].0);
    let problem = RwSignal::new(None::<String>);
    let run = move |_| match form.with(PipelineForm::to_json) {
        Ok(v) => {
            problem.set(None);
            on_build.run((serde_json::to_string_pretty(&v).unwrap_or_default(), source.get_untracked()));
        }
        Err(e) => problem.set(Some(e)),
    };
    let from_editor = move |_| match serde_json::from_str::<serde_json::Value>(&editor.get_untracked()) {
        Ok(v) if v.is_object() => {
            form.set(PipelineForm::from_json(&v));
            problem.set(None);
        }
        _ => problem.set(Some("The editor does not hold a pipeline (a JSON object); nothing was read.".into())),
    };
    let event = move || form.with(|f| f.time == "event");
    let window = move || form.with(|f| f.window.clone());
    view! {
        <div class="pipeline-builder" data-testid="pipeline-builder">
            <fieldset>
                <legend>"1 · Source"</legend>
                <label>
                    "sample input "
                    <select data-testid="pb-source" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((name, _)) = SOURCES.iter().find(|(n, _)| *n == v) {
                            source.set(name);
                        }
                    }>
                        {SOURCES.iter().map(|(n, label)| view! { <option value=*n selected=move || source.get() == *n>{*label}</option> }).collect_view()}
                    </select>
                </label>
                {input(form, "job name ", "pb-name", |f| &mut f.name)}
            </fieldset>
            <fieldset>
                <legend>"2 · Operators (in order)"</legend>
                {move || (0..form.with(|f| f.operators.len())).map(|i| operator_row(form, i)).collect_view()}
                <button class="btn small" data-testid="pb-add-op" on:click=move |_| form.update(|f| f.operators.push(OperatorRow {
                    kind: "filter".into(), text: String::new(), on: " ".into(), field: String::new(),
                }))>"+ operator"</button>
            </fieldset>
            <fieldset>
                <legend>"3 · Key and time"</legend>
                {input(form, "keyBy (empty: windowAll) ", "pb-key", |f| &mut f.key_by)}
                {choice(form, "time ", "pb-time", &["event", "processing"], |f| &mut f.time)}
                {move || event().then(|| view! {
                    {input(form, "timestamp field ", "pb-timestamp", |f| &mut f.timestamp)}
                    {input(form, "out-of-orderness s ", "pb-ooo", |f| &mut f.out_of_orderness_s)}
                    {input(form, "idleness s (empty: off) ", "pb-idleness", |f| &mut f.idleness_s)}
                })}
            </fieldset>
            <fieldset>
                <legend>"4 · Window"</legend>
                {choice(form, "assigner ", "pb-window", &["tumbling", "sliding", "session", "global", "none"], |f| &mut f.window)}
                {move || match window().as_str() {
                    "tumbling" => view! { {input(form, "size s ", "pb-size", |f| &mut f.size_s)} {input(form, "offset s ", "pb-offset", |f| &mut f.offset_s)} }.into_any(),
                    "sliding" => view! {
                        {input(form, "size s ", "pb-size", |f| &mut f.size_s)}
                        {input(form, "slide s ", "pb-slide", |f| &mut f.slide_s)}
                        {input(form, "offset s ", "pb-offset", |f| &mut f.offset_s)}
                    }.into_any(),
                    "session" => input(form, "gap s ", "pb-gap", |f| &mut f.gap_s).into_any(),
                    "global" => input(form, "fire every n records ", "pb-count", |f| &mut f.count).into_any(),
                    _ => view! { <span class="panel-note">"no window: each record goes straight to the sink"</span> }.into_any(),
                }}
                {move || (event() && window() != "none").then(|| view! {
                    {input(form, "allowed lateness s ", "pb-lateness", |f| &mut f.lateness_s)}
                    {input(form, "late side output (empty: drop) ", "pb-late", |f| &mut f.late_output)}
                })}
            </fieldset>
            <fieldset>
                <legend>"5 · Aggregate"</legend>
                {move || (window() != "none").then(|| view! {
                    {choice(form, "function ", "pb-function", &["aggregate", "elements", "median", "first_last"], |f| &mut f.function)}
                    {move || if form.with(|f| f.function == "aggregate") {
                        view! {
                            {move || (0..form.with(|f| f.aggregates.len())).map(|i| aggregate_row(form, i)).collect_view()}
                            <button class="btn small" data-testid="pb-add-agg" on:click=move |_| form.update(|f| f.aggregates.push(AggregateRow::default()))>"+ aggregate"</button>
                        }.into_any()
                    } else {
                        input(form, "of field ", "pb-process-field", |f| &mut f.process_field).into_any()
                    }}
                })}
            </fieldset>
            <fieldset>
                <legend>"6 · Sink"</legend>
                {choice(form, "to ", "pb-sink", &["table", "kinesis", "firehose"], |f| &mut f.sink)}
                {input(form, "name ", "pb-sink-name", |f| &mut f.sink_name)}
                {move || form.with(|f| f.sink == "kinesis").then(|| input(form, "partition key field ", "pb-pkey", |f| &mut f.partition_key))}
            </fieldset>
            <div class="preset-row">
                <button class="btn small primary" data-testid="pb-build" on:click=run>"Write the pipeline and run it"</button>
                <button class="btn small" data-testid="pb-read" on:click=from_editor>"Read the editor's pipeline into the forms"</button>
            </div>
            {move || problem.get().map(|p| view! { <p class="inline-error" role="alert" data-testid="pb-error">{p}</p> })}
        </div>
    }
}
