//! Offering bytes as a file download (a Blob behind a temporary object URL).

use leptos::prelude::document;
use wasm_bindgen::JsCast;

/// Offers `bytes` as a download named `file`, of type `mime`.
pub fn download(file: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = document().create_element("a").ok().and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
        a.set_href(&url);
        a.set_download(file);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
