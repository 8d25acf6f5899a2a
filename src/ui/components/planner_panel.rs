//! The capacity planner: the sizing formula's inputs, its answer (each term, the binding one, the AWS seed
//! formula, the hot-key check, the UpdateShardCount steps, the monthly cost) as you type, and a check by
//! simulation that runs the answer's shard count and one fewer side by side.

use crate::planner::check::CheckRun;
use crate::ui::EngineHandle;
use crate::view_model::format::count;
use crate::view_model::planner_form::{answer_lines, plan, PlannerForm};
use leptos::prelude::*;

/// One input of the form: (label, field name, read, write).
type Field = (&'static str, &'static str, fn(&PlannerForm) -> String, fn(&mut PlannerForm, String));

const FIELDS: [Field; 9] = [
    ("Peak records/s", "records_per_second", |f| f.records_per_second.clone(), |f, v| f.records_per_second = v),
    ("Average record size (data + key), bytes", "record_bytes", |f| f.record_bytes.clone(), |f, v| f.record_bytes = v),
    ("Polling consumers", "polling_consumers", |f| f.polling_consumers.clone(), |f, v| f.polling_consumers = v),
    (
        "GetRecords calls/s per shard, each",
        "polls_per_second",
        |f| f.polls_per_second.clone(),
        |f, v| f.polls_per_second = v,
    ),
    ("Enhanced fan-out consumers", "efo_consumers", |f| f.efo_consumers.clone(), |f, v| f.efo_consumers = v),
    ("Plan for % of capacity", "headroom_percent", |f| f.headroom_percent.clone(), |f, v| f.headroom_percent = v),
    (
        "Hottest key's % of records (blank: unknown)",
        "hottest_key_percent",
        |f| f.hottest_key_percent.clone(),
        |f, v| f.hottest_key_percent = v,
    ),
    (
        "Open shards today (blank: new stream)",
        "current_shards",
        |f| f.current_shards.clone(),
        |f, v| f.current_shards = v,
    ),
    ("Retention, hours", "retention_hours", |f| f.retention_hours.clone(), |f, v| f.retention_hours = v),
];

/// The planner panel.
#[component]
pub fn PlannerPanel() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let form = RwSignal::new(PlannerForm::default());
    let planned = Memo::new(move |_| form.with(plan));
    let error = move |field: &'static str| {
        move || {
            planned.with(|p| {
                p.as_ref().err().and_then(|es| es.iter().find(|e| e.field == field).map(|e| e.message.clone()))
            })
        }
    };
    let fields = FIELDS
        .into_iter()
        .map(|(label, field, get, set)| {
            let id = format!("p-{field}");
            view! {
                <div class="form-field">
                    <label for=id.clone()>{label}</label>
                    <input
                        id=id.clone()
                        data-testid=id.clone()
                        inputmode="decimal"
                        aria-invalid=move || error(field)().is_some().then_some("true")
                        aria-describedby=format!("{id}-error")
                        prop:value=move || form.with(get)
                        on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                    />
                    <span class="field-error" id=format!("{id}-error")>{error(field)}</span>
                </div>
            }
        })
        .collect_view();
    let lines = move || planned.with(|p| p.as_ref().ok().map(|(d, s)| answer_lines(d, s)).unwrap_or_default());
    let check = move |_| {
        if let Ok((design, _)) = planned.get_untracked() {
            engine.check_plan(design);
        }
    };
    view! {
        <section class="planner-panel" aria-label="capacity planner">
            <fieldset>
                <legend>"Load"</legend>
                {fields}
                <div class="form-field check">
                    <input type="checkbox" id="p-kpl" prop:checked=move || form.with(|f| f.kpl) on:change=move |ev| form.update(|f| f.kpl = event_target_checked(&ev)) />
                    <label for="p-kpl">"Producers aggregate with the KPL"</label>
                </div>
            </fieldset>
            <Show when=move || planned.with(Result::is_ok) fallback=|| view! { <p class="panel-note">"Fix the marked fields to see the answer."</p> }>
                <dl class="planner-answer" data-testid="planner-answer">
                    {move || lines().into_iter().map(|(what, value)| view! { <dt>{what}</dt><dd>{value}</dd> }).collect_view()}
                </dl>
            </Show>
            <div class="apply-row">
                <button class="btn primary" data-testid="check-plan" disabled=move || planned.with(Result::is_err) || engine.plan_checking().get() on:click=check>
                    "Check by simulation"
                </button>
                <span class="apply-status" role="status">
                    {move || engine.plan_checking().get().then_some("Simulating 10 minutes at the answer and at one shard fewer…")}
                </span>
            </div>
            {move || engine.plan_check().get().map(|c| {
                let runs: Vec<CheckRun> = std::iter::once(c.at_answer.clone()).chain(c.one_fewer.clone()).collect();
                view! {
                    <p class=if c.agrees { "check-note good" } else { "check-note bad" } data-testid="check-note">{c.note.clone()}</p>
                    <div class="table-scroll">
                        <table class="clients check-runs" data-testid="check-runs">
                            <thead>
                                <tr>
                                    <th scope="col">"10 simulated minutes at"</th>
                                    {runs.iter().map(|r| view! { <th scope="col" class="num">{format!("{} shards", r.shards)}</th> }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {check_rows(&runs)}
                            </tbody>
                        </table>
                    </div>
                }
            })}
        </section>
    }
}

/// A row of the check's table: what, and its value in one run.
type CheckRow = (&'static str, fn(&CheckRun) -> String);

fn check_rows(runs: &[CheckRun]) -> impl IntoView {
    let rows: [CheckRow; 7] = [
        ("user records written", |r| count(r.records)),
        ("write attempts throttled", |r| count(r.throttled_records)),
        ("records dropped after retries", |r| count(r.dropped_records)),
        ("GetRecords calls throttled", |r| count(r.throttled_reads)),
        ("highest iterator age", |r| format!("{} ms", count(r.max_iterator_age_ms))),
        ("furthest consumer behind at the end", |r| format!("{} ms", count(r.behind_ms_end))),
        ("keeps up", |r| if r.keeps_up { "yes".into() } else { "no".into() }),
    ];
    rows.into_iter()
        .map(|(what, value)| {
            view! {
                <tr>
                    <th scope="row">{what}</th>
                    {runs.iter().map(|r| view! { <td class="num">{value(r)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view()
}
