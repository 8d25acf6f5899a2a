//! The Video lab's producer and player: the master's camera recorded with MediaRecorder into fragments
//! that go to the simulated stream service (PutMedia), and clips of stored fragments played back.
//!
//! Each fragment is one MediaRecorder take, so it starts at a keyframe and carries its own header: it is
//! self-contained, as a KVS fragment must be. The next take starts before the current one stops, so no
//! frame falls between two fragments. The service keeps numbers, timestamps and acknowledgements; the
//! page keeps each fragment's bytes (a Blob) until the retention sweep removes it from the archive.

use super::host::Host;
use super::media::{describe, Timer};
use crate::engine::video::media::control::{
    CreateStreamInput, DeleteStreamInput, FragmentSelector, GetClipInput, StreamRef, TimestampRange,
};
use crate::engine::video::media::fragment::{FragmentInput, TrackInput};
use crate::engine::video::media::put::PutMediaInput;
use crate::engine::video::media::{MediaRequest, MediaService, SessionId};
use crate::view_model::video::fragments::{codec_id_of, Ledger, RECORDING_TYPES};
use leptos::prelude::{Get, GetUntracked, RwSignal, Set, Update, WithUntracked};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, HtmlVideoElement, MediaRecorder, MediaRecorderOptions, MediaStream, Url,
};

/// The most fragments one recording makes (bounds the page's memory: about 10 minutes of 2 s fragments).
pub const FRAGMENTS_MAX: u32 = 300;

/// What the learner chose.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamForm {
    pub name: String,
    pub retention_hours: u64,
    pub fragment_ms: u32,
    pub mime: String,
    /// GetClip's range: fragment numbers of the first and last fragment wanted.
    pub clip_from: String,
    pub clip_to: String,
    /// The clip's end follows the newest archived fragment until the learner picks another.
    pub clip_to_latest: bool,
    pub by_producer: bool,
}

/// What the panel shows.
#[derive(Clone, Copy)]
pub struct StreamView {
    pub form: RwSignal<StreamForm>,
    pub ledger: RwSignal<Ledger>,
    /// DescribeStream's StreamInfo, or why there is none.
    pub info: RwSignal<Option<serde_json::Value>>,
    pub recording: RwSignal<bool>,
    /// The last call and what it answered, as the API would show it.
    pub last_call: RwSignal<String>,
    pub problem: RwSignal<String>,
    /// The clip player: (fragment playing, of how many).
    pub playing: RwSignal<Option<(usize, usize)>>,
    /// Fragments the player has finished since the last GetClip.
    pub played: RwSignal<usize>,
}

/// The MIME types this browser's MediaRecorder can record, best first.
pub fn supported_types() -> Vec<(&'static str, &'static str)> {
    RECORDING_TYPES.iter().copied().filter(|(mime, _)| MediaRecorder::is_type_supported(mime)).collect()
}

/// A take's dataavailable and stop handlers.
type Handlers = (Closure<dyn FnMut(BlobEvent)>, Closure<dyn FnMut()>);

/// One MediaRecorder take: one fragment.
struct Take {
    recorder: MediaRecorder,
    /// Set by the stop handler: the take's fragment was sent and its handlers may go.
    done: Rc<std::cell::Cell<bool>>,
    _handlers: Handlers,
}

struct Recording {
    session: SessionId,
    stream: MediaStream,
    mime: String,
    start_wall: f64,
    /// The producer start timestamp, epoch ms (RELATIVE timecodes count from it).
    producer_start_ms: u64,
    current: Option<Take>,
    count: u32,
    timer: Option<Timer>,
}

/// The stream service, the producer and the player.
pub struct StreamLab {
    host: Rc<Host>,
    service: RefCell<MediaService>,
    pub view: StreamView,
    recording: RefCell<Option<Recording>>,
    /// Stopped takes whose last bytes and stop event are still to come.
    stopping: RefCell<Vec<Take>>,
    /// The last recording's PutMedia session: it stays open until its last take is sent, and ends when
    /// the next recording starts.
    last_session: std::cell::Cell<Option<SessionId>>,
    /// Each stored fragment's bytes, by fragment number.
    blobs: RefCell<BTreeMap<String, Blob>>,
    ticker: RefCell<Option<Timer>>,
    player: RefCell<Player>,
}

