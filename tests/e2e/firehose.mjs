// End-to-end test of the Firehose lab in headless Chromium. Usage: node tests/e2e/firehose.mjs [url]
//
// Checks: the data-lake preset loads and plays, the stages count the records and the buffer gauges fill
// toward the 5 MiB / 300 s hints with the interval named as the trigger that fires first; after a
// fast-forward the delivery is in the timeline as INTERVAL, the bucket browser walks the default hourly
// prefix down to the object, the viewer shows its JSON lines, and the download hands over the object's bytes;
// on the S3 outage preset, the outage drill makes the next delivery fail and DataFreshness climb past the
// interval; on the HTTP endpoint preset, the receiver lists the retry chains and their duplicates, and the
// 413 drill makes the next batch discarded.
import { OUT, assert, checks, start } from './harness.mjs';

const { check, finish } = checks(30000);
const { server, url, browser } = await start([]);
const page = await browser.newPage({ viewport: { width: 1280, height: 2400 }, acceptDownloads: true });
const problems = [];
page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
const text = (sel) => page.locator(sel).innerText();
const waitText = (sel, needle, timeout = 10000) => page.waitForFunction(
  ([s, n]) => document.querySelector(s)?.textContent.includes(n), [sel, needle], { timeout });

async function fastForward(minutes) {
  await page.fill('[data-testid=ff-span]', String(minutes));
  await page.selectOption('[data-testid=ff-unit]', '60');
  await page.click('[data-testid=fast-forward]');
}

