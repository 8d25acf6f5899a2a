//! Two tabs, one channel (spec video.md §6.1 (b)): the first tab to start a peer hosts the signaling
//! service and serves the others over a BroadcastChannel; a later tab proxies its control calls, connects
//! and socket frames there, and mirrors the log for its own sequence diagram. The messages and their
//! checks are [`crate::view_model::video::relay`].

use super::host::{Host, Listener, SocketEvent};
use super::media;
use crate::engine::video::log::LogEntry;
use crate::engine::video::{ConnId, ConnectRequest, VideoRequest};
use crate::view_model::video::relay::{Owners, Wire, BUS, HELLO_WAIT_MS, REPLY_WAIT_MS};
use leptos::prelude::*;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// The BroadcastChannel with its message handler; closed when dropped.
struct Bus {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_pagehide: Option<Closure<dyn FnMut()>>,
}

impl Bus {
    fn open(on_wire: impl Fn(Wire) + 'static, on_pagehide: Option<Box<dyn Fn()>>) -> Result<Bus, String> {
        let channel = BroadcastChannel::new(BUS).map_err(media::describe)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else { return };
            match Wire::decode(&text) {
                Ok(wire) => on_wire(wire),
                Err(e) => web_sys::console::warn_1(&format!("video relay: {e}").into()),
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_pagehide = on_pagehide.map(|f| {
            let closure = Closure::<dyn FnMut()>::new(f);
            if let Some(w) = web_sys::window() {
                let _ = w.add_event_listener_with_callback("pagehide", closure.as_ref().unchecked_ref());
            }
            closure
        });
        Ok(Bus { channel, _on_message: on_message, _on_pagehide: on_pagehide })
    }

    fn post(&self, wire: &Wire) {
        // Posting fails only on a closed channel, and this one closes only when dropped.
        let _ = self.channel.post_message(&JsValue::from_str(&wire.encode()));
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        if let (Some(w), Some(f)) = (web_sys::window(), &self._on_pagehide) {
            let _ = w.remove_event_listener_with_callback("pagehide", f.as_ref().unchecked_ref());
        }
        self.channel.close();
    }
}

/// A name for this tab on the bus.
pub fn tab_id() -> String {
    format!("tab-{:06x}", (js_sys::Math::random() * 16_777_216.0) as u32)
}

/// The hosting tab's side: serves other tabs from the page's [`Host`].
pub struct HostRelay {
    id: String,
    host: Rc<Host>,
    bus: RefCell<Option<Bus>>,
    owners: RefCell<Owners>,
    /// Log lines already sent to the other tabs.
    sent: Cell<u64>,
}

impl HostRelay {
    /// Starts serving other tabs as `id`.
    pub fn start(host: Rc<Host>, id: String) -> Result<Rc<HostRelay>, String> {
        let relay = Rc::new(HostRelay {
            id,
            host: host.clone(),
            bus: RefCell::new(None),
            owners: RefCell::new(Owners::default()),
            sent: Cell::new(host.with(|s| s.log().entries().len() as u64)),
        });
        let weak = Rc::downgrade(&relay);
        let gone = Rc::downgrade(&relay);
        let bus = Bus::open(
            move |wire| {
                if let Some(relay) = weak.upgrade() {
                    relay.serve(wire);
                }
            },
            Some(Box::new(move || {
                if let Some(relay) = gone.upgrade() {
                    relay.post(&Wire::Gone { host: relay.id.clone() });
                }
            })),
        )?;
        *relay.bus.borrow_mut() = Some(bus);
        let weak = Rc::downgrade(&relay);
        host.observe(Rc::new(move || {
            if let Some(relay) = weak.upgrade() {
                relay.send_log();
            }
        }));
        Ok(relay)
    }

    fn post(&self, wire: &Wire) {
        if let Some(bus) = self.bus.borrow().as_ref() {
            bus.post(wire);
        }
    }

    fn send_log(&self) {
        let entries = self.host.with(|s| s.log().since(self.sent.get()).to_vec());
        if let Some(last) = entries.last() {
            self.sent.set(last.seq + 1);
            self.post(&Wire::Log { host: self.id.clone(), entries });
        }
    }

