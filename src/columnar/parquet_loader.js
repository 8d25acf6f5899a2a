// Loads the Parquet module (parquet.js, built from src/bin/parquet.rs) once, on first use, from beside
// the page's own files; the worker and the page each load their own copy.
let module = null;
let loading = null;

export function loadParquet() {
  if (!loading) {
    const url = new URL('parquet.js', globalThis.location.href).href;
    loading = import(url).then(async (m) => {
      await m.default();
      module = m;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

export function writeParquet(job) {
  if (!module) throw new Error('the Parquet module is not loaded');
  return module.write_parquet(job);
}

export function readParquet(bytes, maxRows) {
  if (!module) throw new Error('the Parquet module is not loaded');
  return module.read_parquet(bytes, maxRows);
}
