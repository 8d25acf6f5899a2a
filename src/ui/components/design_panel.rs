//! The design panel: one stream, its producers and its consumers, edited as a form. Apply turns the form
//! into a scenario (the engine's own checks run first: a bad value is marked beside its input and
//! nothing is applied) and loads it into the worker, paused at time zero.

use crate::engine::rng::{Seed, SimRng};
use crate::engine::workload::template::Template;
use crate::ui::EngineHandle;
use crate::view_model::design::{ConsumerForm, Design, FieldError, ProducerForm};
use leptos::prelude::*;

/// The form's state, shared by its fields.
#[derive(Clone, Copy)]
struct Form {
    design: RwSignal<Design>,
    errors: RwSignal<Vec<FieldError>>,
}

impl Form {
    /// A labelled text input bound to one field of the design, with its error beneath.
    fn input(
        self,
        label: &'static str,
        key: String,
        get: impl Fn(&Design) -> String + Send + Sync + 'static,
        set: impl Fn(&mut Design, String) + Send + Sync + 'static,
        testid: Option<&'static str>,
    ) -> impl IntoView {
        let id = field_id(&key);
        let error = self.error(key);
        let invalid = error.clone();
        let design = self.design;
        view! {
            <div class="form-field">
                <label for=id.clone()>{label}</label>
                <input
                    id=id.clone()
                    data-testid=testid
                    aria-invalid=move || invalid().is_some().then_some("true")
                    aria-describedby=format!("{id}-error")
                    prop:value=move || design.with(&get)
                    on:change=move |ev| design.update(|d| set(d, event_target_value(&ev)))
                />
                <span class="field-error" id=format!("{id}-error")>{error}</span>
            </div>
        }
    }

    /// A labelled select bound to one field; `options` are (value, text).
    fn select(
        self,
        label: &'static str,
        key: String,
        options: &'static [(&'static str, &'static str)],
        get: impl Fn(&Design) -> String + Send + Sync + Clone + 'static,
        set: impl Fn(&mut Design, String) + Send + Sync + 'static,
    ) -> impl IntoView {
        let id = field_id(&key);
        let design = self.design;
        let choices = options
            .iter()
            .map(|(value, text)| {
                let get = get.clone();
                view! { <option value=*value selected=move || design.with(&get) == *value>{*text}</option> }
            })
            .collect_view();
        view! {
            <div class="form-field">
                <label for=id.clone()>{label}</label>
                <select id=id on:change=move |ev| design.update(|d| set(d, event_target_value(&ev)))>
                    {choices}
                </select>
            </div>
        }
    }

    /// A labelled checkbox bound to one field.
    fn check(
        self,
        label: &'static str,
        key: String,
        get: impl Fn(&Design) -> bool + Send + Sync + 'static,
        set: impl Fn(&mut Design, bool) + Send + Sync + 'static,
    ) -> impl IntoView {
        let id = field_id(&key);
        let design = self.design;
        view! {
            <div class="form-field check">
                <input
                    type="checkbox"
                    id=id.clone()
                    prop:checked=move || design.with(&get)
                    on:change=move |ev| design.update(|d| set(d, event_target_checked(&ev)))
                />
                <label for=id>{label}</label>
            </div>
        }
    }

    /// The message for `key`, if the last Apply found one.
    fn error(self, key: String) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
        let errors = self.errors;
        move || errors.with(|all| all.iter().find(|e| e.field == key).map(|e| e.message.clone()))
    }
}

