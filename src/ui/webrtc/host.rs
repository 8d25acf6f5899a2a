//! The simulated signaling service, hosted on the page: the engine's sans-IO [`SignalingService`] driven by
//! the wall clock, with sockets as callbacks.
//!
//! Why here and not in the Web Worker: the service pushes frames on its own timers (latency, TTL, idle,
//! GO_AWAY grace) in real time, independent of the Streams lab's play, pause and speed, and the worker's
//! protocol is one reply per request, paced by animation frames. RTCPeerConnection lives on the main
//! thread anyway, so hosting the channel beside it adds no unmodelled postMessage hop to every frame. The
//! engine code is the same; this host only reads `performance.now()` to decide how far to advance it.

use crate::engine::rng::Seed;
use crate::engine::time::{SimDuration, SimTime};
use crate::engine::video::error::VideoResult;
use crate::engine::video::settings::VideoSettings;
use crate::engine::video::{ConnId, ConnectRequest, SignalingService, SocketOutput, VideoRequest};
use leptos::prelude::*;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a socket hears from the service.
#[derive(Clone, Debug)]
pub enum SocketEvent {
    /// A text frame.
    Frame(String),
    /// The service closed the socket.
    Closed(String),
}

/// Hears one socket's events; told which socket, since a relay serves many.
pub type Listener = Rc<dyn Fn(ConnId, SocketEvent)>;

/// The service, its sockets' listeners and its wake-up timer.
pub struct Host {
    service: RefCell<SignalingService>,
    /// The clock: `base_sim` at wall time `base_wall_ms`, running `speed` times faster than the wall.
    clock: Cell<Clock>,
    listeners: RefCell<BTreeMap<ConnId, Listener>>,
    timer: Cell<Option<i32>>,
    /// One closure for every wake-up: it is never dropped while a timer may still call it.
    wake: Closure<dyn FnMut()>,
    /// Bumped after every change, so views of the log refresh.
    pub version: RwSignal<u64>,
    /// The clock's speed-up, for the page's selector.
    pub speed_shown: RwSignal<f64>,
    /// Told after every change (the two-tab relay sends other tabs the new log lines).
    observer: RefCell<Option<Rc<dyn Fn()>>>,
}

#[derive(Clone, Copy)]
struct Clock {
    base_sim: SimTime,
    base_wall_ms: f64,
    speed: f64,
}

#[allow(clippy::disallowed_methods)]
fn wall_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

impl Host {
    /// A service with `settings`, its clock starting now.
    pub fn new(settings: VideoSettings, seed: Seed) -> Rc<Host> {
        Rc::new_cyclic(|weak: &std::rc::Weak<Host>| {
            let weak = weak.clone();
            Host {
                service: RefCell::new(SignalingService::new(settings, seed)),
                clock: Cell::new(Clock { base_sim: SimTime::ZERO, base_wall_ms: wall_ms(), speed: 1.0 }),
                listeners: RefCell::new(BTreeMap::new()),
                timer: Cell::new(None),
                wake: Closure::<dyn FnMut()>::new(move || {
                    if let Some(host) = weak.upgrade() {
                        host.timer.set(None);
                        host.update(|s, now| s.handle_timeout(now));
                    }
                }),
                version: RwSignal::new(0),
                speed_shown: RwSignal::new(1.0),
                observer: RefCell::new(None),
            }
        })
    }

    /// The service's clock: wall time since the host started, times the speed-ups chosen since.
    pub fn now(&self) -> SimTime {
        let c = self.clock.get();
        c.base_sim + SimDuration::from_micros(((wall_ms() - c.base_wall_ms).max(0.0) * c.speed * 1_000.0) as u64)
    }

    /// How many times faster than the wall the service's clock runs.
    pub fn speed(&self) -> f64 {
        self.clock.get().speed
    }

    /// Runs the service's clock `speed` times faster from now on (TTLs, idle and GO_AWAY timers; spec §6.1),
    /// without a jump. WebRTC itself stays in real time.
    pub fn set_speed(self: &Rc<Self>, speed: f64) {
        let now = self.now();
        let speed = speed.clamp(1.0, 600.0);
        self.clock.set(Clock { base_sim: now, base_wall_ms: wall_ms(), speed });
        self.speed_shown.set(speed);
        self.update(|s, now| s.handle_timeout(now));
    }

    /// Reads the service (log, channels, connections).
    pub fn with<R>(&self, f: impl FnOnce(&SignalingService) -> R) -> R {
        f(&self.service.borrow())
    }

    /// Changes the service directly (knobs, drills), then delivers what that caused.
    pub fn update<R>(self: &Rc<Self>, f: impl FnOnce(&mut SignalingService, SimTime) -> R) -> R {
        let now = self.now();
        let result = f(&mut self.service.borrow_mut(), now);
        self.pump();
        result
    }

    /// A control-plane call.
    pub fn request(self: &Rc<Self>, request: VideoRequest) -> VideoResult<Value> {
        self.update(|s, now| s.handle_request(now, request))
    }

    /// Opens a socket; `listener` hears its frames and its close.
    pub fn connect(self: &Rc<Self>, request: ConnectRequest, listener: Listener) -> VideoResult<ConnId> {
        let now = self.now();
        let result = self.service.borrow_mut().connect(now, request);
        if let Ok(conn) = result {
            // Registered before pumping, so frames queued for this peer reach it.
            self.listeners.borrow_mut().insert(conn, listener);
        }
        self.pump();
        result
    }

    /// A text frame from a socket.
    pub fn send(self: &Rc<Self>, conn: ConnId, text: &str) {
        self.update(|s, now| s.handle_frame(now, conn, text));
    }

    /// The client closes its socket.
    pub fn disconnect(self: &Rc<Self>, conn: ConnId) {
        self.listeners.borrow_mut().remove(&conn);
        self.update(|s, now| s.disconnect(now, conn));
    }

    /// Delivers the service's outputs, then sleeps until its next timer.
    fn pump(self: &Rc<Self>) {
        let outputs: Vec<SocketOutput> = {
            let mut service = self.service.borrow_mut();
            std::iter::from_fn(|| service.poll_output()).collect()
        };
        for output in outputs {
            let (conn, event) = match output {
                SocketOutput::Frame { conn, text } => (conn, SocketEvent::Frame(text)),
                SocketOutput::Closed { conn, reason } => (conn, SocketEvent::Closed(reason)),
            };
            let listener = self.listeners.borrow().get(&conn).cloned();
            if matches!(event, SocketEvent::Closed(_)) {
                self.listeners.borrow_mut().remove(&conn);
            }
            if let Some(listener) = listener {
                listener(conn, event);
            }
        }
        self.schedule();
        self.version.update(|v| *v += 1);
        let observer = self.observer.borrow().clone();
        if let Some(observer) = observer {
            observer();
        }
    }

    /// Calls `observer` after every change from now on.
    pub fn observe(&self, observer: Rc<dyn Fn()>) {
        *self.observer.borrow_mut() = Some(observer);
    }

    fn schedule(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else { return };
        if let Some(id) = self.timer.take() {
            window.clear_timeout_with_handle(id);
        }
        let due = self.service.borrow().poll_timeout();
        if due == SimTime::MAX {
            return;
        }
        let sim_wait_ms = due.as_micros().saturating_sub(self.now().as_micros()).div_ceil(1_000);
        let wait_ms = (sim_wait_ms as f64 / self.speed()).ceil() as u64;
        let id = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.wake.as_ref().unchecked_ref(),
                wait_ms.min(i32::MAX as u64) as i32,
            )
            .ok();
        self.timer.set(id);
    }
}
