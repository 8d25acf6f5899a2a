import { start } from './harness.mjs';
const { server, url, browser } = await start([]);
const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
page.on('pageerror', e => console.log('pageerror:', e.message));
await page.goto(url + '#firehose');
await page.waitForTimeout(1500);
console.log(await page.locator('#lab-page').innerText());
await page.screenshot({ path: '/tmp/firehose.png' });
await browser.close(); server?.close();
