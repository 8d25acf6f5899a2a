import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';
const server = await serveDist('dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'] });
async function run(name, setup, init) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log(name, 'console:', m.text()); });
  if (init) await page.addInitScript(init);
  await page.goto(`${server.url}#video`);
  await setup(page);
  await page.click('[data-testid=video-start-master]');
  await page.click('[data-testid=video-start-viewer]');
  await page.waitForTimeout(5000);
  console.log(name, '| state:', await page.locator('[data-testid=video-state]').innerText(),
    '| width:', await page.evaluate(() => document.querySelector('[data-testid=video-remote]').videoWidth),
    '| codecs:', await page.locator('[data-testid=video-codecs]').innerText(),
    '| notices:', await page.locator('[data-testid=video-notices]').innerText());
  await page.screenshot({ path: `/tmp/c_${name}.png` });
  await page.close();
}
await run('mismatch', async (p) => { await p.selectOption('[data-testid=video-codec-master]', { label: 'H.264 only' }); await p.selectOption('[data-testid=video-codec-viewer]', { label: 'VP8 only' }); });
await run('vp9', async (p) => { await p.selectOption('[data-testid=video-codec-viewer]', { label: 'VP9 only' }); });
await run('pattern', async (p) => { await p.selectOption('[data-testid=video-source-master]', { label: 'test pattern (canvas)' }); });
await run('denied', async () => {}, () => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
await browser.close(); await server.close();
