// End-to-end test of the Video lab in headless Chromium with a fake camera: a real master and viewer in one
// page connect through the simulated signaling channel. Usage: node tests/e2e/video.mjs [url]
//
// Checks: the remote video plays (videoWidth > 0, decoded frames growing), the sequence diagram shows the
// offer, answer and candidates, the data channel carries messages both ways, the same works with master and
// viewer in two tabs of one browser context, the lesson's steps tick and a signaling cut leaves the data channel
// working, a codec mismatch connects without video, a denied camera falls back
// to the synthetic pattern, the 11th viewer and TTL-expiry drills behave as AWS does, and a viewer set to TURN only
// with no TURN server never connects and the page says why. Each check has a hard timeout; WebRTC failures
// show as "nothing happens", so the checks wait for states, never for `failed` (spec video.md §7.3).
import { OUT, assert, checks, start } from './harness.mjs';

const CHECK_TIMEOUT_MS = 20000;
const { check, finish } = checks(CHECK_TIMEOUT_MS);

const { server, url, browser } = await start(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required']);
const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
const problems = [];
page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
const text = (sel) => page.locator(sel).innerText();
const logRows = () => page.locator('[data-testid=signaling-log] > *').allInnerTexts();

try {
  await check('master and viewer connect through the simulated channel and the remote video plays', async () => {
    await page.goto(`${url}#video`);
    await page.click('[data-testid=video-start-master]');
    await page.click('[data-testid=video-start-viewer]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=video-remote]').videoWidth > 0, null, { timeout: 10000 });
    const frames = () => page.evaluate(() => document.querySelector('[data-testid=video-remote]').getVideoPlaybackQuality().totalVideoFrames);
    const first = await frames();
    await page.waitForTimeout(1000);
    const later = await frames();
    assert(later > first, `decoded frames did not grow: ${first} → ${later}`);
  });

  await check('the sequence diagram shows the offer, answer and candidates, each decodable', async () => {
    const rows = await logRows();
    const has = (label, outcome) => rows.some((r) => r.includes(label) && r.includes(outcome));
    assert(has('ConnectAsMaster', 'connected') && has('ConnectAsViewer', 'connected'), 'connections');
    assert(has('SDP_OFFER', 'accepted') && has('SDP_OFFER', 'delivered'), 'offer');
    assert(has('SDP_ANSWER', 'delivered'), 'answer');
    assert(rows.filter((r) => r.includes('ICE_CANDIDATE') && r.includes('delivered')).length >= 2, 'candidates');
    const offer = page.locator('[data-testid=signaling-log] > *', { hasText: 'SDP_OFFER' }).filter({ hasText: 'delivered' }).first();
    await offer.click();
    const decoded = await offer.locator('pre').innerText();
    assert(decoded.includes('"senderClientId": "viewer-1"') && decoded.includes('type: offer') && decoded.includes('v=0'), `decoded: ${decoded.slice(0, 200)}`);
    await page.screenshot({ path: `${OUT}/video-connected.png`, fullPage: true });
  });

  await check('the data channel carries messages both ways', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid=video-chat-log]')?.textContent.includes('hello from the viewer'), null, { timeout: 5000 });
    await page.fill('[data-testid=video-chat-text]', 'ping from the master');
    await page.click('[data-testid=video-chat-master]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-chat-log]')?.textContent.includes('viewer ← ping from the master'), null, { timeout: 5000 });
  });

  await check('the lesson ticks steps 1–5 on the live session; after a signaling cut the data channel still works', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=video-lesson-steps] > li.done').length === 5, null, { timeout: 5000 });
    const sixth = await page.locator('[data-testid=video-lesson-steps] > li').nth(5).getAttribute('class');
    assert(sixth === 'todo', 'the TURN fallback is not used on this machine');
    await page.click('[data-testid=video-lesson-partition]');
    assert(await page.isChecked('[data-testid=video-knob-partition]'), 'the drill turns the partition knob on');
    await page.fill('[data-testid=video-chat-text]', 'sent after the cut');
    await page.click('[data-testid=video-chat-master]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-chat-log]')?.textContent.includes('viewer ← sent after the cut'), null, { timeout: 5000 });
  });

  await check('two tabs: the master in one, the viewer in another, joined over a BroadcastChannel', async () => {
    // BroadcastChannel reaches only pages of one browser context (spec video.md §7.5).
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const [hostTab, otherTab] = [await context.newPage(), await context.newPage()];
    for (const tab of [hostTab, otherTab]) {
      tab.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console (two tabs): ${msg.text()}`); });
      tab.on('pageerror', (err) => problems.push(`page error (two tabs): ${err.message}`));
      await tab.goto(`${url}#video`);
    }
    await hostTab.click('[data-testid=video-start-master]');
    await hostTab.waitForFunction(() => document.querySelector('[data-testid=video-hosting]')?.textContent.startsWith('This tab hosts'), null, { timeout: 5000 });
    await otherTab.click('[data-testid=video-start-viewer]');
    await otherTab.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
    await otherTab.waitForFunction(() => document.querySelector('[data-testid=video-remote]').videoWidth > 0, null, { timeout: 10000 });
    const frames = () => otherTab.evaluate(() => document.querySelector('[data-testid=video-remote]').getVideoPlaybackQuality().totalVideoFrames);
    const first = await frames();
    await otherTab.waitForTimeout(1000);
    assert((await frames()) > first, 'decoded frames did not grow in the second tab');
    assert((await otherTab.locator('[data-testid=video-hosting]').innerText()).includes('hosted by another tab'), 'the second tab says where the channel is');
    const mirrored = await otherTab.locator('[data-testid=signaling-log] > *').allInnerTexts();
    assert(mirrored.some((r) => r.includes('SDP_ANSWER') && r.includes('delivered')), 'the second tab mirrors the log');
    await hostTab.waitForFunction(() => document.querySelector('[data-testid=video-chat-log]')?.textContent.includes('master ← hello from the viewer'), null, { timeout: 5000 });
    await otherTab.screenshot({ path: `${OUT}/video-two-tabs.png` });
    await context.close();
  });

  await check('TURN only without a TURN server never connects, and the page says why', async () => {
    await page.goto(`${url}?v=2#video`);
    await page.waitForSelector('[data-testid=video-traversal-viewer]');
    await page.selectOption('[data-testid=video-traversal-viewer]', { label: 'TURN only' });
    await page.uncheck('[data-testid=video-turn-reachable]');
    assert((await text('[data-testid=video-verdict]')).includes('zero candidates'), `verdict: ${await text('[data-testid=video-verdict]')}`);
    await page.click('[data-testid=video-start-master]');
    await page.click('[data-testid=video-start-viewer]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=signaling-log] > *')].some((r) => r.textContent.includes('SDP_ANSWER') && r.textContent.includes('delivered')), null, { timeout: 8000 });
    await page.waitForTimeout(3000);
    const state = await text('[data-testid=video-state]');
    assert(state === 'new', `the viewer should stay new, is '${state}'`);
    const rows = await logRows();
    assert(!rows.some((r) => r.includes('ICE_CANDIDATE')), 'no candidate may pass');
    assert((await text('[data-testid=video-candidates]')).includes('the model forbids any path'), 'the dropped candidates say why');
    await page.screenshot({ path: `${OUT}/video-turn-only.png`, fullPage: true });
  });

  // A fresh page per check, in the default context: no other tab hosts a channel there.
  async function freshPage(init) {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
    fresh.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
    fresh.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    if (init) await fresh.addInitScript(init);
    await fresh.goto(`${url}#video`);
    return fresh;
  }

  await check('a codec mismatch (master H.264 only, viewer VP8 only) connects without video and says why', async () => {
    const p = await freshPage();
    await p.selectOption('[data-testid=video-codec-master]', { label: 'H.264 only' });
    await p.selectOption('[data-testid=video-codec-viewer]', { label: 'VP8 only' });
    await p.click('[data-testid=video-start-master]');
    await p.click('[data-testid=video-start-viewer]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
    await p.waitForFunction(() => document.querySelector('[data-testid=video-codecs]')?.textContent.includes('rejects the video section'), null, { timeout: 5000 });
    await p.waitForTimeout(1500);
    assert((await p.evaluate(() => document.querySelector('[data-testid=video-remote]').videoWidth)) === 0, 'no video may decode');
    await p.close();
  });

  await check('with the camera denied, both sides send the synthetic pattern and it plays', async () => {
    const p = await freshPage(() => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
    await p.click('[data-testid=video-start-master]');
    await p.click('[data-testid=video-start-viewer]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-remote]').videoWidth > 0, null, { timeout: 10000 });
    const notices = await p.locator('[data-testid=video-notices]').innerText();
    assert(notices.includes('master: camera permission was denied; sending a synthetic test pattern instead'), notices);
    await p.close();
  });

  await check('drills: the 11th viewer is refused; an offer with no master waits in the queue, then expires', async () => {
    const p = await freshPage();
    await p.click('[data-testid=video-start-master]');
    await p.click('[data-testid=video-start-viewer]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-state]')?.textContent === 'connected', null, { timeout: 10000 });
    await p.click('[data-testid=video-drill-eleventh]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-notices]')?.textContent.includes('extra-10: ConnectAsViewer refused with 10 viewers connected: ClientLimitExceededException'), null, { timeout: 8000 });
    await p.selectOption('[data-testid=video-speed]', { label: '×60' });
    await p.click('[data-testid=video-drill-expire]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-queue]')?.textContent.includes('SDP_OFFER from viewer-2 for MASTER'), null, { timeout: 5000 });
    await p.waitForFunction(() => document.querySelector('[data-testid=video-queue]')?.textContent === 'Nothing queued.', null, { timeout: 5000 });
    const rows = await p.locator('[data-testid=signaling-log] > *').allInnerTexts();
    assert(rows.some((r) => r.includes('SDP_OFFER') && r.includes('expired')), 'the log shows the offer expired');
    await p.close();
  });

  /** Runs `steps` on a fresh page; on failure, adds what the stream panel showed. */
  async function onStreamPage(steps) {
    const p = await freshPage();
    try {
      await steps(p);
    } catch (err) {
      const shown = await p.locator('.video-stream').innerText().catch(() => '(no panel)');
      throw new Error(`${err.message}\nthe stream panel showed:\n${shown.slice(0, 3000)}`);
    } finally {
      await p.close();
    }
  }

  await check('the stream: fragments get numbers and acks, a failed persist shows ERROR 5001, GetClip plays the stored range', () => onStreamPage(async (p) => {
    const rows = () => p.locator('[data-testid=video-fragments] tbody tr');
    await p.click('[data-testid=video-start-master]');
    await p.waitForFunction(() => document.getElementById('video-local-master')?.videoWidth > 0, null, { timeout: 6000 });
    await p.selectOption('[data-testid=video-stream-fragment]', { label: '1 s' });
    await p.click('[data-testid=video-stream-create]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-stream-status]')?.textContent.includes('ACTIVE'), null, { timeout: 4000 });
    await p.click('[data-testid=video-stream-record]');
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=video-fragments] tbody tr')].filter((r) => r.textContent.includes('PERSISTED')).length >= 2, null, { timeout: 8000 });
    await p.click('[data-testid=video-stream-fail]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-fragments]')?.textContent.includes('ERROR 5001'), null, { timeout: 6000 });
    await p.click('[data-testid=video-stream-stop]');
    await p.waitForTimeout(1500);
    const numbers = await rows().evaluateAll((trs) => trs.map((tr) => tr.children[1].getAttribute('title')));
    const accepted = numbers.filter((n) => n).reverse();
    assert(accepted.every((n) => /^[0-9]{47}$/.test(n)), `47-digit fragment numbers: ${accepted}`);
    assert(accepted.every((n, i) => i === 0 || n > accepted[i - 1]), `fragment numbers increase: ${accepted}`);
    const failed = await rows().filter({ hasText: 'ERROR 5001' }).first().innerText();
    assert(failed.includes('not archived'), failed);
    await p.click('[data-testid=video-clip-get]');
    const call = await p.locator('[data-testid=video-stream-call]').innerText();
    assert(call.startsWith('GetClip → {"ContentType":"video/mp4"'), call);
    // The clip's video decodes (its size is known and time advances), and the player goes on to the next fragment.
    await p.waitForFunction(() => { const v = document.querySelector('[data-testid=video-clip]'); return v.videoWidth > 0 && v.currentTime > 0.2; }, null, { timeout: 5000 });
    await p.waitForFunction(() => document.querySelector('[data-testid=video-clip-caption]')?.textContent.includes('2 played'), null, { timeout: 8000 });
    await p.locator('.video-stream').screenshot({ path: `${OUT}/video-stream.png` });
  }));

  await check('GetClip refuses VP8 fragments as AWS refuses non-H.264/H.265 media', () => onStreamPage(async (p) => {
    await p.click('[data-testid=video-start-master]');
    await p.waitForFunction(() => document.getElementById('video-local-master')?.videoWidth > 0, null, { timeout: 6000 });
    await p.selectOption('[data-testid=video-stream-format]', 'video/webm;codecs=vp8');
    await p.selectOption('[data-testid=video-stream-fragment]', { label: '1 s' });
    await p.click('[data-testid=video-stream-create]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-stream-status]')?.textContent.includes('ACTIVE'), null, { timeout: 4000 });
    await p.click('[data-testid=video-stream-record]');
    await p.waitForFunction(() => document.querySelector('[data-testid=video-fragments]')?.textContent.includes('PERSISTED'), null, { timeout: 8000 });
    await p.click('[data-testid=video-stream-stop]');
    await p.click('[data-testid=video-clip-get]');
    const call = await p.locator('[data-testid=video-stream-call]').innerText();
    assert(call.includes('GetClip → UnsupportedStreamMediaTypeException') && call.includes('track 1 is V_VP8'), call);
  }));

  await check('no console errors or page errors', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
} finally {
  await browser.close();
  await server?.close();
}

process.exit(finish());
