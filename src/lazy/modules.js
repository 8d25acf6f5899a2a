// Loads the lab's on-demand wasm modules (each built by Trunk from a src/bin/*.rs beside the page's own
// files, see index.html) once, on first use. The worker and the page each load their own copy.
const loads = new Map();

export function loadModule(name) {
  if (!loads.has(name)) {
    const url = new URL(`${name}.js`, globalThis.location.href).href;
    const load = import(url).then(async (m) => {
      await m.default();
      return m;
    });
    load.catch(() => loads.delete(name));
    loads.set(name, load);
  }
  return loads.get(name);
}

let parquet = null;

export async function loadParquet() {
  parquet = await loadModule('parquet');
}

export function writeParquet(job) {
  if (!parquet) throw new Error('the Parquet module is not loaded');
  return parquet.write_parquet(job);
}

export function readParquet(bytes, maxRows) {
  if (!parquet) throw new Error('the Parquet module is not loaded');
  return parquet.read_parquet(bytes, maxRows);
}

export async function mountVideoLab(element) {
  const video = await loadModule('video');
  video.mount_video_lab(element);
}

export async function mountAnalyticsLab(element) {
  const analytics = await loadModule('analytics');
  analytics.mount_analytics_lab(element);
}

let analytics = null;

export async function loadAnalyticsRuntime() {
  analytics = await loadModule('analytics');
}

function analyticsModule() {
  if (!analytics) throw new Error('the Analytics module is not loaded');
  return analytics;
}

export function analyticsCreate(spec) {
  return analyticsModule().runtime_create(spec);
}

export function analyticsStep(handle, step) {
  return analyticsModule().runtime_step(handle, step);
}

export function analyticsDrop(handle) {
  analyticsModule().runtime_drop(handle);
}
