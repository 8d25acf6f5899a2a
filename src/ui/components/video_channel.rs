//! The Video lab's channel panel: the simulated channel's card (sockets, queued messages with their TTL
//! bars), the service clock's speed, the message-path knobs and the failure drills. They act on the service
//! this tab hosts; a tab that joined another tab's channel points there.

use crate::engine::video::settings::{Knobs, PathKnobs};
use crate::engine::video::Role;
use crate::ui::webrtc::drills;
use crate::ui::webrtc::peers::{VideoLab, CHANNEL};
use crate::view_model::video::card::{self, ChannelCard};
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

fn lab() -> Rc<VideoLab> {
    super::video_lab::lab()
}

/// The panel.
#[component]
pub fn ChannelPanel(lab: Rc<VideoLab>) -> impl IntoView {
    let proxied = lab.view.proxied;
    let version = lab.host.version;
    // The TTL bars and idle clocks move with time, not only with frames.
    let tick = RwSignal::new(0u64);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_millis(250)) {
        on_cleanup(move || handle.clear());
    }
    let card = Memo::new(move |_| {
        tick.track();
        version.track();
        let lab = self::lab();
        let now = lab.host.now();
        lab.host.with(|s| card::card(s, CHANNEL, now))
    });
    view! {
        <section class="video-channel" aria-label="Signaling channel">
            <h2>"Signaling channel, knobs and drills"</h2>
            <Show when=move || !proxied.get() fallback=|| view! {
                <p data-testid="video-channel-elsewhere">"This tab joined a channel hosted by another tab: its card, knobs and drills are in that tab."</p>
            }>
                <div class="channel-columns">
                    <Card card=card />
                    <KnobsForm />
                    <Drills />
                </div>
            </Show>
        </section>
    }
}

