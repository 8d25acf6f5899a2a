//! The camera (getUserMedia) and small promise helpers.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints};

/// The camera and/or microphone at the chosen resolution; `Err` says in plain words why not
/// (permission denied, no camera, …), so the page can fall back to receive-only.
pub async fn camera(video: bool, audio: bool, hd: bool) -> Result<MediaStream, String> {
    let devices = web_sys::window().ok_or("no window")?.navigator().media_devices().map_err(|_| {
        "this browser has no media devices (getUserMedia needs a secure context: https or localhost)".to_string()
    })?;
    let constraints = MediaStreamConstraints::new();
    if video {
        let (w, h) = if hd { (1280, 720) } else { (640, 480) };
        let size = js_sys::JSON::parse(&format!(r#"{{"width":{{"ideal":{w}}},"height":{{"ideal":{h}}}}}"#))
            .map_err(|_| "constraints".to_string())?;
        constraints.set_video(&size);
    } else {
        constraints.set_video_bool(false);
    }
    constraints.set_audio_bool(audio);
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(describe)?;
    let stream = JsFuture::from(promise).await.map_err(describe)?;
    stream.dyn_into::<MediaStream>().map_err(|_| "getUserMedia returned no stream".to_string())
}

/// A DOMException or error as one plain sentence.
pub fn describe(error: JsValue) -> String {
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        return match e.name().as_str() {
            "NotAllowedError" => "camera permission was denied".into(),
            "NotFoundError" => "no camera or microphone was found".into(),
            "NotReadableError" => "the camera is in use by another program".into(),
            name => format!("{name}: {}", e.message()),
        };
    }
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Awaits a promise, with its failure as text.
pub async fn settle(promise: js_sys::Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(describe)
}
