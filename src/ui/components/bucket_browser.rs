//! The S3 bucket a Firehose stream delivers to: prefixes as folders, objects with their size and time,
//! and an object viewer (text, with GZIP undone; Parquet rows as a table, read by the Parquet module
//! loaded on demand; or hex) with a download of the object's bytes. Every listing and read is an S3 call
//! through the worker, the same ListObjectsV2 and GetObject as `kinesis-lab api` answers.

use crate::ui::EngineHandle;
use crate::view_model::firehose::{as_text, breadcrumbs, bytes, entries, hex_dump, Entry};
use base64::Engine as _;
use leptos::prelude::*;
use serde_json::{json, Value};
use std::io::Read;

/// Characters or bytes the viewer shows at most.
const VIEW_LIMIT: usize = 16 * 1024;
/// Parquet rows the viewer shows at most.
const PARQUET_ROWS: usize = 50;

/// An opened object: its key and bytes.
#[derive(Clone, Debug, PartialEq)]
struct Opened {
    key: String,
    body: Vec<u8>,
}

/// Browses `bucket`; lists again whenever `version` changes (a new object was written).
#[component]
pub fn BucketBrowser(bucket: Signal<String>, version: Signal<u64>) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let prefix = RwSignal::new(String::new());
    let listing = RwSignal::new(Vec::<Entry>::new());
    let problem = RwSignal::new(None::<String>);
    let opened = RwSignal::new(None::<Opened>);
    let hex = RwSignal::new(false);
    // A Parquet object read back as a table (None: not Parquet, or not read yet).
    let table = RwSignal::new(None::<Result<crate::columnar::TablePreview, String>>);
    let waiting = StoredValue::new((0u64, 0u64)); // (listing call, object call)
    let list = move || {
        let bucket = bucket.get_untracked();
        if bucket.is_empty() {
            return;
        }
        let input = json!({"Bucket": bucket, "Prefix": prefix.get_untracked(), "Delimiter": "/"}).to_string();
        let id = engine.call("s3", "ListObjectsV2", input);
        waiting.update_value(|w| w.0 = id);
    };
    // What was listed last: another bucket or a lower count (a restarted run) goes back to the top.
    let listed = StoredValue::new(None::<(String, u64, String)>);
    Effect::new(move |_| {
        let now = (bucket.get(), version.get(), prefix.get());
        let last = listed.get_value();
        // Another bucket, or a restarted run: back to the bucket's top, nothing open.
        if last.as_ref().is_some_and(|(b, v, _)| *b != now.0 || *v > now.1) {
            opened.set(None);
            if !now.2.is_empty() {
                prefix.set(String::new());
                return;
            }
        }
        if last.as_ref() != Some(&now) {
            listed.set_value(Some(now));
            untrack(list);
        }
    });
    Effect::new(move |_| {
        let Some(answer) = engine.answer().get() else { return };
        let (list_id, object_id) = waiting.get_value();
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        if answer.error && (answer.id == list_id || answer.id == object_id) {
            problem.set(Some(format!(
                "{}: {}",
                body["__type"].as_str().unwrap_or("Error"),
                body["message"].as_str().unwrap_or("")
            )));
        } else if answer.id == list_id {
            problem.set(None);
            listing.set(entries(&body));
        } else if answer.id == object_id {
            let data = base64::engine::general_purpose::STANDARD.decode(body["Body"].as_str().unwrap_or_default());
            match data {
                Ok(data) => {
                    table.set(None);
                    if is_parquet(&data) {
                        read_parquet(data.clone(), table);
                    }
                    opened.update(|o| {
                        if let Some(o) = o {
                            o.body = data;
                        }
                    })
                }
                Err(e) => problem.set(Some(format!("The object's body did not decode: {e}"))),
            }
        }
    });
    let open = move |key: String| {
        opened.set(Some(Opened { key: key.clone(), body: Vec::new() }));
        let input = json!({"Bucket": bucket.get_untracked(), "Key": key}).to_string();
        let id = engine.call("s3", "GetObject", input);
        waiting.update_value(|w| w.1 = id);
    };
    let crumbs = move || breadcrumbs(&bucket.get(), &prefix.get());
    let shown = move || {
        opened.with(|o| {
            let o = o.as_ref()?;
            let gz = o.key.ends_with(".gz");
            let body = if gz {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(o.body.as_slice())
                    .take(4 * VIEW_LIMIT as u64)
                    .read_to_end(&mut out)
                    .ok()?;
                out
            } else {
                o.body.clone()
            };
            let text = if hex.get() { None } else { as_text(&body, VIEW_LIMIT) };
            let note = if gz { " (GZIP undone for viewing)" } else { "" };
            Some(match text {
                Some(text) => (format!("{}: {} as text{note}", o.key, bytes(o.body.len() as u64)), text),
                None => {
                    (format!("{}: {} as hex{note}", o.key, bytes(o.body.len() as u64)), hex_dump(&body, VIEW_LIMIT))
                }
            })
        })
    };
    let save = move |_| {
        if let Some(o) = opened.get_untracked() {
            let file = o.key.rsplit('/').next().unwrap_or("object").to_string();
            crate::ui::download::download(&file, &o.body, "application/octet-stream");
        }
    };
    let parquet_view = move || {
        if hex.get() {
            return None;
        }
        let t = table.get()?;
        let title = opened.with(|o| o.as_ref().map(|o| (o.key.clone(), o.body.len() as u64)))?;
        Some(match t {
            Err(e) => view! { <p class="save-message" role="status">{format!("{}: {e}", title.0)}</p> }.into_any(),
            Ok(t) => view! {
                <div class="object-viewer" data-testid="object-viewer">
                    <div class="viewer-bar">
                        <span data-testid="parquet-title">{format!(
                            "{}: {} as Parquet: {} rows in {} row group(s), {}, written by {}; the first {} below",
                            title.0, bytes(title.1), t.total_rows, t.row_groups, t.codec, t.created_by, t.rows.len()
                        )}</span>
                        <button class="btn small" on:click=move |_| hex.set(true)>"Show hex"</button>
                        <button class="btn small" data-testid="download-object" on:click=save>"Download"</button>
                    </div>
                    <p class="panel-note">{format!("Schema: {}", t.types.join(" · "))}</p>
                    <div class="parquet-scroll">
                        <table class="parquet-rows" data-testid="parquet-rows">
                            <thead><tr>{t.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                            <tbody>{t.rows.iter().map(|r| view! { <tr>{r.iter().map(|v| view! { <td>{v.clone()}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                        </table>
                    </div>
                </div>
            }
            .into_any(),
        })
    };
    view! {
        <div class="bucket-browser" data-testid="bucket-browser">
            <nav class="crumbs">
                {move || crumbs().into_iter().map(|(p, name)| view! {
                    <button class="btn small link" on:click=move |_| { opened.set(None); prefix.set(p.clone()) }>{name}"/"</button>
                }).collect_view()}
                <button class="btn small" on:click=move |_| list()>"Refresh"</button>
            </nav>
            {move || problem.get().map(|p| view! { <p class="save-message" role="status">{p}</p> })}
            <table class="objects" data-testid="objects">
                <thead><tr><th>"Key"</th><th>"Size"</th><th>"Last modified"</th></tr></thead>
                <tbody>
                    <For
                        each=move || listing.get()
                        key=|e| format!("{e:?}")
                        children=move |e| match e {
                            Entry::Folder(p) => {
                                let name = p.trim_start_matches(&prefix.get_untracked()).to_string();
                                view! { <tr class="folder"><td colspan="3"><button class="btn small link" on:click=move |_| prefix.set(p.clone())>{name}</button></td></tr> }.into_any()
                            }
                            Entry::Object { key, size, last_modified } => {
                                let name = key.trim_start_matches(&prefix.get_untracked()).to_string();
                                view! { <tr><td><button class="btn small link" data-testid="object" on:click=move |_| open(key.clone())>{name}</button></td><td>{bytes(size)}</td><td>{last_modified}</td></tr> }.into_any()
                            }
                        }
                    />
                </tbody>
            </table>
            {move || listing.with(Vec::is_empty).then(|| view! { <p class="panel-note">"Nothing here yet: Firehose writes an object when a buffer flushes."</p> })}
            {parquet_view}
            {move || shown().filter(|_| hex.get() || table.with(Option::is_none)).map(|(title, text)| view! {
                <div class="object-viewer" data-testid="object-viewer">
                    <div class="viewer-bar">
                        <span>{title}</span>
                        <button class="btn small" on:click=move |_| hex.update(|h| *h = !*h)>{move || if hex.get() { "Show text" } else { "Show hex" }}</button>
                        <button class="btn small" data-testid="download-object" on:click=save>"Download"</button>
                    </div>
                    <pre class="object-text">{text}</pre>
                </div>
            })}
        </div>
    }
}

/// Whether a body is a Parquet file (`PAR1` at both ends).
fn is_parquet(body: &[u8]) -> bool {
    body.len() >= 8 && body.starts_with(b"PAR1") && body.ends_with(b"PAR1")
}

/// Reads a Parquet body with the Parquet module (loaded on first use) into `table`.
fn read_parquet(body: Vec<u8>, table: RwSignal<Option<Result<crate::columnar::TablePreview, String>>>) {
    wasm_bindgen_futures::spawn_local(async move {
        let read = match crate::columnar::lazy::load().await {
            Ok(()) => crate::columnar::lazy::read(&body, PARQUET_ROWS),
            Err(e) => Err(e),
        };
        table.try_set(Some(read));
    });
}
