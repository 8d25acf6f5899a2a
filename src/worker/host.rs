//! The worker's JS glue: receive JSON messages, hand them to the [`Session`], post the replies. When a run
//! needs a Parquet writer or an Analytics runtime, the glue loads that module (once) and installs it; until
//! then the session holds simulated time.

use super::session::Session;
use crate::engine::rng::Seed;
use crate::protocol::{FromWorker, Speed, ToWorker, PROTOCOL_VERSION};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and announces `Ready`; the worker then lives until terminated.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&FromWorker::Panicked { message: info.to_string() });
    }));
    let session = Rc::new(RefCell::new(Session::new(Seed::default(), Speed::default())));
    let loading = Rc::new(Cell::new(false));
    let loading_analytics = Rc::new(Cell::new(false));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let text = ev.data().as_string().unwrap_or_default();
        let reply = match serde_json::from_str::<ToWorker>(&text) {
            Ok(msg) => session.borrow_mut().handle(msg, wall_us()),
            Err(err) => FromWorker::Error { message: format!("the worker could not read a message ({err}): {text}") },
        };
        post(&reply);
        load_parquet_when_wanted(&session, &loading);
        load_analytics_when_wanted(&session, &loading_analytics);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must live as long as the worker itself.
    on_message.forget();
    post(&FromWorker::Ready { version: PROTOCOL_VERSION });
}

/// Starts loading the Parquet module if the run wants it and no load is under way; the next reply after
/// it lands shows time moving again.
fn load_parquet_when_wanted(session: &Rc<RefCell<Session>>, loading: &Rc<Cell<bool>>) {
    if loading.get() || !session.borrow().wants_parquet_writer() {
        return;
    }
    loading.set(true);
    let (session, loading) = (session.clone(), loading.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match crate::columnar::lazy::load().await {
            Ok(()) => session.borrow_mut().install_parquet_writer(crate::columnar::lazy::write),
            Err(message) => session.borrow_mut().parquet_writer_failed(message),
        }
        loading.set(false);
    });
}

/// Starts loading the Analytics module if the run creates an application and no load is under way.
fn load_analytics_when_wanted(session: &Rc<RefCell<Session>>, loading: &Rc<Cell<bool>>) {
    if loading.get() || !session.borrow().wants_analytics_runtime() {
        return;
    }
    loading.set(true);
    let (session, loading) = (session.clone(), loading.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match super::analytics::load().await {
            Ok(()) => session.borrow_mut().install_analytics_runtime(super::analytics::create),
            Err(message) => session.borrow_mut().analytics_runtime_failed(message),
        }
        loading.set(false);
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    let text = serde_json::to_string(msg).expect("protocol types always serialise");
    // Posting a string cannot fail with a DataCloneError; ignore the impossible.
    let _ = scope().post_message(&JsValue::from_str(&text));
}

/// Wall time in whole microseconds since the worker started: the only clock read in the worker.
#[allow(clippy::disallowed_methods)]
fn wall_us() -> u64 {
    let ms = scope().performance().map_or(0.0, |p| p.now());
    (ms * 1_000.0) as u64
}
