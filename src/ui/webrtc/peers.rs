//! The master and viewer peers: each opens its socket to the simulated channel, and everything between
//! them (offer, answer, candidates) travels as KVS frames through it. Media and the data channel are the
//! browser's own. The NAT model decides which real candidates may pass (spec video.md §6.4).

use super::codecs;
use super::host::{Host, SocketEvent};
use super::media::{self, settle};
use super::signaling::Signaling;
use crate::engine::video::control::{
    ChannelRef, CreateSignalingChannelInput, EndpointConfiguration, GetIceServerConfigInput,
    GetSignalingChannelEndpointInput,
};
use crate::engine::video::frame::MessageType;
use crate::engine::video::log::LogEntry;
use crate::engine::video::nat::{self, CandidateFilter, PeerNetwork, Servers, Traversal, Verdict};
use crate::engine::video::{ConnId, ConnectRequest, Role, VideoRequest};
use crate::view_model::video::candidates::{self, CandidateRow};
use crate::view_model::video::client::{Candidate, ClientEvent, Description, SignalingClient};
use crate::view_model::video::codec::Codec;
use crate::view_model::video::stats::{self, Reading, Sample};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    MediaStream, RtcConfiguration, RtcDataChannel, RtcDataChannelEvent, RtcIceCandidateInit, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType,
    RtcSessionDescriptionInit, RtcTrackEvent,
};

use media::Timer as Interval;

/// The channel every session of the page uses.
pub const CHANNEL: &str = "kinesis-lab-demo";

/// One side's choices (the Test Page's settings, spec §5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeerOptions {
    pub send_video: bool,
    pub send_audio: bool,
    /// 1280×720 ideal; else 640×480.
    pub hd: bool,
    pub trickle: bool,
    /// The video codec this side accepts (setCodecPreferences).
    pub codec: Codec,
    /// The camera, or a synthetic canvas pattern.
    pub pattern: bool,
    /// The modelled network (LAN, NAT type, TCP 443, NAT traversal setting).
    pub network: PeerNetwork,
    /// Which of its own candidates this side sends (the Test Page's send filters).
    pub send: CandidateFilter,
    /// Which of the other side's candidates it adds (the accept filters).
    pub accept: CandidateFilter,
}

impl PeerOptions {
    fn new(lan: u8) -> PeerOptions {
        PeerOptions {
            send_video: true,
            send_audio: false,
            hd: true,
            trickle: true,
            codec: Codec::Any,
            pattern: false,
            network: PeerNetwork { lan, ..PeerNetwork::default() },
            send: CandidateFilter::default(),
            accept: CandidateFilter::default(),
        }
    }
}

/// Everything the page lets a learner set before starting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabOptions {
    pub master: PeerOptions,
    pub viewer: PeerOptions,
    pub servers: Servers,
    /// The SDK's early-candidate buffering (off = the naive client of drill F8).
    pub buffering: bool,
}

impl LabOptions {
    /// `role`'s settings.
    pub fn side(&self, role: Role) -> PeerOptions {
        if role == Role::Master {
            self.master
        } else {
            self.viewer
        }
    }

    /// `role`'s settings, to change.
    pub fn side_mut(&mut self, role: Role) -> &mut PeerOptions {
        if role == Role::Master {
            &mut self.master
        } else {
            &mut self.viewer
        }
    }
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            master: PeerOptions::new(1),
            viewer: PeerOptions::new(2),
            servers: Servers::default(),
            buffering: true,
        }
    }
}

/// What the page shows, as signals the peers write.
#[derive(Clone, Copy)]
pub struct LabView {
    pub master_state: RwSignal<String>,
    /// The viewer's RTCPeerConnection.connectionState, alone (the test hook).
    pub viewer_state: RwSignal<String>,
    pub viewer_detail: RwSignal<String>,
    pub candidates: RwSignal<Vec<CandidateRow>>,
    /// (ms since start, what happened).
    pub timeline: RwSignal<Vec<(f64, String)>>,
    pub chat: RwSignal<Vec<String>>,
    pub samples: RwSignal<Vec<Sample>>,
    pub notices: RwSignal<Vec<String>>,
    /// Whether the viewer has started since the last stop (the lesson judges the NAT model from then on).
    pub viewer_started: RwSignal<bool>,
    pub pair: RwSignal<Option<(String, String)>>,
    pub remote_size: RwSignal<String>,
    /// Milliseconds from "Start viewer" to the first remote frame on screen.
    pub first_frame_ms: RwSignal<Option<f64>>,
    pub running: RwSignal<bool>,
    /// Where the channel is hosted: this tab or another (empty until the first peer starts).
    pub hosting: RwSignal<String>,
    /// Whether another tab hosts the channel (its knobs and drills are there).
    pub proxied: RwSignal<bool>,
    /// Sides that called GetIceServerConfig since the last stop.
    pub ice_config: RwSignal<Vec<String>>,
    /// The log's length at the last stop: the lesson reads the session after it.
    pub log_mark: RwSignal<usize>,
}

