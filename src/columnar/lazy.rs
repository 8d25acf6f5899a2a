//! The browser's way to the Parquet module (`src/bin/parquet.rs`): loaded on first use, then called
//! synchronously. The worker writes with it; the page's object viewer reads with it.

use super::{ParquetJob, TablePreview};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/lazy/modules.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = loadParquet)]
    async fn load_parquet() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = writeParquet)]
    fn write_parquet(job: &[u8]) -> Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(catch, js_name = readParquet)]
    fn read_parquet(bytes: &[u8], max_rows: usize) -> Result<String, JsValue>;
}

/// A JS exception's message (also the worker's Analytics module errors).
pub(crate) fn message(e: JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Loads the module (once; later calls wait for the same load).
pub async fn load() -> Result<(), String> {
    load_parquet().await.map(|_| ()).map_err(|e| format!("the Parquet module did not load: {}", message(e)))
}

/// A [`super::ParquetWriter`] through the loaded module.
pub fn write(job: &ParquetJob) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(job).map_err(|e| e.to_string())?;
    write_parquet(&json).map_err(message)
}

/// A preview of a Parquet file through the loaded module.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<TablePreview, String> {
    let json = read_parquet(bytes, max_rows).map_err(message)?;
    serde_json::from_str(&json).map_err(|e| e.to_string())
}
