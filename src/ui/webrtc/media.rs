//! The camera (getUserMedia), the synthetic test pattern that stands in for it, and small promise helpers.

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

/// A running setInterval and its callback (dropped only after the timer is cleared).
pub type Timer = (i32, Closure<dyn FnMut()>);

/// A drawing timer.
pub type Painter = Timer;

/// A synthetic test pattern drawn on a canvas and captured as a 30 fps stream: the stand-in when no camera
/// can be had (denied, missing, busy) or when a learner picks it. The caller clears the painter on stop.
pub fn pattern(hd: bool, label: &str) -> Result<(MediaStream, Painter), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").map_err(describe)?.dyn_into().map_err(|_| "no canvas".to_string())?;
    let (w, h) = if hd { (1280u32, 720u32) } else { (640, 480) };
    canvas.set_width(w);
    canvas.set_height(h);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(describe)?
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "no 2d context".to_string())?;
    let capture = js_sys::Reflect::get(&canvas, &"captureStream".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("this browser cannot capture a canvas")?;
    let stream: MediaStream = capture
        .call1(&canvas, &30.into())
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "captureStream returned no stream".to_string())?;
    let label = label.to_string();
    let (fw, fh) = (f64::from(w), f64::from(h));
    let mut frame = 0u64;
    let paint = Closure::<dyn FnMut()>::new(move || {
        frame += 1;
        context.set_fill_style_str("#14324a");
        context.fill_rect(0.0, 0.0, fw, fh);
        // A bar sweeping across shows motion, so decoded frames visibly change.
        context.set_fill_style_str("#f0b429");
        let x = (frame * 12 % (u64::from(w) + 160)) as f64 - 160.0;
        context.fill_rect(x, fh * 0.62, 160.0, fh * 0.12);
        context.set_fill_style_str("#ffffff");
        context.set_font(&format!("{}px sans-serif", h / 12));
        let _ = context.fill_text(&format!("Kinesis Lab test pattern · {label}"), fw * 0.05, fh * 0.3);
        let _ = context.fill_text(&format!("frame {frame}"), fw * 0.05, fh * 0.45);
    });
    let id = window
        .set_interval_with_callback_and_timeout_and_arguments_0(paint.as_ref().unchecked_ref(), 33)
        .map_err(describe)?;
    Ok((stream, (id, paint)))
}
