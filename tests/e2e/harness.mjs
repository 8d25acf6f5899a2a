// What the browser end-to-end tests share: Debian's Chromium launched headless, dist/ served (or a URL from
// the command line), named checks with an optional hard timeout each, and the summary line and exit code.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { serveDist } from './serve-dist.mjs';

/** Where screenshots go. */
export const OUT = 'target/e2e';

const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Serves dist/ unless a URL was given, and launches Chromium with the base flags plus `extraArgs`. */
export async function start(extraArgs) {
  await mkdir(OUT, { recursive: true });
  const server = process.argv[2] ? null : await serveDist('dist');
  const url = process.argv[2] ?? server.url;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...BASE_ARGS, ...extraArgs] });
  return { server, url, browser };
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Named checks; with `timeoutMs`, a check that runs longer fails instead of hanging the run. */
export function checks(timeoutMs) {
  const results = [];
  async function check(name, fn) {
    const started = Date.now();
    let timer;
    const limit = timeoutMs
      ? [new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); })]
      : [];
    try {
      await Promise.race([fn(), ...limit]);
      results.push({ name, ok: true });
      console.log(`e2e: ok   ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      results.push({ name, ok: false });
      console.log(`e2e: FAIL ${name}\n      ${String(err?.message ?? err).split('\n').join('\n      ')}`);
    } finally {
      clearTimeout(timer);
    }
  }
  /** Prints the summary line; returns the exit code. */
  function finish() {
    const failed = results.filter((r) => !r.ok).length;
    console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  }
  return { check, finish };
}