/// An element id from a field key: `producers[0].rate.per_second` → `f-producers-0-rate-per_second`.
fn field_id(key: &str) -> String {
    let mut id = String::from("f-");
    for c in key.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

const MODES: &[(&str, &str)] = &[("provisioned", "provisioned"), ("on_demand", "on-demand")];
const RATES: &[(&str, &str)] = &[("constant", "constant"), ("ramp", "ramp"), ("bursts", "bursts")];
const KEYS: &[(&str, &str)] = &[
    ("uniform", "uniform over N keys"),
    ("hot_key", "one hot key + N others"),
    ("zipf", "Zipf over N keys"),
    ("random", "random UUID per record"),
    ("single", "one key for everything"),
    ("salted", "one key salted N ways"),
];
const APIS: &[(&str, &str)] = &[("put_records", "PutRecords (batches)"), ("put_record", "PutRecord (one per call)")];
const KINDS: &[(&str, &str)] = &[
    ("polling", "polling GetRecords"),
    ("kcl", "KCL application"),
    ("efo", "enhanced fan-out"),
    ("lambda", "Lambda mapping"),
];
const STARTS: &[(&str, &str)] = &[("latest", "LATEST"), ("trim_horizon", "TRIM_HORIZON")];

/// The design panel.
#[component]
pub fn DesignPanel() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let form = Form { design: RwSignal::new(Design::default()), errors: RwSignal::new(Vec::new()) };
    let design = form.design;
    let applied = RwSignal::new(false);
    let apply = move |_| match design.with_untracked(|d| d.to_scenario(engine.seed().get_untracked().0)) {
        Ok(scenario) => {
            form.errors.set(Vec::new());
            applied.set(true);
            engine.load_scenario(serde_json::to_string_pretty(&scenario).expect("scenarios serialise"), None);
        }
        Err(errors) => {
            applied.set(false);
            form.errors.set(errors);
        }
    };
    let general = move || form.errors.with(|all| all.iter().find(|e| e.field.is_empty()).map(|e| e.message.clone()));
    let count = move || form.errors.with(Vec::len);
    let s = |f: fn(&mut Design, String)| f;
    view! {
        <section class="design-panel" aria-label="design">
            <p class="panel-note">
                "Design one stream with its producers and consumers, then Apply: the run restarts paused at time zero with this design. Values are checked by the engine first; a bad one is marked and nothing changes."
            </p>
            <fieldset>
                <legend>"Stream"</legend>
                {form.input("name", "streams[0].name".into(), |d| d.stream.name.clone(), s(|d, v| d.stream.name = v), None)}
                {form.select("capacity mode", "streams[0].mode".into(), MODES, |d| d.stream.mode.clone(), s(|d, v| d.stream.mode = v))}
                <Show when=move || design.with(|d| d.stream.mode != "on_demand")>
                    {form.input("shards", "streams[0].shards".into(), |d| d.stream.shards.clone(), s(|d, v| d.stream.shards = v), Some("shard-count"))}
                </Show>
                {form.input("retention (hours)", "streams[0].retention_hours".into(), |d| d.stream.retention_hours.clone(), s(|d, v| d.stream.retention_hours = v), None)}
                {form.input("run length (s)", "duration_s".into(), |d| d.duration_s.clone(), s(|d, v| d.duration_s = v), None)}
            </fieldset>
            <For
                each=move || 0..design.with(|d| d.producers.len())
                key=|i| *i
                children=move |i| producer_fields(form, i, engine.seed())
            />
            <button class="btn small" on:click=move |_| design.update(|d| d.producers.push(ProducerForm { name: format!("producer-{}", d.producers.len() + 1), ..ProducerForm::default() }))>
                "Add a producer"
            </button>
            <For each=move || 0..design.with(|d| d.consumers.len()) key=|i| *i children=move |i| consumer_fields(form, i) />
            <button class="btn small" on:click=move |_| design.update(|d| d.consumers.push(ConsumerForm { name: format!("reader-{}", d.consumers.len() + 1), ..ConsumerForm::default() }))>
                "Add a consumer"
            </button>
            <div class="apply-row">
                <button class="btn primary" data-testid="apply-design" on:click=apply>"Apply design"</button>
                <span role="status" class="apply-status">
                    {move || match (count(), applied.get()) {
                        (0, true) => "Applied: press Play.".to_string(),
                        (0, false) => String::new(),
                        (1, _) => "Not applied: one value needs fixing (marked).".to_string(),
                        (n, _) => format!("Not applied: {n} values need fixing (marked)."),
                    }}
                </span>
            </div>
            <Show when=move || general().is_some()>
                <p class="inline-error" role="alert">{general}</p>
            </Show>
        </section>
    }
}

