// End-to-end test of the Analytics lab in headless Chromium. Usage: node tests/e2e/analytics.mjs [url]
//
// Checks: the lab's module loads, the watermark plot follows its processing-time slider, and the
// comparison draws four lanes (tumbling, sliding, session, stagger)
// over the same stream with late events marked; raising the allowed lateness turns dropped events into
// late results; the editor opens with the book's RENTAL_COUNT query and its result rows (ROWTIME on the
// minute); a broken edit is refused with its line and column and the token underlined; the windowed
// ErrorCounter pipeline runs to per-IP results.
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
    assert(/· \d+ results · [1-9]\d* late events dropped/.test(lanes[0]), `the tumbling lane drops late events: ${lanes[0]}`);
    assert(/· \d+ results · 0 late events dropped · [1-9]\d* late results/.test(lanes[3]), `stagger keeps late rows in results of their own: ${lanes[3]}`);
    assert(await page.locator('[data-testid=an-lanes] .late-event').count() > 0, 'late events are drawn');
    const before = await text('[data-testid=an-watermark]');
    assert(/^By 10:02:30: \d+ events arrived, \d+ tumbling windows fired; watermark 10:02:2\d\.$/.test(before), before);
    await page.fill('[data-testid=an-until]', '60000');
    const early = await text('[data-testid=an-watermark]');
    const arrived = (t) => Number(t.match(/(\d+) events arrived/)[1]);
    assert(arrived(early) < arrived(before), `the slider goes back in processing time: ${early} / ${before}`);
    assert((await page.locator('.watermark-line').getAttribute('d')).startsWith('M'), 'the watermark is drawn');
    await page.screenshot({ path: `${OUT}/analytics.png` });
  });

  await check('allowed lateness turns dropped events into late firings', async () => {
    await page.fill('[data-testid=an-lateness]', '240');
    await page.dispatchEvent('[data-testid=an-lateness]', 'change');
    await page.waitForFunction(() => /· 0 late events dropped · [1-9]/.test(document.querySelectorAll('[data-testid=an-lanes] .lane-title')[0]?.textContent ?? ''),
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
    assert(problems.length === 0, problems.join('\n'));
  });
} finally {
  await browser.close();
  await server?.close();
}

process.exit(finish());
