//! setCodecPreferences on a connection's video transceivers (web-sys has no binding for it, so through
//! `js_sys::Reflect`, as spec video.md §6.7 expects).

use crate::view_model::video::codec::Codec;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::RtcPeerConnection;

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    Reflect::get(target, &key.into()).map_err(super::media::describe)
}

fn method(target: &JsValue, key: &str) -> Result<Function, String> {
    get(target, key)?.dyn_into::<Function>().map_err(|_| format!("this browser has no {key}"))
}

/// Keeps only `codec` on every video transceiver of `pc`; `Codec::Any` leaves the browser's order.
pub fn prefer(pc: &RtcPeerConnection, codec: Codec) -> Result<(), String> {
    let Some(mime) = codec.mime_type() else { return Ok(()) };
    let receiver = get(&js_sys::global(), "RTCRtpReceiver")?;
    let capabilities =
        method(&receiver, "getCapabilities")?.call1(&receiver, &"video".into()).map_err(super::media::describe)?;
    let kept: Array = Array::from(&get(&capabilities, "codecs")?)
        .iter()
        .filter(|c| get(c, "mimeType").ok().and_then(|m| m.as_string()).is_some_and(|m| m.eq_ignore_ascii_case(mime)))
        .collect();
    if kept.length() == 0 {
        return Err(format!("this browser cannot receive {mime}"));
    }
    for transceiver in pc.get_transceivers().iter() {
        let kind = get(&get(&get(&transceiver, "receiver")?, "track")?, "kind")?.as_string().unwrap_or_default();
        if kind == "video" {
            method(&transceiver, "setCodecPreferences")?.call1(&transceiver, &kept).map_err(super::media::describe)?;
        }
    }
    Ok(())
}
