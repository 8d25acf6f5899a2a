//! The Video lab page: a real WebRTC master and viewer in this page, connected through the simulated
//! Kinesis Video Streams signaling channel, with every frame, candidate and state change shown live.

use super::chart_canvas::ChartCanvas;
use crate::engine::video::nat::{CandidateFilter, NatType, Traversal, Verdict};
use crate::engine::video::settings::VideoSettings;
use crate::engine::video::Role;
use crate::ui::webrtc::host::Host;
use crate::ui::webrtc::peers::{LabOptions, PeerOptions, VideoLab};
use crate::view_model::video::codec::{self, Codec};
use crate::view_model::video::sequence::{self, Lane};
use crate::view_model::video::stats;
use leptos::prelude::*;
use std::rc::Rc;

thread_local! {
    /// One lab per page: its channel and peers outlive a visit to another lab.
    static LAB: Rc<VideoLab> =
        crate::ui::webrtc::detached(|| VideoLab::new(Host::new(VideoSettings::default(), crate::engine::rng::Seed(1))));
}

/// The page's one lab.
pub(super) fn lab() -> Rc<VideoLab> {
    LAB.with(Rc::clone)
}

/// The page.
#[component]
pub fn VideoLabPage() -> impl IntoView {
    let lab = lab();
    let view = lab.view;
    let options = lab.options;
    let running = view.running;
    let (start_master, start_viewer, stop) = {
        let (a, b, c) = (lab.clone(), lab.clone(), lab.clone());
        (
            move |_| wasm_bindgen_futures::spawn_local(a.clone().start_master()),
            move |_| wasm_bindgen_futures::spawn_local(b.clone().start_viewer()),
            move |_| c.stop(),
        )
    };
    view! {
        <p class="lab-status">{crate::view_model::labs::Lab::Video.status_sentence()}</p>
        <section class="video-settings" aria-label="Session settings">
            <PeerForm title="Master" side=Role::Master options=options />
            <PeerForm title="Viewer" side=Role::Viewer options=options />
            <fieldset>
                <legend>"Servers (modelled)"</legend>
                <label>
                    <input type="checkbox" prop:checked=move || options.get().servers.stun_reachable
                        on:change=move |ev| options.update(|o| o.servers.stun_reachable = event_target_checked(&ev)) />
                    " STUN server reachable"
                </label>
                <label>
                    <input type="checkbox" data-testid="video-turn-reachable"
                        prop:checked=move || { let s = options.get().servers; s.turn_udp || s.turn_tcp || s.turn_tls }
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            options.update(|o| { o.servers.turn_udp = on; o.servers.turn_tcp = on; o.servers.turn_tls = on; });
                        } />
                    " TURN servers reachable"
                </label>
                <label>
                    <input type="checkbox" prop:checked=move || options.get().buffering
                        on:change=move |ev| options.update(|o| o.buffering = event_target_checked(&ev)) />
                    " Buffer early candidates (as the SDK does)"
                </label>
            </fieldset>
        </section>
        <p class="video-verdict" data-testid="video-verdict">{move || verdict_text(&options.get())}</p>
        <div class="video-buttons">
            <button data-testid="video-start-master" on:click=start_master>"Start master"</button>
            <button data-testid="video-start-viewer" on:click=start_viewer>"Start viewer"</button>
            <button on:click=stop disabled=move || !running.get()>"Stop"</button>
        </div>
        <p class="video-hosting" data-testid="video-hosting">
            {move || {
                let h = view.hosting.get();
                if h.is_empty() {
                    "Two tabs: the first tab of this browser to start a peer hosts the signaling channel; start the \
                     master here and the viewer in a second tab (or both here)."
                        .to_string()
                } else {
                    h
                }
            }}
        </p>
        <section class="video-stage">
            <figure>
                <video id="video-local-master" autoplay=true playsinline=true muted=true></video>
                <figcaption>"Master: what it sends"</figcaption>
            </figure>
            <figure>
                <video id="video-remote" data-testid="video-remote" autoplay=true playsinline=true muted=true></video>
                <figcaption>
                    "Viewer: the master's video, received · "
                    <strong data-testid="video-state">{move || view.viewer_state.get()}</strong>
                    <span class="video-detail">{move || { let d = view.viewer_detail.get(); if d.is_empty() { String::new() } else { format!(" ({d})") } }}</span>
                    <br />{move || view.remote_size.get()}
                    <span data-testid="video-ttff">{move || view.first_frame_ms.get().map(|ms| format!(" · first frame {ms:.0} ms after Start viewer"))}</span>
                    {move || view.pair.get().map(|(l, r)| format!(" · selected pair: local {l}, remote {r}"))}
                </figcaption>
            </figure>
            <figure>
                <video id="video-local-viewer" autoplay=true playsinline=true muted=true></video>
                <figcaption>"Viewer: what it sends"</figcaption>
            </figure>
            <figure>
                <video id="video-master-remote" autoplay=true playsinline=true muted=true></video>
                <figcaption>"Master: the viewer's video · " {move || view.master_state.get()}</figcaption>
            </figure>
        </section>
        <CodecLine lab=lab.clone() />
        <Notices lab=lab.clone() />
        <super::video_lesson::Lesson lab=lab.clone() />
        <super::video_channel::ChannelPanel lab=lab.clone() />
        <super::video_stream::StreamPanel />
        <DataChannel lab=lab.clone() />
        <Timeline lab=lab.clone() />
        <SequenceDiagram lab=lab.clone() />
        <CandidateTable lab=lab.clone() />
        <StatsCharts lab=lab />
    }
}