    fn serve(self: &Rc<Self>, wire: Wire) {
        if wire.host().is_some_and(|h| h != self.id) {
            return;
        }
        match wire {
            Wire::Hello { tab } => {
                let log = self.host.with(|s| s.log().entries().to_vec());
                self.post(&Wire::HostHere { host: self.id.clone(), to: tab, log });
            }
            Wire::Request { tab, id, request, .. } => {
                let result = self.host.request(request).map_err(|e| e.to_string());
                self.post(&Wire::Reply { to: tab, id, result });
            }
            Wire::Connect { tab, id, request, .. } => {
                let weak = Rc::downgrade(self);
                let to = tab.clone();
                let listener: Listener = Rc::new(move |conn, event| {
                    let Some(relay) = weak.upgrade() else { return };
                    let to = to.clone();
                    relay.post(&match event {
                        SocketEvent::Frame(text) => Wire::Frame { to, conn, text },
                        SocketEvent::Closed(reason) => {
                            relay.owners.borrow_mut().remove(conn);
                            Wire::Closed { to, conn, reason }
                        }
                    });
                });
                let result = self.host.connect(request, listener);
                if let Ok(conn) = result {
                    self.owners.borrow_mut().insert(conn, &tab);
                }
                self.post(&Wire::Reply { to: tab, id, result: result.map(|c| c.0.into()).map_err(|e| e.to_string()) });
            }
            Wire::Send { tab, conn, text, .. } => match self.owners.borrow().check(conn, &tab) {
                Ok(()) => self.host.send(conn, &text),
                Err(e) => web_sys::console::warn_1(&format!("video relay: {e}").into()),
            },
            Wire::Disconnect { tab, conn, .. } => {
                let allowed = self.owners.borrow().check(conn, &tab);
                match allowed {
                    Ok(()) => {
                        self.owners.borrow_mut().remove(conn);
                        self.host.disconnect(conn);
                    }
                    Err(e) => web_sys::console::warn_1(&format!("video relay: {e}").into()),
                }
            }
            _ => {}
        }
    }
}

/// A tab using the channel hosted by another tab.
pub struct Remote {
    tab: String,
    host_id: RefCell<Option<String>>,
    bus: RefCell<Option<Bus>>,
    next_id: Cell<u64>,
    replies: RefCell<BTreeMap<u64, js_sys::Function>>,
    listeners: RefCell<BTreeMap<ConnId, Listener>>,
    /// Frames that arrived for a socket before its connect's reply.
    early: RefCell<BTreeMap<ConnId, Vec<SocketEvent>>>,
    log: RefCell<Vec<LogEntry>>,
    version: RwSignal<u64>,
    gone: Cell<bool>,
}

impl Remote {
    /// Asks whether another tab hosts the channel; `Some` when one answers within [`HELLO_WAIT_MS`].
    pub async fn find(tab: String, version: RwSignal<u64>) -> Result<Option<Rc<Remote>>, String> {
        let remote = Rc::new(Remote {
            tab: tab.clone(),
            host_id: RefCell::new(None),
            bus: RefCell::new(None),
            next_id: Cell::new(1),
            replies: RefCell::new(BTreeMap::new()),
            listeners: RefCell::new(BTreeMap::new()),
            early: RefCell::new(BTreeMap::new()),
            log: RefCell::new(Vec::new()),
            version,
            gone: Cell::new(false),
        });
        let weak: Weak<Remote> = Rc::downgrade(&remote);
        let leaving = Rc::downgrade(&remote);
        let bus = Bus::open(
            move |wire| {
                if let Some(remote) = weak.upgrade() {
                    remote.receive(wire);
                }
            },
            Some(Box::new(move || {
                if let Some(remote) = leaving.upgrade() {
                    remote.leave();
                }
            })),
        )?;
        bus.post(&Wire::Hello { tab });
        *remote.bus.borrow_mut() = Some(bus);
        super::peers::sleep_ms(HELLO_WAIT_MS).await;
        if remote.host_id.borrow().is_some() {
            Ok(Some(remote))
        } else {
            remote.bus.borrow_mut().take();
            Ok(None)
        }
    }

    /// The hosting tab's name.
    pub fn host_id(&self) -> String {
        self.host_id.borrow().clone().unwrap_or_default()
    }

    /// Whether the hosting tab has gone.
    pub fn is_gone(&self) -> bool {
        self.gone.get()
    }

    /// The mirrored log.
    pub fn with_log<R>(&self, f: impl FnOnce(&[LogEntry]) -> R) -> R {
        f(&self.log.borrow())
    }

    fn post(&self, wire: &Wire) {
        if let Some(bus) = self.bus.borrow().as_ref() {
            bus.post(wire);
        }
    }