try {
  await check('the data-lake preset fills the buffer toward its hints', async () => {
    await page.goto(new URL('?speed=5#firehose', url).href);
    await page.waitForFunction(() => document.querySelector('#worker-status')?.textContent.startsWith('worker ready'), null, { timeout: 5000 });
    await page.selectOption('[data-testid=fh-preset]', 'firehose-p02-data-lake');
    await page.click('[data-testid=fh-load]');
    await page.click('[data-testid=play]');
    await waitText('[data-testid=fh-stage-source]', 'records in');
    await page.waitForFunction(() => /[1-9][0-9,]* records in/.test(document.querySelector('[data-testid=fh-stage-source]').textContent), null, { timeout: 10000 });
    await waitText('[data-testid=fh-verdict]', 'INTERVAL fires first');
    assert((await text('[data-testid=fh-size]')).endsWith('of 5.0 MiB'), await text('[data-testid=fh-size]'));
    assert((await text('[data-testid=fh-age]')).endsWith('of 300 s'), await text('[data-testid=fh-age]'));
    await page.screenshot({ path: `${OUT}/firehose-filling.png` });
    await page.click('[data-testid=play]'); // pause
  });

  await check('a fast-forward delivers on the interval and the object opens and downloads', async () => {
    await fastForward(6);
    await waitText('[data-testid=fh-deliveries]', 'INTERVAL', 20000);
    assert((await text('[data-testid=fh-deliveries]')).includes('delivered: rawdata/rides/2024/03/15/10/dl-delivery-stream-1-'), await text('[data-testid=fh-deliveries]'));
    for (const folder of ['rawdata/', 'rides/', '2024/', '03/', '15/', '10/']) {
      await page.locator('[data-testid=objects] button', { hasText: folder }).click();
      await page.waitForTimeout(100);
    }
    await page.locator('[data-testid=object]').first().click();
    await waitText('[data-testid=object-viewer]', '"stationId"');
    const viewer = await text('[data-testid=object-viewer]');
    assert(viewer.includes('as text') && viewer.includes('"bikeDetail"'), viewer.slice(0, 300));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-object]')]);
    const path = await download.path();
    const body = (await import('node:fs')).readFileSync(path, 'utf8');
    const lines = body.trim().split('\n');
    assert(lines.length === 9990, `the object holds ${lines.length} lines, not 9,990`);
    assert(JSON.parse(lines[0]).bikeDetail, 'each line is a ride event');
    const billing = await text('[data-testid=fh-billing]');
    assert(/^Ingestion bills [\d.]+ MiB for [\d,]+ records of [\d.]+ MiB: each record rounds up to a 5 KB increment, [\d.]+× what was sent; packed/.test(billing), billing);
    await page.screenshot({ path: `${OUT}/firehose.png` });
  });

  await check('the S3 outage drill fails the next delivery and DataFreshness climbs past the interval', async () => {
    await page.selectOption('[data-testid=fh-preset]', 'firehose-p10-s3-outage');
    await page.click('[data-testid=fh-load]');
    await fastForward(6);
    await waitText('[data-testid=fh-deliveries]', 'delivered:', 20000);
    const heading = await page.locator('#lab-page h2').first().innerText();
    assert(heading.startsWith('sensor-readings'), heading);
    await page.click('[data-testid=drill-outage-10m]');
    await fastForward(6);
    await waitText('[data-testid=fh-deliveries]', 'failed:', 20000);
    const freshness = Number((await text('[data-testid=fh-freshness]')).match(/(\d+) s/)?.[1]);
    assert(freshness > 300, `DataFreshness ${freshness} s is not past the 300 s interval`);
    await page.screenshot({ path: `${OUT}/firehose-outage.png` });
  });

  await check('an HTTP endpoint preset shows retries, duplicates and the 413 loss at the receiver', async () => {
    await page.selectOption('[data-testid=fh-preset]', 'firehose-p09-http-endpoint-outage');
    await page.click('[data-testid=fh-load]');
    await fastForward(15);
    await waitText('[data-testid=fh-receiver]', 'kept again (duplicate)', 20000);
    assert((await text('[data-testid=fh-stage-endpoint]')).includes('HTTP endpoint: collector.example.com'), await text('[data-testid=fh-stage-endpoint]'));
    const receiver = await text('[data-testid=fh-receiver]');
    assert(/\b12\t1,200\t200\b/.test(receiver), `the 500 chain ends with its 12th attempt taken:\n${receiver}`);
    await fastForward(5);
    await waitText('[data-testid=fh-receiver-totals]', 'now answering Ok', 20000);
    await page.click('[data-testid=drill-payloadtoolarge]');
    await fastForward(3);
    await waitText('[data-testid=fh-deliveries]', 'discarded:', 20000);
    // The receiver lists again after the attempt, one round trip to the worker later.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=fh-receiver] tbody tr')]
      .some((tr) => tr.children[4]?.textContent === '413' && tr.children[6]?.textContent === 'refused'), null, { timeout: 10000 });
    const retries = await text('[data-testid=fh-retries]');
    assert(/delivery #\d+ · [\d,]+ records · \d+ attempts/.test(retries), `the retry timeline lists the troubled deliveries:\n${retries}`);
    await page.fill('[data-testid=drill-error-percent]', '40');
    await page.dispatchEvent('[data-testid=drill-error-percent]', 'change');
    await page.click('[data-testid=drill-error-rate]');
    await waitText('[data-testid=fh-receiver-totals]', 'now answering Ok with 40% of requests refused (500) after 50 ms', 10000);
    await page.screenshot({ path: `${OUT}/firehose-endpoint.png` });
  });

  await check('the Parquet preset loads its writer, converts after 15 minutes and the viewer shows the rows', async () => {
    await page.selectOption('[data-testid=fh-preset]', 'firehose-p01-bikes-to-parquet');
    await page.click('[data-testid=fh-load]');
    // The Parquet module is fetched on demand; time waits for it, then the run goes on. The first objects
    // come 900 s after the Lambda returns the first records.
    await fastForward(18);
    await waitText('[data-testid=fh-deliveries]', 'delivered:', 30000);
    assert(!(await page.locator('[data-testid=fh-parquet-load]').count()), 'the Parquet writer loaded');
    // The first stream (by name) is the Hive one: it refuses the RENTED events' empty price.
    const hive = await text('[data-testid=fh-stage-convert]');
    assert(hive.includes('Hive JSON SerDe') && /[1-9][0-9,]* failed/.test(hive), hive);
    await page.selectOption('#fh-stream', { index: 1 });
    await waitText('[data-testid=fh-stage-convert]', 'OpenX JSON SerDe');
    const openx = await text('[data-testid=fh-stage-convert]');
    assert(openx.includes('smartcitybikes.bikestationsdata (LATEST)') && / converted · 0 failed/.test(openx), openx);
    assert((await text('[data-testid=fh-chart-bytes]')).includes('DataReadFromKinesisStream.Bytes'), 'a Kinesis source charts its reads');
    for (const folder of ['openx/', 'year=2021/', 'month=01/', 'day=05/', 'hour=00/']) {
      await page.locator('[data-testid=objects] button', { hasText: folder }).click();
      await page.waitForTimeout(100);
    }
    await page.locator('[data-testid=object]').first().click();
    await waitText('[data-testid=parquet-title]', 'as Parquet', 20000);
    const title = await text('[data-testid=parquet-title]');
    assert(/rows in 1 row group\(s\), SNAPPY, written by kinesis-lab/.test(title), title);
    const table = await text('[data-testid=parquet-rows]');
    assert(table.includes('stationaddress') && table.includes('7033 Summerhouse Ave. Staten Island NY 10306'), table.slice(0, 400));
    assert(/RENTED\tnull\tnull/.test(table), `RENTED rows carry null duration and price:\n${table.slice(0, 600)}`);
    await page.screenshot({ path: `${OUT}/firehose-parquet.png` });
    await page.locator('[data-testid=bucket-browser]').screenshot({ path: `${OUT}/firehose-parquet-viewer.png` });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-object]')]);
    const bytes = (await import('node:fs')).readFileSync(await download.path());
    assert(bytes.subarray(0, 4).toString() === 'PAR1' && bytes.subarray(-4).toString() === 'PAR1', 'the download is the Parquet file');
    assert(problems.length === 0, problems.join('\n'));
  });
  await check('the Redshift preset COPYs into its table, fails while the table is dropped, and the SQL box reads the rows', async () => {
    await page.selectOption('[data-testid=fh-preset]', 'firehose-redshift-copy');
    await page.click('[data-testid=fh-load]');
    await fastForward(25);
    await waitText('[data-testid=fh-stage-redshift]', 'COPYs', 20000);
    assert(/[1-9] COPYs? failed/.test(await text('[data-testid=fh-stage-redshift]')), await text('[data-testid=fh-stage-redshift]'));
    await waitText('[data-testid=fh-sql-result]', 'relation "rides" does not exist', 20000);
    await waitText('[data-testid=fh-deliveries]', 'Redshift.TableNotFound', 20000);
    // The table is created again at 30 minutes; the next COPY loads what was staged meanwhile.
    await fastForward(10);
    await waitText('[data-testid=fh-deliveries]', 'rows into rides', 20000);
    await page.fill('[data-testid=fh-sql]', 'SELECT COUNT(*) FROM rides');
    await page.press('[data-testid=fh-sql]', 'Enter');
    await page.waitForFunction(() => /count\s+[1-9]/.test(document.querySelector('[data-testid=fh-sql-result]')?.innerText ?? ''), null, { timeout: 10000 });
    await page.locator('[data-testid=objects] button', { hasText: 'rides/' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=objects]')?.textContent.includes('errors/'), null, { timeout: 10000 });
    assert((await text('[data-testid=fh-retries]')).includes('COPY #'), await text('[data-testid=fh-retries]'));
    await page.screenshot({ path: `${OUT}/firehose-redshift.png` });
  });

  await check('the OpenSearch preset indexes into hourly indices and a 429 drill fails the next request', async () => {
    await page.selectOption('[data-testid=fh-preset]', 'firehose-opensearch-index');
    await page.click('[data-testid=fh-load]');
    await fastForward(2);
    await waitText('[data-testid=fh-stage-opensearch]', 'documents indexed', 20000);
    await waitText('[data-testid=fh-indices]', 'rides-2024-03-15-10', 20000);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=fh-documents] tbody tr').length >= 10, null, { timeout: 10000 });
    assert((await text('[data-testid=fh-documents]')).includes('"eventUTCTime"'), 'documents show their source');
    await page.click('[data-testid=drill-domain-rejecting]');
    await fastForward(2);
    await waitText('[data-testid=fh-deliveries]', 'es_rejected_execution_exception', 20000);
    await page.screenshot({ path: `${OUT}/firehose-opensearch.png` });
    assert(problems.length === 0, problems.join('\n'));
  });
} finally {
  await browser.close();
  await server?.close();
}

process.exit(finish());
