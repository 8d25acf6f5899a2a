// Frame-time benchmark of the Streams lab in headless Chromium (playwright-core, Debian's /usr/bin/chromium)
// against the release build in dist/. Not part of the test command: `scripts/bench-frames` runs it and the
// results are recorded by hand in docs/bench.md.
//
// Each case opens a scenario through a share link, selects a shard (so the shard map, the shard's four
// charts, the stream chart and the consumer charts are all drawn), plays at ×1 and measures, over
// MEASURE_MS of wall time: frames (requestAnimationFrame callbacks) and their intervals, the main thread's
// busy time (Chrome's TaskDuration from the Performance domain) per frame, long tasks, and every message
// the worker posted (count and size).
import { chromium } from 'playwright-core';
import { deflateRawSync } from 'node:zlib';
import { serveDist } from '../e2e/serve-dist.mjs';

const MEASURE_MS = Number(process.env.MEASURE_MS ?? 10000);

function scenario(name, shards, perSecond, bytes) {
  return {
    name, title: name, explanation: 'frame-time benchmark', seed: 1, duration_s: 3600, detail: 'runs',
    streams: [{ name: 'bench', shards }],
    producers: [{ name: 'load', stream: 'bench', rate: { kind: 'constant', per_second: perSecond },
      keys: { kind: 'random' }, size: { kind: 'fixed', bytes } }],
    consumers: [{ kind: 'polling', name: 'reader', stream: 'bench', start: 'latest' }],
  };
}

const cases = [
  { label: '100 shards at full load (100,000 records/s of 1,000 B), ×1', scenario: scenario('bench-100', 100, 100000, 1000) },
  { label: '1,000 shards (200,000 records/s of 200 B), ×1', scenario: scenario('bench-1000', 1000, 200000, 200) },
];

const server = await serveDist('dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run'] });
const rows = [];
for (const c of cases) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(() => {
    const Original = window.Worker;
    window.__messages = [];
    window.Worker = class extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => window.__messages.push([performance.now(), typeof e.data === 'string' ? e.data.length : 0]));
      }
    };
  });
  const param = deflateRawSync(Buffer.from(JSON.stringify(c.scenario))).toString('base64url');
  await page.goto(`${server.url}?seed=1&speed=1&scenario=${param}#streams`);
  await page.waitForFunction(() => document.querySelector('#worker-status')?.textContent.startsWith('worker ready'), null, { timeout: 10000 });
  await page.click('#play');
  await page.locator('[data-testid="shard-shardId-000000000007"]').waitFor({ timeout: 20000 });
  await page.waitForTimeout(2000); // some traffic first, so there is a busiest shard
  await page.click('[data-testid=pick-busiest-bench]');
  await page.locator('[data-testid=shard-chart-0] .chart-latest').waitFor({ timeout: 20000 });
  await page.waitForTimeout(2000); // settle
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const busyBefore = await busy();
  const measured = await page.evaluate(async (ms) => {
    const frames = [];
    let longTasks = 0;
    const observer = new PerformanceObserver((list) => { longTasks += list.getEntries().length; });
    observer.observe({ entryTypes: ['longtask'] });
    const from = performance.now();
    const firstMessage = window.__messages.length;
    await new Promise((done) => {
      const frame = (t) => { frames.push(t); if (t - from < ms) requestAnimationFrame(frame); else done(); };
      requestAnimationFrame(frame);
    });
    observer.disconnect();
    const messages = window.__messages.slice(firstMessage);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
    return {
      wall: frames[frames.length - 1] - frames[0], frames: frames.length, longTasks,
      p50: gaps[Math.floor(gaps.length * 0.5)], p95: gaps[Math.floor(gaps.length * 0.95)], worst: gaps[gaps.length - 1],
      messages: messages.length, largest: Math.max(0, ...messages.map((m) => m[1])),
      mean: messages.reduce((s, m) => s + m[1], 0) / Math.max(1, messages.length),
      sim: document.querySelector('#sim-time')?.textContent, behind: document.body.innerText.includes('behind'),
    };
  }, MEASURE_MS);
  const busyMs = (await busy() - busyBefore) * 1000;
  const fps = (measured.frames - 1) / (measured.wall / 1000);
  rows.push(`| ${c.label} | ${fps.toFixed(1)} | ${measured.p50.toFixed(1)} / ${measured.p95.toFixed(1)} / ${measured.worst.toFixed(1)} ms | `
    + `${(busyMs / measured.frames).toFixed(2)} ms | ${measured.longTasks} | ${(measured.messages / measured.frames).toFixed(2)} | `
    + `${Math.round(measured.mean / 1024)} / ${Math.round(measured.largest / 1024)} KiB |`);
  await page.close();
}
console.log(`Measured over ${MEASURE_MS / 1000} s of wall time each, Chromium ${browser.version()}:\n`);
console.log('| case | fps | frame interval p50 / p95 / worst | main-thread busy per frame | long tasks | worker messages per frame | message mean / largest |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
await browser.close();
server.close();
