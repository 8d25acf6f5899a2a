import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';
const server = await serveDist('dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'] });
for (const [name, boxes] of [['accept', ['viewer-accept-host']], ['both', ['viewer-accept-host', 'viewer-send-host']]]) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log(name, 'console:', m.text()); });
  await page.goto(`${server.url}#video`);
  await page.click('.video-settings fieldset:nth-child(2) details summary');
  for (const b of boxes) await page.uncheck(`[data-testid=video-${b}]`);
  await page.click('[data-testid=video-start-master]');
  await page.click('[data-testid=video-start-viewer]');
  await page.waitForTimeout(5000);
  console.log(name, '| state:', await page.locator('[data-testid=video-state]').innerText(), '| pair:', await page.locator('.video-stage figure:nth-child(2) figcaption').innerText());
  const t = await page.locator('[data-testid=video-candidates]').innerText();
  console.log(t.split('\n').slice(0, 6).join('\n'));
  await page.screenshot({ path: `/tmp/f_${name}.png` });
  await page.close();
}
await browser.close(); await server.close();
