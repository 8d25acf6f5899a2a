//! The peers' one way to the signaling channel, wherever it is hosted: in this tab ([`Host`]) or in another
//! tab through the relay ([`Remote`]). The first peer started decides which.

use super::host::{Host, Listener};
use super::relay::{tab_id, HostRelay, Remote};
use crate::engine::video::log::LogEntry;
use crate::engine::video::{ConnId, ConnectRequest, VideoRequest};
use serde_json::Value;
use std::rc::Rc;

/// Where this tab's channel is.
#[derive(Clone)]
pub enum Signaling {
    /// This tab hosts it, and serves other tabs through its relay.
    Local(Rc<Host>, Rc<HostRelay>),
    /// Another tab hosts it.
    Remote(Rc<Remote>),
}

impl Signaling {
    /// Joins the channel of another tab if one answers; else hosts it here and serves the others.
    pub async fn decide(host: &Rc<Host>) -> Result<Signaling, String> {
        let tab = tab_id();
        if let Some(remote) = Remote::find(tab.clone(), host.version).await? {
            return Ok(Signaling::Remote(remote));
        }
        Ok(Signaling::Local(host.clone(), HostRelay::start(host.clone(), tab)?))
    }

    /// Whether the channel is still reachable (a hosting tab may have closed).
    pub fn alive(&self) -> bool {
        match self {
            Signaling::Local(..) => true,
            Signaling::Remote(remote) => !remote.is_gone(),
        }
    }

    /// One sentence for the page.
    pub fn describe(&self) -> String {
        match self {
            Signaling::Local(..) => "This tab hosts the signaling channel; a peer started in another tab of this \
                                     browser joins it over a BroadcastChannel."
                .into(),
            Signaling::Remote(remote) => format!(
                "The signaling channel is hosted by another tab ({}); this tab's frames travel to it over a \
                 BroadcastChannel.",
                remote.host_id()
            ),
        }
    }

    /// A control-plane call.
    pub async fn request(&self, request: VideoRequest) -> Result<Value, String> {
        match self {
            Signaling::Local(host, _) => host.request(request).map_err(|e| e.to_string()),
            Signaling::Remote(remote) => remote.request(request).await,
        }
    }

    /// Opens a socket; `listener` hears its frames and its close.
    pub async fn connect(&self, request: ConnectRequest, listener: Listener) -> Result<ConnId, String> {
        match self {
            Signaling::Local(host, _) => host.connect(request, listener).map_err(|e| e.to_string()),
            Signaling::Remote(remote) => remote.connect(request, listener).await,
        }
    }

    /// A text frame from a socket.
    pub fn send(&self, conn: ConnId, text: &str) {
        match self {
            Signaling::Local(host, _) => host.send(conn, text),
            Signaling::Remote(remote) => remote.send(conn, text),
        }
    }

    /// The client closes its socket.
    pub fn disconnect(&self, conn: ConnId) {
        match self {
            Signaling::Local(host, _) => host.disconnect(conn),
            Signaling::Remote(remote) => remote.disconnect(conn),
        }
    }

    /// Reads the service's log (this tab's, or the mirror of the hosting tab's).
    pub fn with_log<R>(&self, f: impl FnOnce(&[LogEntry]) -> R) -> R {
        match self {
            Signaling::Local(host, _) => host.with(|s| f(s.log().entries())),
            Signaling::Remote(remote) => remote.with_log(f),
        }
    }
}