#[derive(Default)]
struct Player {
    queue: Vec<String>,
    next: usize,
    url: Option<String>,
}

#[allow(clippy::disallowed_methods)]
fn wall_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn by_name(name: &str) -> StreamRef {
    StreamRef { stream_name: Some(name.to_string()), stream_arn: None }
}

impl StreamLab {
    /// A stream service on the signaling host's clock (its speed-up applies to retention too).
    pub fn new(host: Rc<Host>) -> Rc<StreamLab> {
        let settings = host.with(|s| s.settings().clone());
        let epoch_ms = settings.epoch_ms;
        let mime = supported_types().first().map_or(String::new(), |(m, _)| m.to_string());
        let form = StreamForm {
            name: "kinesis-lab-camera".into(),
            retention_hours: 1,
            fragment_ms: 2_000,
            mime,
            clip_from: String::new(),
            clip_to: String::new(),
            clip_to_latest: true,
            by_producer: false,
        };
        let lab = Rc::new(StreamLab {
            host,
            service: RefCell::new(MediaService::new(settings, crate::engine::rng::Seed(11))),
            view: StreamView {
                form: RwSignal::new(form),
                ledger: RwSignal::new(Ledger::new(epoch_ms)),
                info: RwSignal::new(None),
                recording: RwSignal::new(false),
                last_call: RwSignal::new(String::new()),
                problem: RwSignal::new(String::new()),
                playing: RwSignal::new(None),
                played: RwSignal::new(0),
            },
            recording: RefCell::new(None),
            stopping: RefCell::new(Vec::new()),
            last_session: std::cell::Cell::new(None),
            blobs: RefCell::new(BTreeMap::new()),
            ticker: RefCell::new(None),
            player: RefCell::new(Player::default()),
        });
        lab.start_ticker();
        lab
    }