fn verdict_text(options: &LabOptions) -> String {
    match crate::engine::video::nat::verdict(&options.master.network, &options.viewer.network, &options.servers) {
        Verdict::Connects { path, why, relay_extra_rtt_ms } => {
            let extra = if relay_extra_rtt_ms > 0 {
                format!(" (the relay detour adds about {relay_extra_rtt_ms} ms of round trip in the model)")
            } else {
                String::new()
            };
            format!("NAT model: connects via {} — {why}{extra}. Real host candidates are passed.", path.as_str())
        }
        Verdict::Fails { why } => {
            format!("NAT model: no path — {why}. Every candidate is dropped, so the real connection never forms.")
        }
    }
}

#[component]
fn PeerForm(title: &'static str, side: Role, options: RwSignal<LabOptions>) -> impl IntoView {
    let get = move || options.get().side(side);
    let set = move |f: &dyn Fn(&mut PeerOptions)| options.update(|o| f(o.side_mut(side)));
    let traversals = [
        (Traversal::StunTurn, "STUN/TURN"),
        (Traversal::TurnOnly, "TURN only"),
        (Traversal::StunOnly, "STUN only"),
        (Traversal::Disabled, "Disabled (host only)"),
    ];
    let testid = format!("video-traversal-{}", side.as_str().to_lowercase());
    view! {
        <fieldset>
            <legend>{title}</legend>
            <label>
                <input type="checkbox" prop:checked=move || get().send_video
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|p| p.send_video = on) } />
                " Send video"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || get().send_audio
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|p| p.send_audio = on) } />
                " Send audio"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || get().trickle
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|p| p.trickle = on) } />
                " Trickle ICE"
            </label>
            <label>
                "Video source "
                <select data-testid=format!("video-source-{}", side.as_str().to_lowercase()) on:change=move |ev| { let pattern = event_target_value(&ev) == "pattern"; set(&|p| p.pattern = pattern) }>
                    <option value="camera" selected=move || !get().pattern>"camera"</option>
                    <option value="pattern" selected=move || get().pattern>"test pattern (canvas)"</option>
                </select>
            </label>
            <label>
                "Video codec "
                <select data-testid=format!("video-codec-{}", side.as_str().to_lowercase()) on:change=move |ev| {
                    let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                    set(&|p| p.codec = Codec::ALL[i.min(Codec::ALL.len() - 1)])
                }>
                    {Codec::ALL.iter().enumerate().map(|(i, c)| {
                        let c = *c;
                        view! { <option value=i.to_string() selected=move || get().codec == c>{c.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Resolution "
                <select on:change=move |ev| { let hd = event_target_value(&ev) == "hd"; set(&|p| p.hd = hd) }>
                    <option value="hd" selected=move || get().hd>"1280×720"</option>
                    <option value="sd" selected=move || !get().hd>"640×480"</option>
                </select>
            </label>
            <label>
                "NAT traversal "
                <select data-testid=testid on:change=move |ev| {
                    let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                    set(&|p| p.network.traversal = traversals[i.min(3)].0)
                }>
                    {traversals.iter().enumerate().map(|(i, (t, label))| {
                        let t = *t;
                        view! { <option value=i.to_string() selected=move || get().network.traversal == t>{*label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "NAT "
                <select on:change=move |ev| {
                    let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                    set(&|p| p.network.nat = NatType::ALL[i.min(5)])
                }>
                    {NatType::ALL.iter().enumerate().map(|(i, n)| {
                        let n = *n;
                        view! { <option value=i.to_string() selected=move || get().network.nat == n>{n.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "LAN "
                <input type="number" min="1" max="9" prop:value=move || get().network.lan.to_string()
                    on:change=move |ev| {
                        if let Ok(lan) = event_target_value(&ev).parse::<u8>() { set(&|p| p.network.lan = lan.clamp(1, 9)) }
                    } />
            </label>
            <details class="filters">
                <summary>"Candidate filters"</summary>
                <FilterRow label="send" side=side options=options pick=|p| &mut p.send />
                <FilterRow label="accept" side=side options=options pick=|p| &mut p.accept />
            </details>
        </fieldset>
    }
}

/// One row of the Test Page's candidate filters: which types and transports a side sends or accepts.
#[component]
fn FilterRow(
    label: &'static str,
    side: Role,
    options: RwSignal<LabOptions>,
    pick: fn(&mut PeerOptions) -> &mut CandidateFilter,
) -> impl IntoView {
    type Flag = fn(&mut CandidateFilter) -> &mut bool;
    let parts: [(&str, Flag); 6] = [
        ("host", |f| &mut f.host),
        ("srflx", |f| &mut f.srflx),
        ("prflx", |f| &mut f.prflx),
        ("relay", |f| &mut f.relay),
        ("udp", |f| &mut f.udp),
        ("tcp", |f| &mut f.tcp),
    ];
    view! {
        <div class="filter-row">
            <span>{label}</span>
            {parts.into_iter().map(|(name, flag)| {
                let testid = format!("video-{}-{label}-{name}", side.as_str().to_lowercase());
                view! {
                    <label>
                        <input type="checkbox" data-testid=testid
                            prop:checked=move || { let mut o = options.get(); *flag(pick(o.side_mut(side))) }
                            on:change=move |ev| { let on = event_target_checked(&ev); options.update(|o| *flag(pick(o.side_mut(side))) = on) } />
                        {name}
                    </label>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn CodecLine(lab: Rc<VideoLab>) -> impl IntoView {
    let version = lab.host.version;
    let text = Memo::new(move |_| {
        version.track();
        self::lab().with_log(codec::from_log)
    });
    view! {
        <p class="video-codecs" data-testid="video-codecs">
            {move || text.get().unwrap_or_else(|| "Codecs: the offer and answer will show which video codecs were offered and accepted.".into())}
        </p>
    }
}

#[component]
fn Notices(lab: Rc<VideoLab>) -> impl IntoView {
    let notices = lab.view.notices;
    view! {
        <ul class="video-notices" data-testid="video-notices">
            {move || notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
    }
}

#[component]
fn DataChannel(lab: Rc<VideoLab>) -> impl IntoView {
    let (text, set_text) = signal(String::from("hello from the master"));
    let chat = lab.view.chat;
    let (a, b, c) = (lab.clone(), lab.clone(), lab);
    view! {
        <section class="video-chat" aria-label="Data channel">
            <h2>"Data channel kvsDataChannel"</h2>
            <input type="text" data-testid="video-chat-text" prop:value=text on:input=move |ev| set_text.set(event_target_value(&ev)) />
            <button data-testid="video-chat-master" on:click=move |_| a.chat(Role::Master, &text.get_untracked())>"Send as master"</button>
            <button on:click=move |_| b.chat(Role::Viewer, &text.get_untracked())>"Send as viewer"</button>
            <button on:click=move |_| c.ping()>"Ping (round trip)"</button>
            <ul data-testid="video-chat-log">{move || chat.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
        </section>
    }
}

#[component]
fn Timeline(lab: Rc<VideoLab>) -> impl IntoView {
    let timeline = lab.view.timeline;
    view! {
        <section class="video-timeline" aria-label="Connection timeline">
            <h2>"Timeline"</h2>
            <ol>
                {move || timeline.get().into_iter().map(|(ms, what)| view! { <li><span class="t">{format!("{ms:>7.0} ms")}</span>" "{what}</li> }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn SequenceDiagram(lab: Rc<VideoLab>) -> impl IntoView {
    let version = lab.host.version;
    // Memos must be Send: they reach the page's one lab through its thread-local, not a captured Rc.
    let rows = Memo::new(move |_| {
        version.track();
        self::lab().with_log(sequence::rows)
    });
    let (open, set_open) = signal(None::<u64>);
    view! {
        <section class="sequence" aria-label="Signaling sequence diagram">
            <h2>"Signaling channel: every frame"</h2>
            <p class="chart-note">"Arrows run between lanes; click a row to see its exact frame and decoded payload."</p>
            {move || {
                let rows = rows.get();
                let lanes = sequence::lanes(&rows);
                let col = |lane: &Lane| lanes.iter().position(|l| l == lane).unwrap_or(0) + 2;
                let n = lanes.len();
                view! {
                    <div class="seq-grid" style=format!("grid-template-columns: 6em repeat({n}, minmax(8em, 1fr))")>
                        <div class="seq-head">"time"</div>
                        {lanes.iter().map(|l| view! { <div class="seq-head">{l.title()}</div> }).collect_view()}
                    </div>
                    <div data-testid="signaling-log" class="seq-rows">
                        {rows.into_iter().map(|r| {
                            let (a, b) = (col(&r.from), col(&r.to));
                            let (lo, hi) = (a.min(b), a.max(b));
                            let dir = if a == b { "self" } else if a < b { "right" } else { "left" };
                            let seq = r.seq;
                            let frame = r.frame.clone();
                            view! {
                                <div class=format!("seq-row {}", r.tone.class())
                                    style=format!("grid-template-columns: 6em repeat({n}, minmax(8em, 1fr))")
                                    on:click=move |_| set_open.update(|o| *o = if *o == Some(seq) { None } else { Some(seq) })>
                                    <span class="seq-time">{r.at.clone()}</span>
                                    <span class=format!("seq-arrow {dir}") style=format!("grid-column: {lo} / {}", hi + 1)>
                                        <strong>{r.label.clone()}</strong>" "{r.outcome.clone()}
                                    </span>
                                    {move || (open.get() == Some(seq)).then(|| frame.as_deref().map(|f| view! { <pre class="seq-frame">{sequence::decoded(f)}</pre> }))}
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
            }}
        </section>
    }
}

#[component]
fn CandidateTable(lab: Rc<VideoLab>) -> impl IntoView {
    let rows = lab.view.candidates;
    view! {
        <section class="candidates" aria-label="ICE candidates">
            <h2>"ICE candidates (real) and what the NAT model let through"</h2>
            <p class="chart-note">"Type preferences per RFC 8445: host 126 > prflx 110 > srflx 100 > relay 0; the top byte of Chromium's priority shows the one it used."</p>
            <table data-testid="video-candidates">
                <thead><tr><th>"side"</th><th>"direction"</th><th>"type"</th><th>"transport"</th><th>"address"</th><th>"priority (type pref.)"</th><th>"decision"</th></tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|r| {
                        let (kind, transport, address, priority) = match &r.parsed {
                            Some(p) => (p.kind.map_or("?", |k| k.as_str()).to_string(), p.transport.clone(), format!("{}:{}", p.address, p.port), format!("{} ({})", p.priority, crate::view_model::video::candidates::type_preference(p.priority))),
                            None => ("?".into(), String::new(), r.line.clone(), String::new()),
                        };
                        let class = if r.decision.is_ok() { "ok" } else { "dropped" };
                        view! { <tr class=class><td>{r.side.clone()}</td><td>{r.direction}</td><td>{kind}</td><td>{transport}</td><td>{address}</td><td>{priority}</td><td>{r.decision_text()}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn StatsCharts(lab: Rc<VideoLab>) -> impl IntoView {
    let samples = lab.view.samples;
    let charts = Memo::new(move |_| samples.with(|s| stats::charts(s)));
    let notes = [
        "From the viewer's getStats each second: bytes received on the video track, as kilobits per second. WebRTC starts low and ramps up.",
        "framesPerSecond of the received video track.",
        "currentRoundTripTime of the selected candidate pair (real, on this machine).",
        "packetsLost growth per second on the received video.",
    ];
    view! {
        <section class="live-charts" aria-label="Media statistics">
            {(0..4).map(|i| {
                let chart = Memo::new(move |_| charts.with(|c| c.get(i).cloned()).filter(|c| c.lines.iter().any(|l| !l.points.is_empty())));
                view! { <ChartCanvas chart=chart testid=format!("video-chart-{i}") note=notes[i] /> }
            }).collect_view()}
        </section>
    }
}
