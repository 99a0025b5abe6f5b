// Duty (值班) in a real Chromium: the demo officer, on a 360 px phone, finds the shift running now
// on "my shifts" and signs in; the post's board, seen by the HQ duty officer, shows them present.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';

const SMALL = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

describe(`duty [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`an officer signs in on a 360 px phone and the board shows them present (${backendName()})`, async () => {
    let shift;
    await withPage(browser, 'duty-officer-sign-in', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      // The left menu leads to "my shifts".
      await page.goto(`${server.url}/duty/my`);
      await page.getByRole('heading', { name: '我的班次' }).waitFor();
      const card = page.locator('article.duty-card').first();
      await card.waitFor();
      await card.getByText('未签到').waitFor();
      await card.getByText('当班中').waitFor();
      const mine = await (await page.request.get(`${server.url}/api/duty/my-shifts`)).json();
      shift = mine[0];
      assert.ok(shift, 'the demo officer has a shift running now');
      await card.getByRole('button', { name: '签到' }).click();
      await page.waitForURL((url) => url.pathname === '/duty/my');
      await card.getByText('在岗').waitFor();
      await card.getByRole('button', { name: '签退' }).waitFor();
      // Nothing spills sideways on a small phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `duty-my-shifts-360-${backendName()}`);
    });
    await withPage(browser, 'duty-board-present', DESKTOP, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(`${server.url}/duty`);
      await page.getByRole('link', { name: shift.post_name }).click();
      await page.waitForURL((url) => url.pathname === `/duty/posts/${shift.post_id}`);
      await page.goto(`${server.url}/duty/posts/${shift.post_id}?day=${shift.day}`);
      const block = page.getByTestId(`duty-shift-${shift.shift}`);
      const row = page.getByTestId(`duty-row-${shift.id}`);
      await row.getByText('在岗').waitFor();
      assert.ok(Number(await block.getByTestId('present').textContent()) >= 1);
      await screenshot(page, `duty-board-${backendName()}`);
    });
  });
});