    /// Every quarter second: the service's timers, acknowledgements into the list, the archive's state.
    fn start_ticker(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(lab) = weak.upgrade() {
                lab.tick();
            }
        });
        let handle = web_sys::window().and_then(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 250).ok()
        });
        if let Some(handle) = handle {
            *self.ticker.borrow_mut() = Some((handle, tick));
        }
    }

    fn tick(&self) {
        self.stopping.borrow_mut().retain(|t| !t.done.get());
        let now = self.host.now();
        let name = self.view.form.get_untracked().name;
        let mut service = self.service.borrow_mut();
        service.handle_timeout(now);
        let acks: Vec<_> = std::iter::from_fn(|| service.poll_ack()).collect();
        let archived: Vec<String> =
            service.stream(&name).map(|s| s.archive.values().map(|f| f.number.clone()).collect()).unwrap_or_default();
        let info = service.stream(&name).map(|s| s.info(service.settings()));
        drop(service);
        let changed = !acks.is_empty() || self.view.ledger.with_untracked(|l| l.archived().count() != archived.len());
        if changed {
            self.view.ledger.update(|ledger| {
                acks.iter().for_each(|a| ledger.acked(a));
                ledger.archive_is(|n| archived.iter().any(|a| a == n));
            });
            // Bytes of swept fragments go too; those still on their way stay.
            let ledger = self.view.ledger.get_untracked();
            self.blobs.borrow_mut().retain(|n, _| {
                ledger
                    .rows
                    .iter()
                    .any(|r| r.number.as_deref() == Some(n.as_str()) && !r.swept && r.state() != "not archived")
            });
        }
        if self.view.info.get_untracked() != info {
            self.view.info.set(info);
        }
    }

    fn call(&self, request: MediaRequest) -> Result<serde_json::Value, String> {
        let action = request.action();
        let result = self.service.borrow_mut().handle_request(self.host.now(), request);
        let shown = match &result {
            Ok(body) => format!("{action} → {body}"),
            Err(e) => format!("{action} → {}: {}", e.kind.aws_code(), e.message),
        };
        self.view.last_call.set(shown);
        self.tick();
        result.map_err(|e| e.to_string())
    }

    /// CreateStream with the form's name and retention.
    pub fn create_stream(&self) {
        let form = self.view.form.get_untracked();
        let input = CreateStreamInput {
            stream_name: form.name.clone(),
            device_name: Some("kinesis-lab-browser".into()),
            media_type: Some(form.mime.split(';').next().unwrap_or_default().to_string()),
            data_retention_in_hours: Some(form.retention_hours),
            ..Default::default()
        };
        if self.call(MediaRequest::CreateStream(input)).is_ok() {
            self.view.ledger.set(Ledger::new(self.service.borrow().settings().epoch_ms));
            self.blobs.borrow_mut().clear();
        }
    }

    /// DeleteStream (stops a recording first).
    pub fn delete_stream(&self) {
        self.stop_recording();
        let name = self.view.form.get_untracked().name;
        let arn = self.service.borrow().stream(&name).map(|s| s.arn.clone()).unwrap_or_default();
        let _ = self.call(MediaRequest::DeleteStream(DeleteStreamInput { stream_arn: arn, current_version: None }));
    }

    /// The next fragment's archival fails (ERROR 5001).
    pub fn fail_next_persist(&self) {
        let name = self.view.form.get_untracked().name;
        self.service.borrow_mut().inject_persist_failures(&name, 1);
        self.view.last_call.set(format!("InjectPersistFailure → the next fragment of {name} fails to persist"));
    }

    /// Starts recording `stream` (the master's media) into the stream: one PutMedia session, RELATIVE
    /// timecodes from now.
    pub fn start_recording(self: &Rc<Self>, stream: Option<MediaStream>) {
        self.view.problem.set(String::new());
        if self.recording.borrow().is_some() {
            return;
        }
        let Some(source) = stream else {
            self.view.problem.set("Start the master first: the recorder records the master's camera.".into());
            return;
        };
        let form = self.view.form.get_untracked();
        if form.mime.is_empty() {
            self.view.problem.set("This browser's MediaRecorder records none of the offered formats.".into());
            return;
        }
        let video = MediaStream::new_with_tracks(&source.get_video_tracks());
        let Ok(video) = video else {
            self.view.problem.set("The master's stream has no video track to record.".into());
            return;
        };
        if let Some(previous) = self.last_session.take() {
            self.service.borrow_mut().end_session(previous);
        }
        let now = self.host.now();
        let producer_start_ms = self.service.borrow().settings().epoch_ms + now.as_millis();
        let producer_start_s = producer_start_ms as f64 / 1_000.0;
        let input = PutMediaInput {
            stream: by_name(&form.name),
            fragment_timecode_type: "RELATIVE".into(),
            producer_start_timestamp: Some(producer_start_s),
            fragments: Vec::new(),
        };
        let opened = self.service.borrow_mut().put_media(now, input);
        let session = match opened {
            Ok((session, _)) => {
                self.last_session.set(Some(session));
                session
            }
            Err(e) => {
                self.view.problem.set(format!("PutMedia → {}: {}", e.kind.aws_code(), e.message));
                return;
            }
        };
        self.view.last_call.set(format!(
            "PutMedia (session {}) → HTTP 200; x-amzn-fragment-timecode-type RELATIVE, x-amzn-producer-start-timestamp {producer_start_s:.3}",
            session.0
        ));
        *self.recording.borrow_mut() = Some(Recording {
            session,
            stream: video,
            mime: form.mime.clone(),
            start_wall: wall_ms(),
            producer_start_ms,
            current: None,
            count: 0,
            timer: None,
        });
        if let Err(e) = self.rotate() {
            self.view.problem.set(format!("MediaRecorder could not start: {e}"));
            self.recording.borrow_mut().take();
            return;
        }
        let weak = Rc::downgrade(self);
        let every = Closure::<dyn FnMut()>::new(move || {
            if let Some(lab) = weak.upgrade() {
                if let Err(e) = lab.rotate() {
                    lab.view.problem.set(format!("MediaRecorder stopped: {e}"));
                    lab.stop_recording();
                }
            }
        });
        let handle = web_sys::window().and_then(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(
                every.as_ref().unchecked_ref(),
                form.fragment_ms as i32,
            )
            .ok()
        });
        if let (Some(handle), Some(rec)) = (handle, self.recording.borrow_mut().as_mut()) {
            rec.timer = Some((handle, every));
        }
        self.view.recording.set(true);
    }

    /// Starts the next take and stops the current one (its fragment is sent when its bytes are in).
    fn rotate(self: &Rc<Self>) -> Result<(), String> {
        let old = {
            let mut guard = self.recording.borrow_mut();
            let Some(rec) = guard.as_mut() else { return Ok(()) };
            if rec.count >= FRAGMENTS_MAX {
                drop(guard);
                self.view.problem.set(format!(
                    "Recording stopped after {FRAGMENTS_MAX} fragments (the page keeps every fragment's bytes)."
                ));
                self.stop_recording();
                return Ok(());
            }
            rec.count += 1;
            let next = self.take(rec)?;
            rec.current.replace(next)
        };
        if let Some(old) = old {
            old.recorder.stop().map_err(describe)?;
            self.stopping.borrow_mut().push(old);
        }
        Ok(())
    }

    fn take(self: &Rc<Self>, rec: &Recording) -> Result<Take, String> {
        let options = MediaRecorderOptions::new();
        options.set_mime_type(&rec.mime);
        let recorder =
            MediaRecorder::new_with_media_stream_and_media_recorder_options(&rec.stream, &options).map_err(describe)?;
        let parts = Rc::new(RefCell::new(Vec::<Blob>::new()));
        let on_data = {
            let parts = parts.clone();
            Closure::<dyn FnMut(BlobEvent)>::new(move |event: BlobEvent| {
                if let Some(blob) = event.data() {
                    parts.borrow_mut().push(blob);
                }
            })
        };
        let started_wall = wall_ms();
        let (session, mime) = (rec.session, rec.mime.clone());
        let timecode_ms = (started_wall - rec.start_wall).max(0.0) as u64;
        let producer_ms = rec.producer_start_ms + timecode_ms;
        let done = Rc::new(std::cell::Cell::new(false));
        let on_stop = {
            let (weak, done) = (Rc::downgrade(self), done.clone());
            Closure::<dyn FnMut()>::new(move || {
                done.set(true);
                if let Some(lab) = weak.upgrade() {
                    let duration_ms = (wall_ms() - started_wall).max(0.0) as u64;
                    lab.send(session, &mime, &parts.borrow(), (timecode_ms, producer_ms), duration_ms);
                }
            })
        };
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        recorder.start().map_err(describe)?;
        Ok(Take { recorder, done, _handlers: (on_data, on_stop) })
    }

    /// One finished take goes to the service as one fragment.
    /// `at` is the take's (RELATIVE timecode, producer timestamp in epoch ms).
    fn send(&self, session: SessionId, mime: &str, parts: &[Blob], at: (u64, u64), duration_ms: u64) {
        let array = js_sys::Array::new();
        parts.iter().for_each(|p| {
            array.push(p);
        });
        let bag = BlobPropertyBag::new();
        bag.set_type(mime);
        let Ok(blob) = Blob::new_with_blob_sequence_and_options(&array, &bag) else { return };
        let fragment = FragmentInput {
            timecode: at.0,
            duration_ms,
            size_bytes: blob.size() as u64,
            // MediaRecorder reports no frame count; a take with bytes holds at least its keyframe.
            tracks: vec![TrackInput { codec_id: codec_id_of(mime).into(), frames: u32::from(blob.size() > 0.0) }],
        };
        let now = self.host.now();
        let put = self.service.borrow_mut().put_fragment(now, session, fragment.clone());
        let Ok(outcome) = put else { return };
        self.view.ledger.update(|l| l.sent(&outcome, at.1, fragment.duration_ms, fragment.size_bytes));
        if let Some(number) = outcome.fragment_number {
            self.blobs.borrow_mut().insert(number, blob);
        }
        self.tick();
    }

    /// Stops the current take; its fragment is still sent on the session.
    pub fn stop_recording(&self) {
        let Some(mut rec) = self.recording.borrow_mut().take() else { return };
        if let (Some(window), Some((handle, _))) = (web_sys::window(), rec.timer.as_ref()) {
            window.clear_interval_with_handle(*handle);
        }
        if let Some(take) = rec.current.take() {
            let _ = take.recorder.stop();
            self.stopping.borrow_mut().push(take);
        }
        self.view.recording.set(false);
    }

    /// GetClip over the form's range; plays the clip's fragments when the service returns one.
    pub fn get_clip(&self) {
        let form = self.view.form.get_untracked();
        let ledger = self.view.ledger.get_untracked();
        let stamp = |number: &str| {
            ledger.rows.iter().find(|r| r.number.as_deref() == Some(number)).map(|r| {
                if form.by_producer {
                    r.producer_ms
                } else {
                    r.server_ms.unwrap_or(r.producer_ms)
                }
            })
        };
        let (Some(from), Some(to)) = (stamp(&form.clip_from), stamp(&form.clip_to)) else {
            self.view.problem.set("Choose the first and last fragment of the clip.".into());
            return;
        };
        self.view.problem.set(String::new());
        let selector = FragmentSelector {
            fragment_selector_type: if form.by_producer { "PRODUCER_TIMESTAMP" } else { "SERVER_TIMESTAMP" }.into(),
            // The range is inclusive of both fragments' timestamps; a zero-length range is widened by 1 ms.
            timestamp_range: TimestampRange {
                start_timestamp: from as f64 / 1_000.0,
                end_timestamp: (to.max(from + 1)) as f64 / 1_000.0,
            },
        };
        let input = GetClipInput { stream: by_name(&form.name), clip_fragment_selector: selector };
        if let Ok(body) = self.call(MediaRequest::GetClip(input)) {
            let numbers = body["Payload"]["FragmentNumbers"].as_array().cloned().unwrap_or_default();
            self.play(numbers.iter().filter_map(|n| n.as_str().map(str::to_string)).collect());
        }
    }

    /// Plays fragments one after another in the clip player.
    fn play(&self, numbers: Vec<String>) {
        self.view.played.set(0);
        {
            let mut player = self.player.borrow_mut();
            player.queue = numbers;
            player.next = 0;
        }
        self.play_next();
    }

    fn play_next(&self) {
        let Some(video) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("video-clip"))
            .and_then(|e| e.dyn_into::<HtmlVideoElement>().ok())
        else {
            return;
        };
        let mut player = self.player.borrow_mut();
        if let Some(url) = player.url.take() {
            let _ = Url::revoke_object_url(&url);
        }
        let total = player.queue.len();
        let Some(number) = player.queue.get(player.next).cloned() else {
            self.view.playing.set(None);
            return;
        };
        let Some(blob) = self.blobs.borrow().get(&number).cloned() else {
            self.view.problem.set(format!("The page no longer holds fragment {number}."));
            return;
        };
        let Ok(url) = Url::create_object_url_with_blob(&blob) else { return };
        video.set_src(&url);
        player.url = Some(url);
        self.view.playing.set(Some((player.next + 1, total)));
        player.next += 1;
        drop(player);
        let _ = video.play();
    }

    /// The clip player's `ended`: count it and go on.
    pub fn ended(&self) {
        self.view.played.update(|n| *n += 1);
        self.play_next();
    }
}

impl StreamView {
    /// Whether the form's stream exists.
    pub fn exists(&self) -> bool {
        self.info.get().is_some()
    }
}
