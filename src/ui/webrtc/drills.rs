//! The failure drills a learner triggers on the live session (spec video.md §6.3, §6.5): service notices
//! (GO_AWAY, RECONNECT_ICE_SERVER), the 11th viewer, and an offer left to expire. The message-path knobs
//! (latency, loss, partition, drops) are set on the service directly by the page.

use super::host::SocketEvent;
use super::peers::{LabOptions, VideoLab, CHANNEL};
use crate::engine::video::nat::Traversal;
use crate::engine::video::settings::Knobs;
use crate::engine::video::{ConnectRequest, Role};
use crate::view_model::video::codec::Codec;
use leptos::prelude::{Set, Update};
use std::rc::Rc;

/// How far apart the drill's viewers connect: under the channel's 3 connects per second (row 49).
const CONNECT_SPACING_MS: i32 = 400;

/// The service sends GO_AWAY to `role`'s socket; it closes after the grace period (F20).
pub fn go_away(lab: &Rc<VideoLab>, role: Role) {
    let who = role.as_str().to_lowercase();
    let Some(conn) = lab.conn_of(role) else {
        return lab.notice(format!("GO_AWAY drill: the {who} has no open socket; start it first"));
    };
    let grace = lab.host.with(|s| s.settings().go_away_grace_ms) / 1_000;
    if lab.host.update(|s, now| s.inject_go_away(now, conn)) {
        lab.mark(format!(
            "drill: the service sent GO_AWAY to the {who}; it closes the socket in {grace} s (service time)"
        ));
    }
}

/// The service sends RECONNECT_ICE_SERVER on the channel and revokes its TURN credentials (F21).
pub fn reconnect_ice_server(lab: &Rc<VideoLab>) {
    let arn = lab.host.with(|s| s.channels().find(|c| c.name == CHANNEL).map(|c| c.arn.clone()));
    let Some(arn) = arn else {
        return lab.notice("RECONNECT_ICE_SERVER drill: no channel yet; start a peer first");
    };
    match lab.host.update(|s, now| s.inject_reconnect_ice_server(now, &arn)) {
        Ok(()) => {
            lab.mark("drill: the service sent RECONNECT_ICE_SERVER to every socket; old TURN credentials are revoked")
        }
        Err(e) => lab.notice(format!("RECONNECT_ICE_SERVER drill: {e}")),
    }
}

/// Connects socket-only viewers until the service refuses one (ClientLimitExceededException at the 11th).
pub async fn eleventh_viewer(lab: Rc<VideoLab>) {
    let signaling = match lab.signaling().await {
        Ok(s) => s,
        Err(e) => return lab.notice(format!("11th viewer drill: {e}")),
    };
    let arn = match lab.channel_arn(&signaling).await {
        Ok(arn) => arn,
        Err(e) => return lab.notice(format!("11th viewer drill: {e}")),
    };
    let base = lab.extras.borrow().len();
    for i in base + 1..=base + 11 {
        let id = format!("extra-{i}");
        let request = ConnectRequest {
            role: Role::Viewer,
            channel_arn: arn.clone(),
            client_id: Some(id.clone()),
            signed_at: None,
        };
        let weak = Rc::downgrade(&lab);
        let name = id.clone();
        let listener = Rc::new(move |_, event: SocketEvent| {
            if let (Some(lab), SocketEvent::Closed(reason)) = (weak.upgrade(), event) {
                lab.notice(format!("{name}: socket closed by the service: {reason}"));
            }
        });
        match signaling.connect(request, listener).await {
            Ok(conn) => {
                lab.extras.borrow_mut().push(conn);
                lab.mark(format!("drill: {id} connected (a socket-only viewer)"));
            }
            Err(e) => {
                let viewers = lab.extras.borrow().len() + usize::from(lab.conn_of(Role::Viewer).is_some());
                return lab.notice(format!(
                    "{id}: ConnectAsViewer refused with {viewers} viewers connected: {e} A channel takes one master \
                     and 10 viewers (a soft quota); the viewer is told so at connect time, never later."
                ));
            }
        }
        super::peers::sleep_ms(CONNECT_SPACING_MS).await;
    }
}

/// Closes the drill's socket-only viewers.
pub fn close_extras(lab: &Rc<VideoLab>) {
    let conns: Vec<_> = lab.extras.borrow_mut().drain(..).collect();
    if conns.is_empty() {
        return;
    }
    let signaling = lab.current_signaling();
    for conn in &conns {
        if let Some(s) = &signaling {
            s.disconnect(*conn);
        }
    }
    lab.mark(format!("drill: {} socket-only viewers disconnected", conns.len()));
}

/// Stops the session, speeds the service's clock up to at least ×10 and starts only the viewer: its offer and
/// candidates wait for a master in the channel's queue until the message TTL runs out (F3).
pub async fn expire_offer(lab: Rc<VideoLab>) {
    lab.stop();
    if lab.host.speed() < 10.0 {
        lab.host.set_speed(10.0);
    }
    let speed = lab.host.speed();
    lab.mark(format!(
        "drill: service clock ×{speed}; starting the viewer with no master — watch the queue in the channel card"
    ));
    lab.clone().start_viewer().await;
}

/// Sets up the lesson's drill `id` (see `view_model::video::lesson::DRILLS`).
pub fn set_up(lab: &Rc<VideoLab>, id: &str) {
    let knobs = |f: &dyn Fn(&mut Knobs)| {
        let mut k = lab.host.with(|s| *s.knobs());
        f(&mut k);
        // The presets are in range; a refusal would be a bug in them.
        lab.host.update(|s, _| s.set_knobs(k)).expect("drill knobs are in range");
    };
    match id {
        "ttl" => wasm_bindgen_futures::spawn_local(expire_offer(lab.clone())),
        "eleventh" => wasm_bindgen_futures::spawn_local(eleventh_viewer(lab.clone())),
        "turn-only" => lab.options.update(|o| {
            o.viewer.network.traversal = Traversal::TurnOnly;
            (o.servers.turn_udp, o.servers.turn_tcp, o.servers.turn_tls) = (false, false, false);
        }),
        "lost-candidates" => knobs(&|k| (k.drop.ice_to_master, k.drop.ice_to_viewer) = (true, true)),
        "codec" => lab.options.update(|o| (o.master.codec, o.viewer.codec) = (Codec::H264, Codec::Vp8)),
        "partition" => knobs(&|k| k.partition = true),
        _ => return lab.notice(format!("no drill named {id}")),
    }
    lab.mark(format!("lesson: drill '{id}' set up"));
}

/// Puts the settings, knobs and clock back to their defaults.
pub fn reset(lab: &Rc<VideoLab>) {
    lab.options.set(LabOptions::default());
    lab.host.update(|s, _| s.set_knobs(Knobs::default())).expect("default knobs are in range");
    lab.host.set_speed(1.0);
    lab.mark("lesson: settings, knobs and service clock reset");
}
