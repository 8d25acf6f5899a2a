import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';
const server = await serveDist('dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.text()); });
await page.goto(`${server.url}#video`);
await page.click('[data-testid=video-start-master]');
await page.click('[data-testid=video-start-viewer]');
await page.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
await page.waitForTimeout(800);
console.log('ttff:', await page.locator('[data-testid=video-ttff]').innerText());
await page.locator('.video-channel').screenshot({ path: '/tmp/d_card.png' });
await page.click('[data-testid=video-drill-eleventh]');
await page.waitForFunction(() => document.querySelector('[data-testid=video-notices]')?.textContent.includes('ClientLimitExceeded'), null, { timeout: 15000 });
console.log('notices:', await page.locator('[data-testid=video-notices]').innerText());
await page.locator('.video-channel').screenshot({ path: '/tmp/d_eleven.png' });
await page.click('[data-testid=video-drill-expire]');
await page.waitForTimeout(2500);
console.log('queue:', await page.locator('[data-testid=video-queue]').innerText());
await page.locator('.video-channel').screenshot({ path: '/tmp/d_queue.png' });
await page.waitForTimeout(5000);
console.log('queue later:', await page.locator('[data-testid=video-queue]').innerText());
console.log('state:', await page.locator('[data-testid=video-state]').innerText());
await browser.close(); await server.close();
