//! The Redshift cluster a Firehose stream COPYs into: the COPY queue as the stream sees it, drills (the
//! cluster unreachable, the table dropped), and a SQL box over the Redshift Data API — the table's rows,
//! STL_LOAD_ERRORS, STL_LOAD_COMMITS, or any statement the lab reads — through the worker, as
//! `kinesis-lab api` takes them.

use crate::engine::firehose::view::RedshiftView;
use crate::ui::EngineHandle;
use crate::view_model::destinations::statement_table;
use leptos::prelude::*;
use serde_json::{json, Value};

/// What the result area shows: a table, a status line, or nothing yet.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Nothing,
    Line(String),
    Table(Vec<String>, Vec<Vec<String>>),
}

/// The cluster of `redshift`; queries again whenever `version` changes (a COPY ended).
#[component]
pub fn RedshiftPanel(redshift: Signal<Option<RedshiftView>>, version: Signal<u64>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let sql = RwSignal::new(String::new());
    let shown = RwSignal::new(Shown::Nothing);
    // The call awaited, and what it is: the statement, then its description, then its result.
    let waiting = StoredValue::new((0u64, 0u8));
    let cluster = move || {
        redshift.with_untracked(|r| r.as_ref().map(|r| (r.cluster.clone(), r.database.clone(), r.table.clone())))
    };
    let run = move |text: String| {
        let Some((cluster, database, _)) = cluster() else { return };
        sql.set(text.clone());
        let id = engine.call(
            "redshift-data",
            "ExecuteStatement",
            json!({"ClusterIdentifier": cluster, "Database": database, "Sql": text}).to_string(),
        );
        waiting.set_value((id, 0));
    };
    let rows_query = move || cluster().map(|(_, _, table)| format!("SELECT * FROM {table} LIMIT 20"));
    Effect::new(move |_| {
        version.track();
        let query = untrack(|| if sql.get().is_empty() { rows_query() } else { Some(sql.get()) });
        if let Some(q) = query {
            untrack(|| run(q));
        }
    });
    Effect::new(move |_| {
        let Some(answer) = engine.answer().get() else { return };
        let (id, step) = waiting.get_value();
        if answer.id != id {
            return;
        }
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        if answer.error {
            shown.set(Shown::Line(format!(
                "{}: {}",
                body["__type"].as_str().unwrap_or("Error"),
                body["message"].as_str().unwrap_or("")
            )));
            return;
        }
        match step {
            0 => {
                let id = engine.call("redshift-data", "DescribeStatement", json!({"Id": body["Id"]}).to_string());
                waiting.set_value((id, 1));
            }
            1 if body["Status"] == "FAILED" => {
                shown.set(Shown::Line(body["Error"].as_str().unwrap_or("FAILED").to_string()))
            }
            1 if body["HasResultSet"] == Value::Bool(true) => {
                let id = engine.call("redshift-data", "GetStatementResult", json!({"Id": body["Id"]}).to_string());
                waiting.set_value((id, 2));
            }
            1 => shown.set(Shown::Line(format!("{}: done", body["QueryString"].as_str().unwrap_or("")))),
            _ => {
                let (columns, rows) = statement_table(&body);
                shown.set(Shown::Table(columns, rows));
            }
        }
    });
    let outage = move |_| {
        if let Some((cluster, _, _)) = cluster() {
            engine.call(
                "redshift-data",
                "InjectOutage",
                json!({"ClusterIdentifier": cluster, "DurationSeconds": 600}).to_string(),
            );
        }
    };
    let drop_table = move |_| {
        if let Some((_, _, table)) = cluster() {
            run(format!("DROP TABLE {table}"));
        }
    };
    let status = move || {
        redshift.with(|r| {
            r.as_ref().map(|r| {
                let last = r.last.clone().unwrap_or_else(|| "no COPY yet".into());
                format!(
                    "COPY options: {}. Retries every 5 minutes for {} s, then the batch is skipped. Last COPY: {last}",
                    if r.copy_options.is_empty() { "(none: pipe-delimited text)" } else { &r.copy_options },
                    r.retry_s
                )
            })
        })
    };
    view! {
        <div class="redshift-panel" data-testid="fh-redshift">
            <p class="panel-note" data-testid="fh-redshift-status">{status}</p>
            <div class="drill-row">
                <button class="btn small" data-testid="drill-cluster-outage" on:click=outage>"Cluster unreachable: 10 min"</button>
                <button class="btn small" data-testid="drill-drop-table" on:click=drop_table>"Drop the table"</button>
            </div>
            <div class="drill-row">
                <button class="btn small" on:click=move |_| { if let Some(q) = rows_query() { run(q) } }>"Rows"</button>
                <button class="btn small" data-testid="fh-load-errors" on:click=move |_| run("SELECT query, line_number, colname, raw_field_value, err_code, err_reason FROM stl_load_errors LIMIT 20".into())>"Load errors"</button>
                <button class="btn small" on:click=move |_| run("SELECT * FROM stl_load_commits LIMIT 20".into())>"Load commits"</button>
            </div>
            <form class="sql-row" on:submit=move |ev| { ev.prevent_default(); run(sql.get_untracked()) }>
                <input class="sql-input" data-testid="fh-sql" prop:value=move || sql.get() on:input=move |ev| sql.set(event_target_value(&ev))
                    placeholder="CREATE TABLE t (a INTEGER, b VARCHAR(16)) · SELECT COUNT(*) FROM t" />
                <button class="btn small" type="submit">"Run"</button>
            </form>
            <div class="parquet-scroll" data-testid="fh-sql-result">
                {move || match shown.get() {
                    Shown::Nothing => view! { <p class="panel-note">"Nothing run yet."</p> }.into_any(),
                    Shown::Line(text) => view! { <p class="panel-note">{text}</p> }.into_any(),
                    Shown::Table(columns, rows) => view! {
                        <table class="parquet-rows">
                            <thead><tr>{columns.into_iter().map(|c| view! { <th>{c}</th> }).collect_view()}</tr></thead>
                            <tbody>{rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}
