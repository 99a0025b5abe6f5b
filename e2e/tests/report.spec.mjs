// The daily report (每日战报) in a real Chromium: on a 360-px phone the HQ desk assembles today's
// report, reads the checkpoints' sentence, writes its section's text; the commander signs it off
// on a desktop, after which the report says it is signed, shows its hash and offers no more edits.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';

const SMALL = { width: 360, height: 740 };
const DESK = { width: 1280, height: 900 };

describe(`daily report [${backendName()}]`, { timeout: 300_000 }, () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test(`the desk assembles and annotates, the commander signs (${backendName()})`, async () => {
    let day;
    await withPage(browser, `report-desk-${backendName()}`, SMALL, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(`${server.url}/reports`);
      await page.getByRole('button', { name: '生成今日战报' }).click();
      await page.locator('[data-testid="report"]').waitFor();
      day = new URL(page.url()).pathname.split('/').pop();
      assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
      await assert.doesNotReject(page.locator('[data-feature="checkpoint"]', { hasText: /今日全县 \d+ 个卡点共登记 [\d,]+ 人次/ }).waitFor());
      // The desk may not read the party's section: it is marked, not zeros.
      assert.ok(await page.locator('[data-feature="party"] [data-testid="refused"]').isVisible());
      await page.locator('#note-checkpoint').fill('发热旅客均已转运县人民医院发热门诊。');
      await page.locator('[data-feature="checkpoint"] form button[type="submit"]').click();
      await page.locator('[data-feature="checkpoint"] .report-note', { hasText: '均已转运' }).waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      assert.ok(wide, 'no sideways scrolling on a phone');
      await screenshot(page, `report-phone-${backendName()}`);
    });
    await withPage(browser, `report-commander-${backendName()}`, DESK, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/reports/${day}`);
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: '签发', exact: true }).click();
      await page.locator('[data-testid="report-status"]', { hasText: '已签发' }).waitFor();
      assert.match(await page.locator('[data-testid="report-hash"]').innerText(), /SHA-256 [0-9a-f]{64}/);
      assert.equal(await page.locator('#note-checkpoint').count(), 0, 'no edits after sign-off');
      assert.equal(await page.getByRole('button', { name: '签发', exact: true }).count(), 0);
      await screenshot(page, `report-signed-${backendName()}`);
      await page.goto(`${server.url}/reports`);
      await page.locator('[data-testid="report-history"] tr', { hasText: day }).locator('.tag-ok').waitFor();
    });
  });
});
