//! The Video lab's stream panel: the master's camera recorded into a simulated Kinesis video stream
//! (fragments, numbers, timestamps, PutMedia acknowledgements, retention) and clips of it played back
//! (GetClip over a chosen range).

use crate::ui::webrtc::recorder::{self, StreamLab};
use crate::view_model::video::fragments::{clock, FragmentRow};
use leptos::prelude::*;
use std::rc::Rc;

thread_local! {
    /// One stream lab per page, on the signaling host's clock.
    static STREAMS: Rc<StreamLab> =
        crate::ui::webrtc::detached(|| StreamLab::new(super::video_lab::lab().host.clone()));
}

fn streams() -> Rc<StreamLab> {
    STREAMS.with(Rc::clone)
}

/// The panel.
#[component]
pub fn StreamPanel() -> impl IntoView {
    let lab = streams();
    let view = lab.view;
    let form = view.form;
    let types = recorder::supported_types();
    let act = |f: fn(&Rc<StreamLab>)| move |_| f(&streams());
    let record = move |_| {
        let lab = streams();
        lab.start_recording(super::video_lab::lab().master_media());
    };
    view! {
        <section class="video-stream" aria-label="Kinesis video stream">
            <h2>"Kinesis video stream: record the master's camera"</h2>
            <p class="hint">
                "The master's video is recorded with MediaRecorder, one take per fragment, so every fragment starts at a \
                 keyframe and carries its own header (self-contained, as KVS requires). Each goes to the simulated \
                 service as a PutMedia fragment: it gets a fragment number and a server timestamp, and acknowledgements \
                 BUFFERING → RECEIVED → PERSISTED. The service clock's speed-up (channel panel) applies to retention, so \
                 1 hour at ×60 passes in a minute."
            </p>
            <div class="stream-form">
                <label>"Stream " <input type="text" prop:value=move || form.get().name disabled=move || view.exists()
                    on:change=move |ev| form.update(|f| f.name = event_target_value(&ev)) /></label>
                <label>"Retention "
                    <select data-testid="video-stream-retention" disabled=move || view.exists()
                        on:change=move |ev| form.update(|f| f.retention_hours = event_target_value(&ev).parse().unwrap_or(1))>
                        {[(0u64, "0 h (live only: nothing archived)"), (1, "1 h"), (24, "24 h (AWS's console default)"), (168, "7 days")].into_iter().map(|(h, label)| view! {
                            <option value=h.to_string() selected=move || form.get().retention_hours == h>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Fragment length "
                    <select data-testid="video-stream-fragment" disabled=move || view.recording.get()
                        on:change=move |ev| form.update(|f| f.fragment_ms = event_target_value(&ev).parse().unwrap_or(2_000))>
                        {[1_000u32, 2_000, 4_000].into_iter().map(|ms| view! {
                            <option value=ms.to_string() selected=move || form.get().fragment_ms == ms>{format!("{} s", ms / 1_000)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Format "
                    <select data-testid="video-stream-format" disabled=move || view.recording.get()
                        on:change=move |ev| form.update(|f| f.mime = event_target_value(&ev))>
                        {types.into_iter().map(|(mime, label)| view! {
                            <option value=mime selected=move || form.get().mime == mime>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="video-buttons">
                <button data-testid="video-stream-create" on:click=act(|l| l.create_stream()) disabled=move || view.exists()>"CreateStream"</button>
                <button data-testid="video-stream-record" on:click=record disabled=move || !view.exists() || view.recording.get()>"Record (PutMedia)"</button>
                <button data-testid="video-stream-stop" on:click=act(|l| l.stop_recording()) disabled=move || !view.recording.get()>"Stop recording"</button>
                <button data-testid="video-stream-fail" on:click=act(|l| l.fail_next_persist()) disabled=move || !view.exists()>"Fail the next persist (ERROR 5001)"</button>
                <button on:click=act(|l| l.delete_stream()) disabled=move || !view.exists()>"DeleteStream"</button>
            </div>
            <p class="stream-status" data-testid="video-stream-status">{move || status_line(&view)}</p>
            <p class="video-notice">{move || view.problem.get()}</p>
            <pre class="stream-call" data-testid="video-stream-call">{move || view.last_call.get()}</pre>
            <FragmentTable lab=lab.clone() />
            <ClipPlayer lab=lab />
        </section>
    }
}

fn status_line(view: &recorder::StreamView) -> String {
    let Some(info) = view.info.get() else {
        return "No stream yet: CreateStream first, then start the master and record.".into();
    };
    let ledger = view.ledger.get();
    let archived = ledger.archived().count();
    let bytes: u64 = ledger.archived().map(|r| r.size_bytes).sum();
    format!(
        "{} · {} · retention {} h · {} · {} fragments sent, {} archived ({:.1} MB){}",
        info["StreamName"].as_str().unwrap_or_default(),
        info["Status"].as_str().unwrap_or_default(),
        info["DataRetentionInHours"],
        info["StreamARN"].as_str().unwrap_or_default(),
        ledger.rows.len(),
        archived,
        bytes as f64 / 1e6,
        if view.recording.get() { " · recording" } else { "" },
    )
}

#[component]
fn FragmentTable(lab: Rc<StreamLab>) -> impl IntoView {
    let ledger = lab.view.ledger;
    view! {
        <div class="fragment-list">
            <table data-testid="video-fragments">
                <thead><tr>
                    <th>"#"</th><th>"fragment number"</th><th>"producer time"</th><th>"server time"</th>
                    <th>"length"</th><th>"size"</th><th>"acknowledgements (ms after BUFFERING)"</th><th>"archive"</th>
                </tr></thead>
                <tbody>
                    {move || ledger.get().rows.iter().rev().take(60).map(row).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn row(r: &FragmentRow) -> impl IntoView {
    let acks = r
        .acks
        .iter()
        .map(|a| {
            let class = format!("ack ack-{}", a.event.to_ascii_lowercase());
            let text = match &a.error {
                Some(e) => format!("ERROR {e}"),
                None if a.event == "BUFFERING" => a.event.to_string(),
                None => format!("{} +{}", a.event, a.after_ms),
            };
            view! { <span class=class>{text}</span> }
        })
        .collect_view();
    view! {
        <tr data-state=r.state()>
            <td>{r.index}</td>
            <td title=r.number.clone().unwrap_or_default()><code>{r.short_number()}</code></td>
            <td>{clock(r.producer_ms)}</td>
            <td>{r.server_ms.map(clock).unwrap_or_else(|| "—".into())}</td>
            <td>{format!("{:.1} s", r.duration_ms as f64 / 1_000.0)}</td>
            <td>{format!("{:.0} kB", r.size_bytes as f64 / 1_000.0)}</td>
            <td class="acks">{acks}</td>
            <td>{r.state()}</td>
        </tr>
    }
}

#[component]
fn ClipPlayer(lab: Rc<StreamLab>) -> impl IntoView {
    let view = lab.view;
    let form = view.form;
    let choices = move || {
        view.ledger
            .get()
            .archived()
            .map(|r| {
                (
                    r.number.clone().unwrap_or_default(),
                    format!("#{} · {}", r.index, clock(r.server_ms.unwrap_or(r.producer_ms))),
                )
            })
            .collect::<Vec<_>>()
    };
    let options = move |selected: fn(&recorder::StreamForm) -> String| {
        choices()
            .into_iter()
            .map(|(number, label)| {
                let value = number.clone();
                view! { <option value=value selected=move || selected(&form.get()) == number>{label}</option> }
            })
            .collect_view()
    };
    // A new archive pre-selects its whole range.
    Effect::new(move |_| {
        let all = choices();
        let (first, last) = (all.first().map(|c| c.0.clone()), all.last().map(|c| c.0.clone()));
        let f = form.get_untracked();
        let known = |n: &str| all.iter().any(|c| c.0 == n);
        if let (Some(first), Some(last)) = (first, last) {
            let from = if known(&f.clip_from) { f.clip_from.clone() } else { first };
            let to = if known(&f.clip_to) && !f.clip_to_latest { f.clip_to.clone() } else { last };
            if (&from, &to) != (&f.clip_from, &f.clip_to) {
                form.update(|f| {
                    f.clip_from = from;
                    f.clip_to = to;
                });
            }
        }
    });
    let ended = move |_| streams().ended();
    view! {
        <div class="clip">
            <h3>"GetClip: play a range of stored fragments"</h3>
            <div class="stream-form">
                <label>"Select by "
                    <select on:change=move |ev| form.update(|f| f.by_producer = event_target_value(&ev) == "producer")>
                        <option value="server">"SERVER_TIMESTAMP"</option>
                        <option value="producer">"PRODUCER_TIMESTAMP"</option>
                    </select>
                </label>
                <label>"from " <select data-testid="video-clip-from" on:change=move |ev| form.update(|f| f.clip_from = event_target_value(&ev))>{move || options(|f| f.clip_from.clone())}</select></label>
                <label>"to " <select data-testid="video-clip-to" on:change=move |ev| {
                    let to = event_target_value(&ev);
                    let latest = choices().last().is_some_and(|c| c.0 == to);
                    form.update(|f| { f.clip_to = to; f.clip_to_latest = latest; });
                }>{move || options(|f| f.clip_to.clone())}</select></label>
                <button data-testid="video-clip-get" on:click=move |_| streams().get_clip() disabled=move || view.info.get().is_none()>"GetClip"</button>
            </div>
            <figure>
                <video id="video-clip" data-testid="video-clip" controls=true muted=true playsinline=true on:ended=ended></video>
                <figcaption data-testid="video-clip-caption">
                    {move || match view.playing.get() {
                        Some((i, n)) => format!("Playing fragment {i} of {n} · {} played", view.played.get()),
                        None if view.played.get() > 0 => format!("Clip played: {} fragments", view.played.get()),
                        None => "No clip yet.".into(),
                    }}
                    <br />
                    "AWS's GetClip returns one MP4 file (it transmuxes, never transcodes). The lab plays the stored \
                     fragments themselves, one after another, in the format they were recorded in (MKV or WebM)."
                </figcaption>
            </figure>
        </div>
    }
}