impl LabView {
    fn new() -> LabView {
        LabView {
            master_state: RwSignal::new("not started".into()),
            viewer_state: RwSignal::new("not started".into()),
            viewer_detail: RwSignal::new(String::new()),
            candidates: RwSignal::new(Vec::new()),
            timeline: RwSignal::new(Vec::new()),
            chat: RwSignal::new(Vec::new()),
            samples: RwSignal::new(Vec::new()),
            notices: RwSignal::new(Vec::new()),
            viewer_started: RwSignal::new(false),
            pair: RwSignal::new(None),
            remote_size: RwSignal::new(String::new()),
            first_frame_ms: RwSignal::new(None),
            running: RwSignal::new(false),
            hosting: RwSignal::new(String::new()),
            proxied: RwSignal::new(false),
            ice_config: RwSignal::new(Vec::new()),
            log_mark: RwSignal::new(0),
        }
    }
}

/// A peer connection and what it waits for.
struct Link {
    pc: RtcPeerConnection,
    remote_set: bool,
    /// Candidates that arrived before setRemoteDescription finished.
    queued: Vec<Candidate>,
    channel: Option<RtcDataChannel>,
    /// Event handlers, kept alive as long as the connection.
    _handlers: Vec<Box<dyn std::any::Any>>,
}

struct Side {
    conn: Option<ConnId>,
    client: SignalingClient,
    stream: Option<MediaStream>,
    /// The master's links by viewer id; the viewer's one link under "MASTER".
    links: BTreeMap<String, Link>,
}

/// The page's WebRTC lab: one master and one viewer, connected through the simulated channel.
pub struct VideoLab {
    /// This tab's service, used when this tab hosts the channel.
    pub host: Rc<Host>,
    /// Where the channel is, once the first peer has started.
    signaling: RefCell<Option<Signaling>>,
    /// The search for another tab's channel, shared by peers started at once.
    deciding: RefCell<Option<js_sys::Promise>>,
    pub options: RwSignal<LabOptions>,
    pub view: LabView,
    master: RefCell<Option<Side>>,
    viewer: RefCell<Option<Side>>,
    started_ms: RefCell<f64>,
    stats_timer: RefCell<Option<Interval>>,
    viewers_started: RefCell<u32>,
    /// When the viewer was started (wall ms), for the time to first frame.
    viewer_started_ms: RefCell<f64>,
    /// The remote video's `playing` handler (replaced for each viewer).
    on_playing: RefCell<Option<Closure<dyn FnMut()>>>,
    /// Socket-only viewers opened by the 11th-viewer drill.
    pub(super) extras: RefCell<Vec<ConnId>>,
    /// The synthetic patterns' painters, cleared on stop.
    painters: RefCell<Vec<media::Painter>>,
    /// What the master sends, once acquired.
    master_media: RefCell<Option<MediaStream>>,
}

#[allow(clippy::disallowed_methods)]
fn wall_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn element<T: JsCast>(id: &str) -> Option<T> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

impl VideoLab {
    /// A lab on `host`.
    pub fn new(host: Rc<Host>) -> Rc<VideoLab> {
        Rc::new(VideoLab {
            host,
            signaling: RefCell::new(None),
            deciding: RefCell::new(None),
            options: RwSignal::new(LabOptions::default()),
            view: LabView::new(),
            master: RefCell::new(None),
            viewer: RefCell::new(None),
            started_ms: RefCell::new(wall_ms()),
            stats_timer: RefCell::new(None),
            viewers_started: RefCell::new(0),
            viewer_started_ms: RefCell::new(0.0),
            on_playing: RefCell::new(None),
            extras: RefCell::new(Vec::new()),
            painters: RefCell::new(Vec::new()),
            master_media: RefCell::new(None),
        })
    }

    /// The master's or the viewer's side.
    fn side(&self, role: Role) -> &RefCell<Option<Side>> {
        if role == Role::Master {
            &self.master
        } else {
            &self.viewer
        }
    }

