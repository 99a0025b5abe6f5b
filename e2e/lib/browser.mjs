// Debian's Chromium driven by playwright-core. Never downloads a browser.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from './server.mjs';

export const CHROMIUM = process.env.BASTION_E2E_CHROMIUM || '/usr/bin/chromium';
export const RESULTS_DIR = process.env.BASTION_E2E_RESULTS || path.join(REPO_ROOT, 'e2e', 'test-results');

// Without the background-networking flags Chromium keeps calling Google's hosts, which an
// air-gapped machine refuses; --no-sandbox because CI runs as root.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
};

/** Launches a headless Chromium (a fresh temporary profile each time). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.BASTION_E2E_HEADED !== '1',
    args: process.env.BASTION_E2E_HEADED === '1' ? ARGS.filter((a) => a !== '--headless') : ARGS,
  });
}

/** A new zh-CN context and page at the given viewport, with timeouts suited to a busy 2-core CI box. */
export async function newPage(browser, viewport = VIEWPORTS.desktop) {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(Number(process.env.BASTION_E2E_ACTION_TIMEOUT_MS || 15_000));
  return page;
}

/** Adds lines to an error's message; the stack (what node --test prints) is rebuilt to match. */
export function annotate(err, extra) {
  if (!(err instanceof Error)) return err;
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  err.message += extra;
  err.stack = [`${err.name}: ${err.message}`, ...frames].join('\n');
  return err;
}

/** File-name safe form of a test name. */
function slug(text) {
  return text.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 120);
}

/** Full-page screenshot into e2e/test-results/<name>.png; returns the path. */
export async function screenshot(page, name) {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs `body(page)` in a fresh context; on failure keeps a screenshot (and the page's URL) in
 * e2e/test-results/ and rethrows with that path added to the message.
 */
export async function withPage(browser, name, viewport, body) {
  const page = await newPage(browser, viewport);
  try {
    await body(page);
  } catch (err) {
    let where = '';
    try {
      where = `\n  page: ${page.url()}\n  screenshot: ${await screenshot(page, `FAILED-${name}`)}`;
    } catch (shotErr) {
      where = `\n  (no screenshot: ${shotErr.message})`;
    }
    throw annotate(err, where);
  } finally {
    await page.context().close();
  }
}
