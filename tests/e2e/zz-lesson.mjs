import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';
const server = await serveDist('dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
await page.goto(`${server.url}#video`);
await page.click('[data-testid=video-start-master]');
await page.click('[data-testid=video-start-viewer]');
await page.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
await page.waitForTimeout(1500);
console.log(await page.locator('[data-testid=video-lesson-steps] > li.done').count(), 'done');
await page.locator('.video-lesson').screenshot({ path: '/tmp/l_lesson.png' });
await page.click('[data-testid=video-lesson-partition]');
console.log('partition checked:', await page.isChecked('[data-testid=video-knob-partition]'));
await page.fill('[data-testid=video-chat-text]', 'after the cut');
await page.click('[data-testid=video-chat-master]');
await page.waitForTimeout(800);
console.log((await page.locator('[data-testid=video-chat-log]').innerText()).split('\n').slice(-2));
await browser.close(); await server.close();