    /// The channel, found in another tab or hosted here on the first call (and again if its tab closed).
    pub(super) async fn signaling(self: &Rc<Self>) -> Result<Signaling, String> {
        if let Some(signaling) = self.signaling.borrow().as_ref().filter(|s| s.alive()) {
            return Ok(signaling.clone());
        }
        let pending = self.deciding.borrow().clone();
        let promise = match pending {
            Some(promise) => promise,
            None => {
                let lab = self.clone();
                let promise = wasm_bindgen_futures::future_to_promise(async move {
                    let decided = Signaling::decide(&lab.host).await;
                    lab.deciding.borrow_mut().take();
                    match decided {
                        Ok(signaling) => {
                            lab.view.hosting.set(signaling.describe());
                            lab.view.proxied.set(matches!(signaling, Signaling::Remote(_)));
                            lab.mark(signaling.describe());
                            *lab.signaling.borrow_mut() = Some(signaling);
                            lab.host.version.update(|v| *v += 1);
                            Ok(JsValue::UNDEFINED)
                        }
                        Err(e) => Err(JsValue::from_str(&e)),
                    }
                });
                *self.deciding.borrow_mut() = Some(promise.clone());
                promise
            }
        };
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| format!("the BroadcastChannel to other tabs failed: {}", e.as_string().unwrap_or_default()))?;
        self.signaling.borrow().clone().ok_or_else(|| "no signaling channel".to_string())
    }

    /// `role`'s settings.
    fn peer_options(&self, role: Role) -> PeerOptions {
        self.options.get_untracked().side(role)
    }

    /// The open socket of `role`'s side.
    pub fn conn_of(&self, role: Role) -> Option<ConnId> {
        self.side(role).borrow().as_ref().and_then(|s| s.conn)
    }

    /// The master's media (camera or test pattern) from the moment it is acquired until stop, whether or
    /// not the master has reached the channel yet: the stream recorder records it.
    pub fn master_media(&self) -> Option<MediaStream> {
        self.master_media.borrow().clone()
    }

    /// The channel, once a peer has started.
    pub fn current_signaling(&self) -> Option<Signaling> {
        self.signaling.borrow().clone()
    }

    /// Whether this tab hosts the channel (or will: no other tab was found yet).
    pub fn hosts_channel(&self) -> bool {
        !matches!(self.signaling.borrow().as_ref(), Some(Signaling::Remote(_)))
    }

    /// Reads the channel's log, wherever it is hosted (empty before the first peer starts).
    pub fn with_log<R>(&self, f: impl FnOnce(&[LogEntry]) -> R) -> R {
        match self.signaling.borrow().as_ref() {
            Some(signaling) => signaling.with_log(f),
            None => self.host.with(|s| f(s.log().entries())),
        }
    }

    pub(super) fn mark(&self, what: impl Into<String>) {
        let at = wall_ms() - *self.started_ms.borrow();
        let what = what.into();
        self.view.timeline.update(|t| t.push((at, what)));
    }

    pub(super) fn notice(&self, text: impl Into<String>) {
        let text = text.into();
        self.view.notices.update(|n| n.push(text));
    }

    fn verdict(&self) -> Verdict {
        let o = self.options.get_untracked();
        nat::verdict(&o.master.network, &o.viewer.network, &o.servers)
    }

    /// The channel's ARN, creating the channel and waiting for it to be ACTIVE if need be.
    pub(super) async fn channel_arn(self: &Rc<Self>, signaling: &Signaling) -> Result<String, String> {
        let describe = || {
            signaling.request(VideoRequest::DescribeSignalingChannel(ChannelRef {
                channel_name: Some(CHANNEL.into()),
                channel_arn: None,
            }))
        };
        if describe().await.is_err() {
            let create = CreateSignalingChannelInput { channel_name: CHANNEL.into(), ..Default::default() };
            signaling.request(VideoRequest::CreateSignalingChannel(create)).await?;
            self.mark("CreateSignalingChannel");
        }
        // DescribeSignalingChannel allows 5 calls per second per channel: poll well under it.
        for _ in 0..20 {
            let info = describe().await?;
            if info["ChannelInfo"]["ChannelStatus"] == "ACTIVE" {
                return Ok(info["ChannelInfo"]["ChannelARN"].as_str().unwrap_or_default().to_string());
            }
            sleep_ms(400).await;
        }
        Err("the channel did not become ACTIVE".into())
    }

    /// The setup calls of spec §4.1: endpoint and ICE servers (whose TURN the model may then use).
    async fn setup_calls(self: &Rc<Self>, signaling: &Signaling, arn: &str, role: Role) -> Result<(), String> {
        let endpoint = GetSignalingChannelEndpointInput {
            channel_arn: arn.into(),
            single_master_channel_endpoint_configuration: Some(EndpointConfiguration {
                protocols: Some(vec!["WSS".into(), "HTTPS".into()]),
                role: Some(role.as_str().into()),
            }),
        };
        signaling.request(VideoRequest::GetSignalingChannelEndpoint(endpoint)).await?;
        let ice = GetIceServerConfigInput { channel_arn: arn.into(), ..Default::default() };
        signaling.request(VideoRequest::GetIceServerConfig(ice)).await?;
        self.view.ice_config.update(|c| c.push(role.as_str().to_string()));
        self.mark(format!("{}: GetSignalingChannelEndpoint, GetIceServerConfig", role.as_str()));
        Ok(())
    }

    /// Starts the master: camera first (so an offer already waiting can be answered at once), then the socket.
    pub async fn start_master(self: Rc<Self>) {
        if self.master.borrow().is_some() {
            return;
        }
        self.view.running.set(true);
        let options = self.options.get_untracked().master;
        let stream = self.local_media("master", &options, "video-local-master").await;
        *self.master_media.borrow_mut() = stream.clone();
        let signaling = match self.signaling().await {
            Ok(signaling) => signaling,
            Err(e) => return self.notice(format!("master: {e}")),
        };
        let arn = match self.channel_arn(&signaling).await {
            Ok(arn) => arn,
            Err(e) => return self.notice(format!("master: {e}")),
        };
        if let Err(e) = self.setup_calls(&signaling, &arn, Role::Master).await {
            return self.notice(format!("master: {e}"));
        }
        *self.master.borrow_mut() = Some(Side {
            conn: None,
            client: SignalingClient::new(Role::Master, self.options.get_untracked().buffering),
            stream,
            links: BTreeMap::new(),
        });
        let weak = Rc::downgrade(&self);
        let request = ConnectRequest { role: Role::Master, channel_arn: arn, client_id: None, signed_at: None };
        let listener = Rc::new(move |_, ev: SocketEvent| {
            if let Some(lab) = weak.upgrade() {
                lab.on_socket(Role::Master, ev);
            }
        });
        match signaling.connect(request, listener).await {
            Ok(conn) => {
                if let Some(side) = self.master.borrow_mut().as_mut() {
                    side.conn = Some(conn);
                }
                self.view.master_state.set("waiting for viewers".into());
                self.mark("master: ConnectAsMaster");
            }
            Err(e) => {
                self.master.borrow_mut().take();
                self.notice(format!("master: ConnectAsMaster refused: {e}"));
            }
        }
    }

    /// Starts a viewer: socket, then peer connection, data channel and offer.
    pub async fn start_viewer(self: Rc<Self>) {
        if self.viewer.borrow().is_some() {
            return;
        }
        self.view.running.set(true);
        *self.viewer_started_ms.borrow_mut() = wall_ms();
        self.view.first_frame_ms.set(None);
        let options = self.options.get_untracked();
        self.view.viewer_started.set(true);
        let signaling = match self.signaling().await {
            Ok(signaling) => signaling,
            Err(e) => return self.notice(format!("viewer: {e}")),
        };
        let arn = match self.channel_arn(&signaling).await {
            Ok(arn) => arn,
            Err(e) => return self.notice(format!("viewer: {e}")),
        };
        if let Err(e) = self.setup_calls(&signaling, &arn, Role::Viewer).await {
            return self.notice(format!("viewer: {e}"));
        }
        let n = {
            let mut count = self.viewers_started.borrow_mut();
            *count += 1;
            *count
        };
        let id = format!("viewer-{n}");
        *self.viewer.borrow_mut() = Some(Side {
            conn: None,
            client: SignalingClient::new(Role::Viewer, options.buffering),
            stream: None,
            links: BTreeMap::new(),
        });
        let weak = Rc::downgrade(&self);
        let request =
            ConnectRequest { role: Role::Viewer, channel_arn: arn, client_id: Some(id.clone()), signed_at: None };
        let listener = Rc::new(move |_, ev: SocketEvent| {
            if let Some(lab) = weak.upgrade() {
                lab.on_socket(Role::Viewer, ev);
            }
        });
        match signaling.connect(request, listener).await {
            Ok(conn) => {
                if let Some(side) = self.viewer.borrow_mut().as_mut() {
                    side.conn = Some(conn);
                }
                self.mark(format!("{id}: ConnectAsViewer"));
            }
            Err(e) => {
                self.viewer.borrow_mut().take();
                return self.notice(format!("viewer: ConnectAsViewer refused: {e}"));
            }
        }
        let stream = self.local_media(&id, &options.viewer, "video-local-viewer").await;
        let link = match self.new_link(Role::Viewer, "MASTER") {
            Ok(link) => link,
            Err(e) => return self.notice(format!("viewer: {e}")),
        };
        let pc = link.pc.clone();
        match &stream {
            Some(s) => s.get_tracks().iter().for_each(|t| {
                let track: web_sys::MediaStreamTrack = t.unchecked_into();
                pc.add_track_0(&track, s);
            }),
            None => {
                for kind in ["video", "audio"] {
                    let init = RtcRtpTransceiverInit::new();
                    init.set_direction(RtcRtpTransceiverDirection::Recvonly);
                    pc.add_transceiver_with_str_and_init(kind, &init);
                }
            }
        }
        if let Some(side) = self.viewer.borrow_mut().as_mut() {
            side.stream = stream;
            side.links.insert("MASTER".into(), link);
        }
        if let Err(e) = codecs::prefer(&pc, options.viewer.codec) {
            self.notice(format!("viewer: setCodecPreferences: {e}"));
        }
        let offer = match settle(pc.create_offer()).await {
            Ok(offer) => offer,
            Err(e) => return self.notice(format!("viewer: createOffer failed: {e}")),
        };
        let init = description_init(RtcSdpType::Offer, &js_string(&offer, "sdp"));
        if let Err(e) = settle(pc.set_local_description(&init)).await {
            return self.notice(format!("viewer: setLocalDescription failed: {e}"));
        }
        if options.viewer.trickle {
            self.send_description(Role::Viewer, None, "offer", &pc);
        } else {
            self.mark(format!("{id}: waiting for ICE gathering to finish (trickle ICE off)"));
        }
        self.start_stats();
    }

    /// Stops both peers and closes their sockets.
    pub fn stop(self: &Rc<Self>) {
        super::drills::close_extras(self);
        if let Some(stream) = self.master_media.borrow_mut().take() {
            // Also when the master never reached the channel (its side holds the same tracks otherwise).
            stream.get_tracks().iter().for_each(|t| t.unchecked_into::<web_sys::MediaStreamTrack>().stop());
        }
        for slot in [&self.master, &self.viewer] {
            if let Some(side) = slot.borrow_mut().take() {
                for link in side.links.values() {
                    link.pc.close();
                }
                if let Some(stream) = &side.stream {
                    stream.get_tracks().iter().for_each(|t| t.unchecked_into::<web_sys::MediaStreamTrack>().stop());
                }
                if let (Some(conn), Some(signaling)) = (side.conn, self.signaling.borrow().as_ref()) {
                    signaling.disconnect(conn);
                }
            }
        }
        if let Some((id, _closure)) = self.stats_timer.borrow_mut().take() {
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(id);
            }
        }
        for (id, _painter) in self.painters.borrow_mut().drain(..) {
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(id);
            }
        }
        for id in ["video-local-master", "video-local-viewer", "video-remote", "video-master-remote"] {
            if let Some(v) = element::<web_sys::HtmlMediaElement>(id) {
                v.set_src_object(None);
            }
        }
        self.view.master_state.set("stopped".into());
        self.view.viewer_state.set("closed".into());
        self.view.running.set(false);
        self.view.ice_config.set(Vec::new());
        self.view.log_mark.set(self.with_log(|e| e.len()));
        self.view.viewer_started.set(false);
        self.view.pair.set(None);
        self.mark("stopped");
    }

    /// Sends a chat line from `role` over the data channel(s).
    pub fn chat(self: &Rc<Self>, role: Role, text: &str) {
        let slot = self.side(role);
        let mut sent = 0;
        if let Some(side) = slot.borrow().as_ref() {
            for channel in side.links.values().filter_map(|l| l.channel.as_ref()) {
                if channel.ready_state() == web_sys::RtcDataChannelState::Open && channel.send_with_str(text).is_ok() {
                    sent += 1;
                }
            }
        }
        let who = who(role);
        let line = if sent > 0 { format!("{who} → {text}") } else { format!("{who}: no open data channel yet") };
        self.view.chat.update(|c| c.push(line));
    }

    /// Sends a ping from the viewer; the master answers and the round trip is shown.
    pub fn ping(self: &Rc<Self>) {
        let text = format!(r#"{{"ping":{}}}"#, wall_ms());
        if let Some(side) = self.viewer.borrow().as_ref() {
            if let Some(channel) = side.links.values().filter_map(|l| l.channel.as_ref()).next() {
                let _ = channel.send_with_str(&text);
            }
        }
    }

    async fn local_media(self: &Rc<Self>, who: &str, options: &PeerOptions, element_id: &str) -> Option<MediaStream> {
        if !options.send_video && !options.send_audio {
            return None;
        }
        let stream = if options.pattern && options.send_video {
            self.pattern(who, options)
        } else {
            match media::camera(options.send_video, options.send_audio, options.hd).await {
                Ok(stream) => {
                    self.mark(format!("{who}: camera on"));
                    Some(stream)
                }
                Err(why) if options.send_video => {
                    self.notice(format!("{who}: {why}; sending a synthetic test pattern instead"));
                    self.pattern(who, options)
                }
                Err(why) => {
                    self.notice(format!("{who}: {why}; continuing receive-only"));
                    None
                }
            }
        };
        if let (Some(stream), Some(v)) = (&stream, element::<web_sys::HtmlMediaElement>(element_id)) {
            v.set_muted(true);
            v.set_src_object(Some(stream));
        }
        stream
    }

    fn pattern(self: &Rc<Self>, who: &str, options: &PeerOptions) -> Option<MediaStream> {
        match media::pattern(options.hd, who) {
            Ok((stream, painter)) => {
                self.painters.borrow_mut().push(painter);
                self.mark(format!("{who}: synthetic test pattern on (canvas captureStream)"));
                Some(stream)
            }
            Err(why) => {
                self.notice(format!("{who}: no test pattern either ({why}); continuing receive-only"));
                None
            }
        }
    }

    fn new_link(self: &Rc<Self>, role: Role, remote: &str) -> Result<Link, String> {
        // The browser gets no ICE servers: none exist here (spec §7.1). STUN and TURN are modelled.
        let config = RtcConfiguration::new();
        config.set_ice_servers(&js_sys::Array::new());
        let pc = RtcPeerConnection::new_with_configuration(&config).map_err(media::describe)?;
        let mut handlers: Vec<Box<dyn std::any::Any>> = Vec::new();
        let weak = Rc::downgrade(self);
        let remote_id = remote.to_string();
        let on_candidate =
            Closure::<dyn FnMut(RtcPeerConnectionIceEvent)>::new(move |ev: RtcPeerConnectionIceEvent| {
                if let Some(lab) = weak.upgrade() {
                    lab.on_local_candidate(role, &remote_id, ev.candidate());
                }
            });
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        handlers.push(Box::new(on_candidate));
        let weak = Rc::downgrade(self);
        let pc_state = pc.clone();
        let remote_id = remote.to_string();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if let Some(lab) = weak.upgrade() {
                lab.on_state(role, &remote_id, &pc_state);
            }
        });
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        pc.set_oniceconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        pc.set_onsignalingstatechange(Some(on_state.as_ref().unchecked_ref()));
        handlers.push(Box::new(on_state));
        let weak = Rc::downgrade(self);
        let on_track = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |ev: RtcTrackEvent| {
            let Some(lab) = weak.upgrade() else { return };
            let Some(stream) = ev.streams().get(0).dyn_into::<MediaStream>().ok() else { return };
            let id = if role == Role::Viewer { "video-remote" } else { "video-master-remote" };
            if let Some(v) = element::<web_sys::HtmlMediaElement>(id) {
                v.set_muted(true);
                v.set_src_object(Some(&stream));
                if role == Role::Viewer {
                    lab.watch_first_frame(&v);
                }
            }
            lab.mark(format!("{}: remote {} track", who(role), ev.track().kind()));
        });
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        handlers.push(Box::new(on_track));
        let mut channel = None;
        if role == Role::Viewer {
            let dc = pc.create_data_channel("kvsDataChannel");
            handlers.extend(self.watch_channel(Role::Viewer, &dc));
            channel = Some(dc);
        } else {
            let weak = Rc::downgrade(self);
            let remote_id = remote.to_string();
            let on_channel = Closure::<dyn FnMut(RtcDataChannelEvent)>::new(move |ev: RtcDataChannelEvent| {
                let Some(lab) = weak.upgrade() else { return };
                let dc = ev.channel();
                let handlers = lab.watch_channel(Role::Master, &dc);
                let mut master = lab.master.borrow_mut();
                if let Some(link) = master.as_mut().and_then(|side| side.links.get_mut(&remote_id)) {
                    link.channel = Some(dc);
                    link._handlers.extend(handlers);
                }
            });
            pc.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));
            handlers.push(Box::new(on_channel));
        }
        Ok(Link { pc, remote_set: false, queued: Vec::new(), channel, _handlers: handlers })
    }

    /// Marks the time to first frame when the remote video starts playing.
    fn watch_first_frame(self: &Rc<Self>, video: &web_sys::HtmlMediaElement) {
        let weak = Rc::downgrade(self);
        let element = video.clone();
        let on_playing = Closure::<dyn FnMut()>::new(move || {
            let Some(lab) = weak.upgrade() else { return };
            element.set_onplaying(None);
            if lab.view.first_frame_ms.get_untracked().is_none() {
                let ms = wall_ms() - *lab.viewer_started_ms.borrow();
                lab.view.first_frame_ms.set(Some(ms));
                lab.mark(format!("viewer: first remote frame on screen, {ms:.0} ms after Start viewer"));
            }
        });
        video.set_onplaying(Some(on_playing.as_ref().unchecked_ref()));
        *self.on_playing.borrow_mut() = Some(on_playing);
    }

    fn watch_channel(self: &Rc<Self>, role: Role, dc: &RtcDataChannel) -> Vec<Box<dyn std::any::Any>> {
        let weak = Rc::downgrade(self);
        let channel = dc.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(lab) = weak.upgrade() else { return };
            let text = ev.data().as_string().unwrap_or_default();
            let who = who(role);
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) if v.get("ping").is_some() => {
                    let _ = channel.send_with_str(&format!(r#"{{"pong":{}}}"#, v["ping"]));
                }
                Ok(v) if v.get("pong").is_some() => {
                    let rtt = wall_ms() - v["pong"].as_f64().unwrap_or(0.0);
                    lab.view.chat.update(|c| c.push(format!("ping over the data channel: {rtt:.1} ms round trip")));
                }
                _ => lab.view.chat.update(|c| c.push(format!("{who} ← {text}"))),
            }
        });
        dc.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let weak = Rc::downgrade(self);
        let opened = dc.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let Some(lab) = weak.upgrade() else { return };
            lab.mark(format!("{}: data channel kvsDataChannel open", who(role)));
            if role == Role::Viewer {
                let _ = opened.send_with_str("hello from the viewer");
            }
        });
        dc.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        vec![Box::new(on_message), Box::new(on_open)]
    }

    fn on_state(self: &Rc<Self>, role: Role, remote: &str, pc: &RtcPeerConnection) {
        let connection = format!("{:?}", pc.connection_state()).to_lowercase();
        let detail = format!(
            "connection {connection} · ICE {} · signaling {}",
            format!("{:?}", pc.ice_connection_state()).to_lowercase(),
            format!("{:?}", pc.signaling_state()).to_lowercase()
        );
        match role {
            Role::Viewer => {
                if self.view.viewer_state.get_untracked() != connection {
                    self.mark(format!("viewer: {connection}"));
                }
                self.view.viewer_state.set(connection);
                self.view.viewer_detail.set(detail);
            }
            Role::Master => self.view.master_state.set(format!("{remote}: {detail}")),
        }
    }

    fn on_socket(self: &Rc<Self>, role: Role, event: SocketEvent) {
        let slot = self.side(role);
        let text = match event {
            SocketEvent::Frame(text) => text,
            SocketEvent::Closed(reason) => {
                if let Some(side) = slot.borrow_mut().as_mut() {
                    side.conn = None;
                }
                return self.notice(format!("{} socket closed by the service: {reason}", who(role)));
            }
        };
        let events = match slot.borrow_mut().as_mut() {
            Some(side) => side.client.receive(&text),
            None => return,
        };
        for event in events {
            match event {
                ClientEvent::Offer { sender, description } if role == Role::Master => {
                    let lab = self.clone();
                    let viewer = sender.unwrap_or_default();
                    lab.mark(format!("master: SDP_OFFER from {viewer}"));
                    wasm_bindgen_futures::spawn_local(async move { lab.answer(viewer, description).await });
                }
                ClientEvent::Answer { description, .. } if role == Role::Viewer => {
                    self.mark("viewer: SDP_ANSWER received");
                    let lab = self.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        lab.set_remote(Role::Viewer, "MASTER".into(), description).await
                    });
                }
                ClientEvent::Candidate { sender, candidate } => {
                    let key = if role == Role::Master { sender.unwrap_or_default() } else { "MASTER".into() };
                    self.remote_candidate(role, &key, candidate);
                }
                ClientEvent::Status { correlation_id, error_type, description, .. } => self.notice(format!(
                    "{}: STATUS_RESPONSE for {correlation_id}: {error_type}: {description}",
                    who(role)
                )),
                ClientEvent::GoAway => {
                    self.notice(format!("{}: GO_AWAY: the service will close this socket; reconnect", who(role)))
                }
                ClientEvent::ReconnectIceServer => {
                    self.notice(format!("{}: RECONNECT_ICE_SERVER: fetch new TURN credentials", who(role)))
                }
                ClientEvent::Ignored { reason } => self.notice(format!("{}: frame ignored: {reason}", who(role))),
                other => self.notice(format!("{}: unexpected {other:?}", who(role))),
            }
        }
    }

    async fn answer(self: Rc<Self>, viewer: String, offer: Description) {
        // A new offer from a viewer replaces its previous connection (the SDK example's behaviour, F9).
        let old = self.master.borrow_mut().as_mut().and_then(|side| side.links.remove(&viewer));
        if let Some(old) = old {
            old.pc.close();
        }
        let link = match self.new_link(Role::Master, &viewer) {
            Ok(link) => link,
            Err(e) => return self.notice(format!("master: {e}")),
        };
        let pc = link.pc.clone();
        if let Some(side) = self.master.borrow_mut().as_mut() {
            if let Some(stream) = &side.stream {
                stream.get_tracks().iter().for_each(|t| {
                    pc.add_track_0(&t.unchecked_into(), stream);
                });
            }
            side.links.insert(viewer.clone(), link);
        }
        self.clone().set_remote(Role::Master, viewer.clone(), offer).await;
        if let Err(e) = codecs::prefer(&pc, self.options.get_untracked().master.codec) {
            self.notice(format!("master: setCodecPreferences: {e}"));
        }
        let answer = match settle(pc.create_answer()).await {
            Ok(a) => a,
            Err(e) => return self.notice(format!("master: createAnswer failed: {e}")),
        };
        let init = description_init(RtcSdpType::Answer, &js_string(&answer, "sdp"));
        if let Err(e) = settle(pc.set_local_description(&init)).await {
            return self.notice(format!("master: setLocalDescription failed: {e}"));
        }
        if self.options.get_untracked().master.trickle {
            self.send_description(Role::Master, Some(&viewer), "answer", &pc);
        }
    }

    async fn set_remote(self: Rc<Self>, role: Role, key: String, description: Description) {
        let pc = {
            let slot = self.side(role);
            let side = slot.borrow();
            match side.as_ref().and_then(|s| s.links.get(&key)) {
                Some(link) => link.pc.clone(),
                None => return,
            }
        };
        let kind = if description.kind == "offer" { RtcSdpType::Offer } else { RtcSdpType::Answer };
        let sdp = candidates::filter_sdp(&description.sdp, &self.peer_options(role).accept);
        if let Err(e) = settle(pc.set_remote_description(&description_init(kind, &sdp))).await {
            return self.notice(format!("{}: setRemoteDescription failed: {e}", who(role)));
        }
        let queued = {
            let slot = self.side(role);
            let mut side = slot.borrow_mut();
            match side.as_mut().and_then(|s| s.links.get_mut(&key)) {
                Some(link) => {
                    link.remote_set = true;
                    std::mem::take(&mut link.queued)
                }
                None => Vec::new(),
            }
        };
        for candidate in queued {
            add_candidate(&pc, &candidate);
        }
    }

    fn remote_candidate(self: &Rc<Self>, role: Role, key: &str, candidate: Candidate) {
        let side_name = who(role);
        if let Err(why) = self.peer_options(role).accept.passes(&candidate.candidate) {
            let row = CandidateRow {
                side: side_name,
                direction: "received",
                parsed: candidates::parse(&candidate.candidate),
                line: candidate.candidate,
                decision: Err(format!("accept filter: {why}")),
            };
            return self.view.candidates.update(|c| c.push(row));
        }
        let slot = self.side(role);
        let pc = {
            let mut side = slot.borrow_mut();
            let Some(link) = side.as_mut().and_then(|s| s.links.get_mut(key)) else {
                return self.notice(format!("{side_name}: a candidate from {key} with no connection for it"));
            };
            if !link.remote_set {
                link.queued.push(candidate.clone());
                None
            } else {
                Some(link.pc.clone())
            }
        };
        if let Some(pc) = pc {
            add_candidate(&pc, &candidate);
        }
        let row = CandidateRow {
            side: side_name,
            direction: "received",
            parsed: candidates::parse(&candidate.candidate),
            line: candidate.candidate,
            decision: Ok(()),
        };
        self.view.candidates.update(|c| c.push(row));
    }

    fn on_local_candidate(self: &Rc<Self>, role: Role, remote: &str, candidate: Option<web_sys::RtcIceCandidate>) {
        let options = self.options.get_untracked();
        let trickle = options.side(role).trickle;
        let Some(candidate) = candidate else {
            self.mark(format!("{}: ICE gathering complete", who(role)));
            if !trickle {
                let slot = self.side(role);
                let pc = slot.borrow().as_ref().and_then(|s| s.links.get(remote).map(|l| l.pc.clone()));
                if let Some(pc) = pc {
                    let (kind, to) = if role == Role::Master { ("answer", Some(remote)) } else { ("offer", None) };
                    self.send_description(role, to, kind, &pc);
                }
            }
            return;
        };
        let line = candidate.candidate();
        if line.is_empty() {
            return; // end of a generation (a Firefox habit); gathering goes on
        }
        let send = self.peer_options(role).send;
        let decision =
            nat::admit(&self.verdict()).and_then(|()| send.passes(&line).map_err(|why| format!("send filter: {why}")));
        let side = who(role);
        let row = CandidateRow {
            side,
            direction: "sent",
            parsed: candidates::parse(&line),
            line: line.clone(),
            decision: match (&decision, trickle) {
                (Ok(()), false) => Err("kept in the SDP (trickle ICE off)".into()),
                _ => decision.clone(),
            },
        };
        self.view.candidates.update(|c| c.push(row));
        if decision.is_err() || !trickle {
            return;
        }
        let payload = Candidate {
            candidate: line,
            sdp_mid: candidate.sdp_mid(),
            sdp_m_line_index: candidate.sdp_m_line_index(),
            username_fragment: None,
        };
        let json = serde_json::to_string(&payload).expect("candidates serialise");
        let recipient = (role == Role::Master).then_some(remote);
        self.send_frame(role, MessageType::IceCandidate, &json, recipient);
    }

    /// Sends the local description as SDP_OFFER or SDP_ANSWER. When the model forbids every path and the
    /// candidates ride inside the SDP (trickle off), they are taken out, as a filter would.
    fn send_description(self: &Rc<Self>, role: Role, recipient: Option<&str>, kind: &str, pc: &RtcPeerConnection) {
        let Some(local) = pc.local_description() else { return };
        let filter =
            if nat::admit(&self.verdict()).is_err() { CandidateFilter::NONE } else { self.peer_options(role).send };
        let sdp = candidates::filter_sdp(&local.sdp(), &filter);
        let json = serde_json::to_string(&Description { kind: kind.into(), sdp }).expect("descriptions serialise");
        let action = if kind == "offer" { MessageType::SdpOffer } else { MessageType::SdpAnswer };
        self.send_frame(role, action, &json, recipient);
        self.mark(format!("{}: {} sent", who(role), action.as_str()));
    }

    fn send_frame(self: &Rc<Self>, role: Role, action: MessageType, json: &str, recipient: Option<&str>) {
        let slot = self.side(role);
        let prepared = slot.borrow().as_ref().map(|side| {
            // The master asks for a STATUS_RESPONSE on answers, as the SDK example does (correlationId = time).
            let correlation = (action == MessageType::SdpAnswer).then(|| format!("{}", wall_ms() as u64));
            (side.conn, side.client.frame(action, json, recipient, correlation.as_deref()))
        });
        match prepared {
            Some((Some(conn), Ok(text))) => match self.signaling.borrow().as_ref() {
                Some(signaling) => signaling.send(conn, &text),
                None => self.notice(format!("{}: no signaling channel; {} not sent", who(role), action.as_str())),
            },
            Some((None, _)) => {
                self.notice(format!("{}: the socket is closed; {} not sent", who(role), action.as_str()))
            }
            Some((_, Err(e))) => self.notice(format!("{}: {e}", who(role))),
            None => {}
        }
    }

    fn start_stats(self: &Rc<Self>) {
        if self.stats_timer.borrow().is_some() {
            return;
        }
        let weak = Rc::downgrade(self);
        let previous: Rc<RefCell<Option<Reading>>> = Rc::new(RefCell::new(None));
        let tick = Closure::<dyn FnMut()>::new(move || {
            let Some(lab) = weak.upgrade() else { return };
            let pc = lab.viewer.borrow().as_ref().and_then(|s| s.links.get("MASTER").map(|l| l.pc.clone()));
            let Some(pc) = pc else { return };
            let previous = previous.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(report) = settle(pc.get_stats()).await else { return };
                let reports = stats_json(&report);
                let reading = stats::read(&reports);
                let at = (wall_ms() - *lab.started_ms.borrow()) / 1_000.0;
                if let Some(prev) = previous.borrow().as_ref() {
                    if let Some(sample) = stats::sample(prev, &reading, at) {
                        lab.view.samples.update(|s| {
                            s.push(sample);
                            if s.len() > 600 {
                                s.remove(0);
                            }
                        });
                    }
                }
                if let (Some(w), Some(h)) = (reading.frame_width, reading.frame_height) {
                    lab.view.remote_size.set(format!("{w}×{h}, {} frames decoded", reading.frames_decoded));
                }
                lab.view.pair.set(reading.pair.clone());
                *previous.borrow_mut() = Some(reading);
            });
        });
        let Some(window) = web_sys::window() else { return };
        if let Ok(id) =
            window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1_000)
        {
            *self.stats_timer.borrow_mut() = Some((id, tick));
        }
    }
}

