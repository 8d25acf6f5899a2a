//! The Parquet module (wasm32), loaded lazily: the worker imports it only when a Firehose stream converts
//! records to Parquet, and the page only when the object viewer opens a Parquet object. It carries the
//! `parquet` crate, which would not fit the app and worker budget. Jobs and previews cross as JSON
//! ([`kinesis_lab::columnar`]). Natively there is nothing to run: the engine links the writer directly.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod exports {
    use kinesis_lab::columnar::{parquet_file, ParquetJob};
    use wasm_bindgen::prelude::*;

    /// A [`ParquetJob`] (JSON) as Parquet bytes.
    #[wasm_bindgen]
    pub fn write_parquet(job: &[u8]) -> Result<Vec<u8>, String> {
        let job: ParquetJob = serde_json::from_slice(job).map_err(|e| format!("not a Parquet job: {e}"))?;
        parquet_file::write(&job)
    }

    /// The first `max_rows` rows of a Parquet file, as a [`kinesis_lab::columnar::TablePreview`] (JSON).
    #[wasm_bindgen]
    pub fn read_parquet(bytes: &[u8], max_rows: usize) -> Result<String, String> {
        let preview = parquet_file::read(bytes, max_rows)?;
        serde_json::to_string(&preview).map_err(|e| e.to_string())
    }
}

fn main() {}