fn producer_fields(form: Form, i: usize, seed: ReadSignal<Seed>) -> impl IntoView {
    let design = form.design;
    let key = move |f: &str| format!("producers[{i}].{f}");
    let p = move |d: &Design| d.producers.get(i).cloned().unwrap_or_default();
    let kind = move || design.with(|d| p(d).key_kind);
    let rate = move || design.with(|d| p(d).rate_kind);
    let with = move |d: &mut Design, f: &dyn Fn(&mut ProducerForm)| {
        if let Some(p) = d.producers.get_mut(i) {
            f(p)
        }
    };
    let preview = move || {
        let text = design.with(|d| p(d).template);
        if text.trim().is_empty() {
            return None;
        }
        Some(match Template::parse(&text) {
            Ok(t) => {
                let mut rng = SimRng::new(seed.get()).fork("preview");
                (0..2).map(|_| t.render(&mut rng, 1_704_067_200_000)).collect::<Vec<_>>().join("\n")
            }
            Err(e) => format!("The template does not parse: {e}"),
        })
    };
    view! {
        <fieldset>
            <legend>{move || format!("Producer {}", i + 1)}</legend>
            {form.input("name", key("name"), move |d| p(d).name, move |d, v| with(d, &|p| p.name = v.clone()), None)}
            {form.select("rate profile", key("rate.kind"), RATES, move |d| p(d).rate_kind, move |d, v| with(d, &|p| p.rate_kind = v.clone()))}
            {form.input("records/s", key("rate.per_second"), move |d| p(d).per_second, move |d, v| with(d, &|p| p.per_second = v.clone()), None)}
            <Show when=move || rate() == "ramp">
                {form.input("ramp to (records/s)", key("rate.to_per_second"), move |d| p(d).ramp_to, move |d, v| with(d, &|p| p.ramp_to = v.clone()), None)}
                {form.input("ramp from (s)", key("rate.start_s"), move |d| p(d).ramp_start_s, move |d, v| with(d, &|p| p.ramp_start_s = v.clone()), None)}
                {form.input("ramp until (s)", key("rate.end_s"), move |d| p(d).ramp_end_s, move |d, v| with(d, &|p| p.ramp_end_s = v.clone()), None)}
            </Show>
            <Show when=move || rate() == "bursts">
                {form.input("a burst every (s)", key("rate.every_s"), move |d| p(d).every_s, move |d, v| with(d, &|p| p.every_s = v.clone()), None)}
                {form.input("burst length (s)", key("rate.duration_s"), move |d| p(d).burst_s, move |d, v| with(d, &|p| p.burst_s = v.clone()), None)}
            </Show>
            {form.select("partition keys", key("keys.kind"), KEYS, move |d| p(d).key_kind, move |d, v| with(d, &|p| p.key_kind = v.clone()))}
            <Show when=move || matches!(kind().as_str(), "uniform" | "hot_key" | "zipf" | "salted")>
                {form.input("N (keys or salts)", key(if kind() == "salted" { "keys.salts" } else { "keys.keys" }), move |d| p(d).keys, move |d, v| with(d, &|p| p.keys = v.clone()), None)}
            </Show>
            <Show when=move || kind() == "hot_key">
                <div class="form-field">
                    <label for=format!("f-producers-{i}-keys-hot_share")>
                        {move || format!("hot key's share: {} %", design.with(|d| p(d).hot_share_percent))}
                    </label>
                    <input
                        type="range"
                        min="0"
                        max="100"
                        id=format!("f-producers-{i}-keys-hot_share")
                        prop:value=move || design.with(|d| p(d).hot_share_percent)
                        on:input=move |ev| design.update(|d| with(d, &|p| p.hot_share_percent = event_target_value(&ev)))
                    />
                </div>
            </Show>
            <Show when=move || matches!(kind().as_str(), "single" | "salted")>
                {form.input("key", key("keys.key"), move |d| p(d).key, move |d, v| with(d, &|p| p.key = v.clone()), None)}
            </Show>
            {form.input("record size (bytes, without a template)", key("size"), move |d| p(d).size_bytes, move |d, v| with(d, &|p| p.size_bytes = v.clone()), None)}
            <div class="form-field wide">
                <label for=format!("f-producers-{i}-template")>"Kinesis Data Generator template (optional)"</label>
                <textarea
                    id=format!("f-producers-{i}-template")
                    rows="2"
                    placeholder="{\"stationId\": {{random.number(950)}}, \"at\": \"{{date.now}}\"}"
                    prop:value=move || design.with(|d| p(d).template)
                    on:input=move |ev| design.update(|d| with(d, &|p| p.template = event_target_value(&ev)))
                />
                <span class="field-error">{form.error(key("template"))}</span>
                {move || preview().map(|text| view! { <pre class="template-preview" aria-label="two sample records">{text}</pre> })}
            </div>
            {form.select("API", key("api"), APIS, move |d| p(d).api, move |d, v| with(d, &|p| p.api = v.clone()))}
            {form.input("records per call", key("batch.max_records"), move |d| p(d).batch_max_records, move |d, v| with(d, &|p| p.batch_max_records = v.clone()), None)}
            {form.input("linger (ms)", key("batch.linger_ms"), move |d| p(d).linger_ms, move |d, v| with(d, &|p| p.linger_ms = v.clone()), None)}
            {form.input("attempts per record", key("retry.max_attempts"), move |d| p(d).max_attempts, move |d, v| with(d, &|p| p.max_attempts = v.clone()), None)}
            {form.check("KPL with aggregation", key("kpl"), move |d| p(d).kpl, move |d, v| with(d, &|p| p.kpl = v))}
            <button class="btn small" on:click=move |_| design.update(|d| { if i < d.producers.len() { d.producers.remove(i); } })>
                "Remove this producer"
            </button>
        </fieldset>
    }
}