/// "master" or "viewer", as the page's lines name a side.
fn who(role: Role) -> String {
    role.as_str().to_lowercase()
}

/// Every report of a getStats result as JSON.
fn stats_json(report: &JsValue) -> Vec<serde_json::Value> {
    let values = js_sys::Reflect::get(report, &"values".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(report).ok());
    let Some(values) = values else { return Vec::new() };
    js_sys::Array::from(&values)
        .iter()
        .filter_map(|v| js_sys::JSON::stringify(&v).ok())
        .filter_map(|s| serde_json::from_str(&String::from(s)).ok())
        .collect()
}

fn add_candidate(pc: &RtcPeerConnection, candidate: &Candidate) {
    let init = RtcIceCandidateInit::new(&candidate.candidate);
    init.set_sdp_mid(candidate.sdp_mid.as_deref());
    init.set_sdp_m_line_index(candidate.sdp_m_line_index);
    // A refused candidate (wrong m-line after a renegotiation) only loses that candidate.
    let _ = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init));
}

fn description_init(kind: RtcSdpType, sdp: &str) -> RtcSessionDescriptionInit {
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(sdp);
    init
}

fn js_string(value: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(value, &key.into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

pub(super) async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Whether the page's options make TURN-only impossible (for the form's warning).
pub fn turn_only_without_turn(options: &LabOptions) -> bool {
    [options.master.network, options.viewer.network].iter().any(|n| n.traversal == Traversal::TurnOnly)
        && matches!(
            nat::verdict(&options.master.network, &options.viewer.network, &options.servers),
            Verdict::Fails { .. }
        )
}
