// End-to-end test of the Analytics lab in headless Chromium. Usage: node tests/e2e/analytics.mjs [url]
//
// Checks: the lab's module loads, the watermark plot follows its processing-time slider, and the
// comparison draws four lanes (tumbling, sliding, session, stagger)
// over the same stream with late events marked; raising the allowed lateness turns dropped events into
// late results; the editor opens with the book's RENTAL_COUNT query and its result rows (ROWTIME on the
// minute); a broken edit is refused with its line and column and the token underlined; the windowed
// ErrorCounter pipeline runs to per-IP results; the access-log preset, opened from the Scenarios page,
// runs its applications in the worker (the Analytics module loaded there on demand) and they write to
// their output stream, while the lab's applications panel shows each one's status, KPUs, checkpoints and last rows.
import { OUT, assert, checks, start } from './harness.mjs';

const { check, finish } = checks(30000);
const { server, url, browser } = await start([]);
const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
const problems = [];
page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
const text = (sel) => page.locator(sel).innerText();
const waitText = (sel, needle, timeout = 10000) => page.waitForFunction(
  ([s, n]) => document.querySelector(s)?.textContent.includes(n), [sel, needle], { timeout });

try {
  await check('the Analytics module loads and compares four window kinds on one stream', async () => {
    await page.goto(new URL('#analytics', url).href);
    await page.locator('[data-testid=an-lanes] .lane').first().waitFor({ timeout: 15000 });
    assert((await text('#lab-page p.lab-status')).startsWith('The Analytics lab is partly built'), 'status sentence');
    const titles = await page.locator('[data-testid=an-lanes] .lane-title strong').allInnerTexts();
    assert(JSON.stringify(titles.map((t) => t.split(' ')[0])) === JSON.stringify(['Tumbling', 'Sliding', 'Session', 'Stagger']), titles.join(' | '));
    const lanes = await page.locator('[data-testid=an-lanes] .lane-title').allInnerTexts();
    assert(/· (\d+) of \1 results fired · [1-9]\d* late events to the side output/.test(lanes[0]), `the tumbling lane drops late events: ${lanes[0]}`);
    assert(/· (\d+) of \1 results fired · 0 late events to the side output · [1-9]\d* late results/.test(lanes[3]), `stagger keeps late rows in results of their own: ${lanes[3]}`);
    assert(await page.locator('[data-testid=an-lanes] .late-event').count() > 0, 'late events are drawn');
    await page.fill('[data-testid=an-until]', '150000');
    const before = await text('[data-testid=an-watermark]');
    assert(/^By 10:02:30: \d+ events arrived, \d+ tumbling windows fired; watermark 10:02:[0-2]\d\.$/.test(before), before);
    await page.fill('[data-testid=an-until]', '60000');
    const early = await text('[data-testid=an-watermark]');
    const arrived = (t) => Number(t.match(/(\d+) events arrived/)[1]);
    assert(arrived(early) < arrived(before), `the slider goes back in processing time: ${early} / ${before}`);
    assert((await page.locator('.watermark-plot .watermark-line').getAttribute('d')).startsWith('M'), 'the watermark is drawn');
    await page.screenshot({ path: `${OUT}/analytics.png` });
  });

  await check('playing the timeline fills panes, fires them and moves the watermark', async () => {
    await page.fill('[data-testid=an-until]', '50000');
    const openAt50 = await page.locator('[data-testid=an-lanes] .lane').first().locator('rect.pane.open').count();
    assert(openAt50 > 0, 'windows of the first minute are open at 10:00:50');
    const wm = () => page.locator('[data-testid=an-lane-watermark]').first().getAttribute('x1');
    const x0 = Number(await wm());
    await page.click('[data-testid=an-play]');
    await page.waitForFunction(() => document.querySelector('[data-testid=an-lanes] .lane')?.querySelector('rect.pane.firing') != null, null, { timeout: 10000 });
    await page.screenshot({ path: `${OUT}/analytics-playing.png` });
    await page.click('[data-testid=an-play]');
    assert((await text('[data-testid=an-play]')) === 'Play', 'paused');
    assert(Number(await wm()) > x0, 'the watermark moved right');
    const latest = await page.locator('[data-testid=an-lanes] .lane-latest').first().innerText();
    assert(/^last result at 10:0\d:\d\d: station 1[012]0 · 10:0\d:00–10:0\d:00 · \d+$/.test(latest), latest);
  });

  await check('a quiet shard holds the watermark back until idleness releases it', async () => {
    const setKnob = async (id, v) => { await page.fill(`[data-testid=${id}]`, v); await page.dispatchEvent(`[data-testid=${id}]`, 'change'); };
    await setKnob('an-quiet', '120');
    await page.fill('[data-testid=an-until]', '270000');
    const fired = async () => Number((await text('[data-testid=an-watermark]')).match(/(\d+) tumbling windows fired/)[1]);
    const held = await fired();
    await setKnob('an-idleness', '30');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=an-watermark]').textContent.match(/(\d+) tumbling/)[1]) > n, held, { timeout: 5000 });
    await page.screenshot({ path: `${OUT}/analytics-idleness.png` });
    await setKnob('an-quiet', '0');
    await setKnob('an-idleness', '0');
  });

  await check('allowed lateness turns dropped events into late firings', async () => {
    await page.fill('[data-testid=an-until]', '540000');
    await page.fill('[data-testid=an-lateness]', '240');
    await page.dispatchEvent('[data-testid=an-lateness]', 'change');
    await page.waitForFunction(() => /· 0 late events to the side output · [1-9]/.test(document.querySelectorAll('[data-testid=an-lanes] .lane-title')[0]?.textContent ?? ''),
      null, { timeout: 5000 });
    assert(await page.locator('[data-testid=an-lanes] rect.pane.late').count() > 0, 'late firings are drawn amber');
  });

  await check('the editor runs the book\'s RENTAL_COUNT query and underlines an error where it is', async () => {
    await waitText('[data-testid=an-results]', 'RENTAL_COUNT');
    const results = await text('[data-testid=an-results]');
    assert(/RENTAL_COUNT\s+10:01:00\.000\s+STATIONID=100\s+BIKECOUNT=-?\d+\s+ASOFTIME=2024-03-15 10:01:00\.000/.test(results), results.slice(0, 400));
    const code = await page.inputValue('[data-testid=an-code]');
    await page.fill('[data-testid=an-code]', code.replace('GROUP BY "stationId", ', 'GROUP BY '));
    await page.click('[data-testid=an-run]');
    await waitText('[data-testid=an-error]', 'line 4, column 15: Expression \'stationId\' is not being grouped');
    const underlined = await page.locator('.code-highlight .err').allInnerTexts();
    assert(JSON.stringify(underlined) === JSON.stringify(['"stationId"']), `underlined: ${underlined}`);
    await page.screenshot({ path: `${OUT}/analytics-error.png` });
  });

  await check('the windowed ErrorCounter pipeline runs to per-IP error counts', async () => {
    await page.selectOption('[data-testid=an-example]', 'error_counter_windowed');
    await waitText('[data-testid=an-results]', 'log_data_stream');
    const results = await text('[data-testid=an-results]');
    assert(/ip=83\.149\.9\.216\s+window_start=2015-05-17 10:05:00\.000\s+window_end=2015-05-17 10:06:00\.000\s+errors=\d+/.test(results), results.slice(0, 400));
    assert(results.includes('late-errors'), 'late lines go to the side output');
    await page.screenshot({ path: `${OUT}/analytics-pipeline.png` });
  });

  await check('the pipeline builder writes a sliding-window job into the editor and runs it; bad numbers are refused', async () => {
    await page.click('[data-testid=open-builder]');
    assert((await page.inputValue('[data-testid=pb-key]')) === 'ip', 'the builder starts from the windowed ErrorCounter');
    await page.selectOption('[data-testid=pb-window]', 'sliding');
    await page.fill('[data-testid=pb-size]', 'two minutes');
    await page.click('[data-testid=pb-build]');
    await waitText('[data-testid=pb-error]', "window size: 'two minutes' is not a number of seconds");
    await page.fill('[data-testid=pb-size]', '120');
    await page.fill('[data-testid=pb-slide]', '60');
    await page.selectOption('[data-testid=pb-sink]', 'table');
    await page.fill('[data-testid=pb-sink-name]', 'errors-2min');
    await page.click('[data-testid=pb-build]');
    await waitText('[data-testid=an-results]', 'errors-2min');
    const code = JSON.parse(await page.inputValue('[data-testid=an-code]'));
    const w = code.window.sliding;
    assert(w && w.size_ms === 120000 && w.slide_ms === 60000 && w.offset_ms === 0, JSON.stringify(code.window));
    const results = await text('[data-testid=an-results]');
    assert(/errors-2min\s+\S+\s+ip=\S+\s+window_start=2015-05-17 10:0\d:00\.000\s+window_end=2015-05-17 10:0\d:00\.000\s+errors=\d+/.test(results), results.slice(0, 400));
    await page.screenshot({ path: `${OUT}/analytics-builder.png`, fullPage: true });
    await page.selectOption('[data-testid=an-example]', 'rental_count_job');
    await page.click('[data-testid=pb-read]');
    assert((await page.inputValue('[data-testid=pb-key]')) === 'stationId', 'the editor\'s RentalCountJob is read into the forms');
    assert((await page.locator('[data-testid=pb-time]').inputValue()) === 'processing', 'processing time');
  });

  await check('the access-log preset runs its Flink applications in the worker', async () => {
    await page.click('#nav-scenarios');
    await page.locator('.preset-card', { hasText: 'Analytics P6' }).locator('button').click();
    await page.waitForFunction(() => document.querySelector('#lab-page h1')?.textContent === 'Streams');
    await page.waitForFunction(() => document.querySelector('#worker-status')?.textContent.startsWith('worker ready'), null, { timeout: 5000 });
    const picked = await page.locator('[data-testid=preset] option:checked').innerText();
    assert(picked.startsWith('Analytics P6'), `the picker shows the opened preset: ${picked}`);
    await page.fill('[data-testid=ff-span]', '3');
    await page.click('[data-testid=fast-forward]');
    const output = page.locator('.stream-block', { hasText: 'log_data_stream' }).locator('.shard-map .shard').first();
    await page.waitForFunction((el) => /· [1-9]\d*\/s/.test(el.textContent), await output.elementHandle(), { timeout: 30000 });
    const card = page.locator('[data-testid=app-ErrorCounterWindowed]');
    await card.locator('table.results').waitFor({ timeout: 10000 });
    assert((await card.locator('[data-testid=app-status]').innerText()) === 'RUNNING', 'the windowed job runs');
    const facts = await card.locator('.app-facts').innerText();
    assert(/KPUs\s+2/.test(facts) && /checkpoints\s+[1-9]/.test(facts), `a Flink job bills 1 KPU + 1 and checkpoints: ${facts}`);
    const rows = await card.locator('table.results').innerText();
    assert(/error_alerts_stream\s+\S+\s+ip=\S+\s+window_start=2021-01-05 00:0\d:00\.000\s+window_end=\S+ \S+\s+errors=\d+/.test(rows), rows.slice(0, 300));
    await page.screenshot({ path: `${OUT}/analytics-p06-streams.png`, fullPage: true });
    assert(problems.length === 0, problems.join('\n'));
  });
} finally {
  await browser.close();
  await server?.close();
}

process.exit(finish());