fn consumer_fields(form: Form, i: usize) -> impl IntoView {
    let design = form.design;
    let key = move |f: &str| format!("consumers[{i}].{f}");
    let c = move |d: &Design| d.consumers.get(i).cloned().unwrap_or_default();
    let kind = move || design.with(|d| c(d).kind);
    let with = move |d: &mut Design, f: &dyn Fn(&mut ConsumerForm)| {
        if let Some(c) = d.consumers.get_mut(i) {
            f(c)
        }
    };
    view! {
        <fieldset>
            <legend>{move || format!("Consumer {}", i + 1)}</legend>
            {form.select("kind", key("kind"), KINDS, move |d| c(d).kind, move |d, v| with(d, &|c| c.kind = v.clone()))}
            {form.input("name", key("name"), move |d| c(d).name, move |d, v| with(d, &|c| c.name = v.clone()), None)}
            {form.input("how many like it", key("copies"), move |d| c(d).copies, move |d, v| with(d, &|c| c.copies = v.clone()), Some("consumer-count"))}
            {form.select("starting position", key("start"), STARTS, move |d| c(d).start, move |d, v| with(d, &|c| c.start = v.clone()))}
            <Show when=move || kind() == "polling">
                {form.input("pause between polls (ms)", key("poll_ms"), move |d| c(d).poll_ms, move |d, v| with(d, &|c| c.poll_ms = v.clone()), None)}
                {form.input("GetRecords Limit", key("limit"), move |d| c(d).limit, move |d, v| with(d, &|c| c.limit = v.clone()), None)}
            </Show>
            <Show when=move || matches!(kind().as_str(), "polling" | "kcl")>
                {form.input("processing per record (ms)", key("process_ms_per_record"), move |d| c(d).process_ms_per_record, move |d, v| with(d, &|c| c.process_ms_per_record = v.clone()), None)}
            </Show>
            <Show when=move || kind() == "kcl">
                {form.input("workers", key("workers"), move |d| c(d).workers, move |d, v| with(d, &|c| c.workers = v.clone()), None)}
            </Show>
            <Show when=move || kind() == "lambda">
                {form.input("BatchSize", key("batch_size"), move |d| c(d).batch_size, move |d, v| with(d, &|c| c.batch_size = v.clone()), None)}
                {form.input("MaximumBatchingWindowInSeconds", key("batching_window_s"), move |d| c(d).batching_window_s, move |d, v| with(d, &|c| c.batching_window_s = v.clone()), None)}
                {form.input("ParallelizationFactor", key("parallelization_factor"), move |d| c(d).parallelization_factor, move |d, v| with(d, &|c| c.parallelization_factor = v.clone()), None)}
                {form.input("MaximumRetryAttempts", key("max_retry_attempts"), move |d| c(d).max_retry_attempts, move |d, v| with(d, &|c| c.max_retry_attempts = v.clone()), None)}
                {form.check("BisectBatchOnFunctionError", key("bisect_on_error"), move |d| c(d).bisect_on_error, move |d, v| with(d, &|c| c.bisect_on_error = v))}
                {form.check("ReportBatchItemFailures", key("report_batch_item_failures"), move |d| c(d).report_batch_item_failures, move |d, v| with(d, &|c| c.report_batch_item_failures = v))}
            </Show>
            <button class="btn small" on:click=move |_| design.update(|d| { if i < d.consumers.len() { d.consumers.remove(i); } })>
                "Remove this consumer"
            </button>
        </fieldset>
    }
}