#[component]
fn Card(card: Memo<Option<ChannelCard>>) -> impl IntoView {
    view! {
        <div class="channel-card" data-testid="video-channel-card">
            {move || match card.get() {
                None => view! { <p>"No channel yet: starting a peer creates " <code>{CHANNEL}</code> "."</p> }.into_any(),
                Some(c) => view! {
                    <p><strong>{c.name.clone()}</strong>" · "{c.status}" · message TTL "{c.ttl_secs}" s · viewers "{c.viewers}"/"{c.viewers_max}</p>
                    <p class="arn">{c.arn.clone()}</p>
                    <h3>"Sockets"</h3>
                    <ul class="sockets">
                        {c.sockets.iter().map(|s| {
                            let go_away = s.go_away_in_secs.map(|g| format!(" · GO_AWAY: closes in {g:.0} s")).unwrap_or_default();
                            view! {
                                <li>
                                    <span><span class="peer">{s.peer.clone()}</span>{format!(" open {:.0} s{go_away} · idle", s.open_secs)}</span>
                                    <span class="bar idle" title="share of the idle timeout used"><span style=format!("width: {:.1}%", s.idle_used * 100.0)></span></span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <h3>"Queued for a peer that is not connected"</h3>
                    {if c.pending.is_empty() {
                        view! { <p class="chart-note" data-testid="video-queue">"Nothing queued."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="queue" data-testid="video-queue">
                                {c.pending.iter().map(|p| view! {
                                    <li>
                                        <span>{format!("{} from {} for {} · {:.1} s left", p.message_type, p.from, p.to, p.left_secs)}</span>
                                        <span class="bar ttl" title="share of the message TTL left"><span style=format!("width: {:.1}%", p.left * 100.0)></span></span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
            }.into_any(),
            }}
        </div>
    }
}

#[component]
fn KnobsForm() -> impl IntoView {
    // Read from the service, so the lesson's drills show here too.
    let version = lab().host.version;
    let knobs = Memo::new(move |_| {
        version.track();
        lab().host.with(|s| *s.knobs())
    });
    let problem = RwSignal::new(None::<String>);
    let apply = move |f: &dyn Fn(&mut Knobs)| {
        let mut next = knobs.get_untracked();
        f(&mut next);
        problem.set(lab().host.update(|s, _| s.set_knobs(next)).err());
    };
    let path = move |name: &'static str, pick: fn(&mut Knobs) -> &mut PathKnobs, read: fn(&Knobs) -> PathKnobs| {
        let number = move |label: &'static str, max: u32, get: fn(&PathKnobs) -> u32, set: fn(&mut PathKnobs, u32)| {
            view! {
                <label>
                    {label}
                    <input type="number" min="0" max=max.to_string() prop:value=move || get(&read(&knobs.get())).to_string()
                        on:change=move |ev| {
                            match event_target_value(&ev).trim().parse::<u32>() {
                                Ok(v) => apply(&|k| set(pick(k), v)),
                                Err(_) => problem.set(Some(format!("{label}: a whole number from 0 to {max}"))),
                            }
                        } />
                </label>
            }
        };
        view! {
            <fieldset>
                <legend>{name}</legend>
                {number("latency ms ", 5_000, |p| p.latency_ms, |p, v| p.latency_ms = v)}
                {number("jitter ms ", 1_000, |p| p.jitter_ms, |p, v| p.jitter_ms = v)}
                {number("loss % ", 100, |p| p.loss_percent.into(), |p, v| p.loss_percent = v.min(255) as u8)}
                {number("duplicates % ", 100, |p| p.duplicate_percent.into(), |p, v| p.duplicate_percent = v.min(255) as u8)}
            </fieldset>
        }
    };
    let check = move |label: &'static str, testid: &'static str, get: fn(&Knobs) -> bool, set: fn(&mut Knobs, bool)| {
        view! {
            <label>
                <input type="checkbox" data-testid=testid prop:checked=move || get(&knobs.get())
                    on:change=move |ev| { let on = event_target_checked(&ev); apply(&|k| set(k, on)) } />
                {label}
            </label>
        }
    };
    view! {
        <div class="channel-knobs">
            <h3>"Message path (live)"</h3>
            {path("to the master", |k| &mut k.to_master, |k| k.to_master)}
            {path("to viewers", |k| &mut k.to_viewer, |k| k.to_viewer)}
            <fieldset>
                <legend>"cuts and drops"</legend>
                {check(" jitter may reorder", "video-knob-reorder", |k| k.reorder, |k, on| k.reorder = on)}
                {check(" partition: signaling cut", "video-knob-partition", |k| k.partition, |k, on| k.partition = on)}
                {check(" drop SDP_OFFER", "video-knob-drop-offer", |k| k.drop.sdp_offer, |k, on| k.drop.sdp_offer = on)}
                {check(" drop SDP_ANSWER", "video-knob-drop-answer", |k| k.drop.sdp_answer, |k, on| k.drop.sdp_answer = on)}
                {check(" drop ICE_CANDIDATE to the master", "video-knob-drop-ice-master", |k| k.drop.ice_to_master, |k, on| k.drop.ice_to_master = on)}
                {check(" drop ICE_CANDIDATE to viewers", "video-knob-drop-ice-viewer", |k| k.drop.ice_to_viewer, |k, on| k.drop.ice_to_viewer = on)}
            </fieldset>
            {move || problem.get().map(|p| view! { <p class="inline-error" role="alert">{p}</p> })}
        </div>
    }
}

#[component]
fn Drills() -> impl IntoView {
    let speed = lab().host.speed_shown;
    let set_speed = move |ev| lab().host.set_speed(event_target_value(&ev).parse().unwrap_or(1.0));
    view! {
        <div class="channel-drills">
            <h3>"Service clock"</h3>
            <label>
                "speed "
                <select data-testid="video-speed" on:change=set_speed>
                    {[1.0, 10.0, 60.0].into_iter().map(|s| view! {
                        <option value=s.to_string() selected=move || speed.get() == s>{format!("×{s}")}</option>
                    }).collect_view()}
                </select>
            </label>
            <p class="chart-note">"TTLs, idle timeouts, GO_AWAY's grace and TURN credentials run on this clock; WebRTC stays in real time."</p>
            <h3>"Drills"</h3>
            <button data-testid="video-drill-expire" on:click=move |_| wasm_bindgen_futures::spawn_local(drills::expire_offer(lab()))>"Offer with no master (TTL expiry)"</button>
            <button data-testid="video-drill-eleventh" on:click=move |_| wasm_bindgen_futures::spawn_local(drills::eleventh_viewer(lab()))>"Connect viewers until the 11th"</button>
            <button on:click=move |_| drills::close_extras(&lab())>"Close the extra viewers"</button>
            <button data-testid="video-drill-goaway-master" on:click=move |_| drills::go_away(&lab(), Role::Master)>"GO_AWAY to the master"</button>
            <button on:click=move |_| drills::go_away(&lab(), Role::Viewer)>"GO_AWAY to the viewer"</button>
            <button on:click=move |_| drills::reconnect_ice_server(&lab())>"RECONNECT_ICE_SERVER"</button>
        </div>
    }
}
