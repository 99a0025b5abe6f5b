// Screenshots of the main pages at a desk (1366 px) and on a phone (360 px), one role each, into
// docs/screenshots/ (PNG, full page), so a walk through the product starts from pictures.
//
//   cargo build -p bastion && node e2e/screenshots.mjs
//
// The demo bureau on SQLite in a temporary directory; Chromium from BASTION_E2E_CHROMIUM or
// /usr/bin/chromium (scripts/test-all.sh installs both). Pages a role may not open are skipped.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser, newPage } from './lib/browser.mjs';
import { REPO_ROOT, startServer } from './lib/server.mjs';
import { logIn } from './lib/login.mjs';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const SIZES = { desk: { width: 1366, height: 768 }, phone: { width: 360, height: 740 } };
// [role, path, file name]
const PAGES = [
  ['commander', '/', 'home-commander'],
  ['officer', '/', 'home-officer'],
  ['commander', '/org/people', 'people'],
  ['commander', '/recall', 'recall-list'],
  ['checkpoint', '/checkpoints/entry', 'checkpoint-entry'],
  ['commander', '/checkpoints', 'checkpoints'],
  ['duty', '/checkpoints/fever', 'fever'],
  ['commander', '/notify/channels', 'notify-channels'],
  ['editor', '/publicity', 'publicity'],
  ['supplies', '/supplies', 'supplies'],
  ['duty', '/duty', 'duty'],
  ['officer', '/duty/my', 'duty-my'],
  ['commander', '/dashboard', 'dashboard'],
  ['commander', '/inspections', 'inspections'],
  ['commander', '/inspections/posts/5', 'inspection-site'],
  ['secretary', '/inspections/findings', 'inspection-findings'],
  ['commander', '/inspections/circulars', 'inspection-circulars'],
  ['commander', '/org/units', 'units'],
  ['commander', '/party', 'party'],
  ['officer', '/party/petitions', 'party-petitions'],
  ['commander', '/party/pipeline', 'party-pipeline'],
];

const server = await startServer();
const browser = await launchBrowser();
await mkdir(OUT, { recursive: true });
let taken = 0;
try {
  for (const [sizeName, viewport] of Object.entries(SIZES)) {
    const pages = new Map();
    for (const [role, url, name] of PAGES) {
      let page = pages.get(role);
      if (!page) {
        page = await newPage(browser, viewport);
        await logIn(page, server.url, role);
        pages.set(role, page);
      }
      const resp = await page.goto(`${server.url}${url}`);
      if (!resp || resp.status() !== 200) {
        console.log(`skipped ${url} as ${role}: HTTP ${resp?.status()}`);
        continue;
      }
      await page.waitForLoadState('networkidle').catch(() => {});
      const file = path.join(OUT, `${name}-${sizeName}.png`);
      await page.screenshot({ path: file, fullPage: true });
      taken += 1;
      console.log(`${path.relative(REPO_ROOT, file)}  (${role} ${url})`);
    }
    for (const page of pages.values()) await page.context().close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`${taken} screenshots in ${path.relative(REPO_ROOT, OUT)}`);