    fn mirror(&self, entries: Vec<LogEntry>) {
        let mut log = self.log.borrow_mut();
        for entry in entries {
            // Lines arrive in order; a line already held (from the hello's snapshot) is skipped.
            if entry.seq == log.len() as u64 {
                log.push(entry);
            }
        }
        drop(log);
        self.version.update(|v| *v += 1);
    }

    fn receive(&self, wire: Wire) {
        let host = self.host_id.borrow().clone();
        if wire.to().is_some_and(|to| to != self.tab) {
            return;
        }
        match wire {
            Wire::HostHere { host: id, log, .. } if host.is_none() => {
                *self.host_id.borrow_mut() = Some(id);
                self.mirror(log);
            }
            Wire::Log { host: from, entries } if host.as_deref() == Some(from.as_str()) => self.mirror(entries),
            Wire::Reply { id, result, .. } => {
                if let Some(resolve) = self.replies.borrow_mut().remove(&id) {
                    let text = serde_json::to_string(&result).expect("replies serialise");
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
                }
            }
            Wire::Frame { conn, text, .. } => self.deliver(conn, SocketEvent::Frame(text)),
            Wire::Closed { conn, reason, .. } => self.deliver(conn, SocketEvent::Closed(reason)),
            Wire::Gone { host: from } if host.as_deref() == Some(from.as_str()) => {
                self.gone.set(true);
                let listeners = std::mem::take(&mut *self.listeners.borrow_mut());
                for (conn, listener) in listeners {
                    listener(conn, SocketEvent::Closed("the tab hosting the channel closed".into()));
                }
            }
            _ => {}
        }
    }

    fn deliver(&self, conn: ConnId, event: SocketEvent) {
        let listener = self.listeners.borrow().get(&conn).cloned();
        match listener {
            Some(listener) => {
                if matches!(event, SocketEvent::Closed(_)) {
                    self.listeners.borrow_mut().remove(&conn);
                }
                listener(conn, event);
            }
            None => self.early.borrow_mut().entry(conn).or_default().push(event),
        }
    }

    /// Closes this tab's sockets as the page goes away.
    fn leave(&self) {
        let host = self.host_id();
        let conns: Vec<ConnId> = self.listeners.borrow().keys().copied().collect();
        for conn in conns {
            self.post(&Wire::Disconnect { host: host.clone(), tab: self.tab.clone(), conn });
        }
    }

    async fn call(&self, make: impl FnOnce(String, String, u64) -> Wire) -> Result<Value, String> {
        if self.gone.get() {
            return Err("the tab hosting the channel closed".into());
        }
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            self.replies.borrow_mut().insert(id, resolve);
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, REPLY_WAIT_MS);
            }
        });
        self.post(&make(self.host_id(), self.tab.clone(), id));
        let reply = wasm_bindgen_futures::JsFuture::from(promise).await;
        self.replies.borrow_mut().remove(&id);
        let text = reply
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| format!("the tab hosting the channel did not answer within {} s", REPLY_WAIT_MS / 1_000))?;
        serde_json::from_str::<Result<Value, String>>(&text).map_err(|e| format!("a garbled reply: {e}"))?
    }

    /// A control-plane call in the hosting tab.
    pub async fn request(&self, request: VideoRequest) -> Result<Value, String> {
        self.call(|host, tab, id| Wire::Request { host, tab, id, request }).await
    }

    /// Opens a socket in the hosting tab; `listener` hears it here.
    pub async fn connect(&self, request: ConnectRequest, listener: Listener) -> Result<ConnId, String> {
        let value = self.call(|host, tab, id| Wire::Connect { host, tab, id, request }).await?;
        let conn = ConnId(value.as_u64().ok_or("a connect reply without a socket")?);
        self.listeners.borrow_mut().insert(conn, listener.clone());
        let early = self.early.borrow_mut().remove(&conn).unwrap_or_default();
        for event in early {
            self.deliver(conn, event);
        }
        Ok(conn)
    }

    /// A frame on one of this tab's sockets.
    pub fn send(&self, conn: ConnId, text: &str) {
        self.post(&Wire::Send { host: self.host_id(), tab: self.tab.clone(), conn, text: text.into() });
    }

    /// Closes one of this tab's sockets.
    pub fn disconnect(&self, conn: ConnId) {
        self.listeners.borrow_mut().remove(&conn);
        self.post(&Wire::Disconnect { host: self.host_id(), tab: self.tab.clone(), conn });
    }
}
