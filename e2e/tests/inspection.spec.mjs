// Inspections (督导检查) in a real Chromium: an inspector on a 360 px phone opens a post, sees
// what Bastion knows of it, ticks a mismatch, answers the checklist with a photo while the phone
// has no network; the inspection waits on the phone and arrives once, with its photo, when the
// network returns. The unit's secretary then finds the findings on their list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { annotate, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { png } from '../lib/images.mjs';

const SMALL = { width: 360, height: 740 };


describe(`inspections [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`an inspector completes a checklist with a photo offline at 360 px; it arrives once (${backendName()})`, async () => {
    let postName;
    await withPage(browser, `inspection-offline-${backendName()}`, SMALL, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/inspections`);
      await page.getByRole('heading', { name: '开始检查' }).waitFor();
      // The post of 城关派出所, where the demo officer is rostered now and not signed in.
      const posts = await (await page.request.get(`${server.url}/api/duty/posts`)).json();
      const station = posts.find((p) => p.unit_name === '城关派出所');
      assert.ok(station, 'a post at 城关派出所');
      postName = station.name;
      await page.locator(`a.insp-post[href="/inspections/posts/${station.id}"]`).click();
      await page.waitForURL((u) => u.pathname === `/inspections/posts/${station.id}`);
      await page.getByTestId('facts').getByText('未签到').first().waitFor();
      const key = await page.locator('input[name="client_key"]').inputValue();

      // The phone loses its network while the inspector fills the checklist.
      await page.context().setOffline(true);
      const mismatch = page.getByTestId('mismatches').locator('input[type=checkbox]').first();
      await mismatch.check();
      const items = page.locator('.insp-item');
      const n = await items.count();
      assert.ok(n >= 3, `a checklist with items (${n})`);
      // Submitting with items unanswered names them.
      await page.getByRole('button', { name: '提交检查' }).click();
      await page.getByRole('status').getByText(/还有项目没有选择结果/).waitFor();
      for (let i = 0; i < n; i++) {
        const item = items.nth(i);
        await item.locator(i === 1 ? 'label.insp-not_ok' : 'label.insp-ok').click();
      }
      await items.nth(1).locator('select').selectOption('critical');
      await items.nth(1).locator('input[name="note_1"]').fill('一名辅警未戴手套');
      await page.locator('input[name="photo"]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: png() });
      await page.getByRole('button', { name: '提交检查' }).click();
      await page.getByRole('status').getByText(/没有网络：检查已存在手机上/).waitFor();
      assert.equal(await page.locator('#insp-queue-n').innerText(), '1');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the checklist fits a 360-px phone (overflow ${overflow}px)`);
      await screenshot(page, `inspection-queued-360-${backendName()}`);
      const none = await page.evaluate(async (k) => {
        try {
          return (await fetch('/api/inspections')).ok ? 'reached' : 'refused';
        } catch {
          return 'offline';
        }
      }, key);
      assert.equal(none, 'offline', 'the phone really is offline');

      // The network returns: the queue empties; the server has it once, with its photo.
      await page.context().setOffline(false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      try {
        await page.waitForFunction(() => document.getElementById('insp-queue')?.hidden === true, null, { timeout: 30_000 });
      } catch (err) {
        throw annotate(err, `\n  status: ${await page.locator('#insp-status').innerText()}`);
      }
      const recent = await (await page.request.get(`${server.url}/api/inspections`)).json();
      const mine = recent.filter((i) => i.post_id === station.id && i.inspector === 'commander' && i.received_at > Date.now() - 600_000);
      assert.equal(mine.length, 1, `stored once: ${JSON.stringify(mine.map((i) => i.id))}`);
      const detail = await (await page.request.get(`${server.url}/api/inspections/${mine[0].id}`)).json();
      assert.equal(detail.inspection.photos.length, 1, 'with its photo');
      assert.equal(detail.inspection.photos[0].source, 'gallery');
      assert.equal(detail.findings.length, 2, 'the not-OK item and the ticked mismatch');
      await page.goto(`${server.url}/inspections/${mine[0].id}`);
      await page.getByText('一名辅警未戴手套').first().waitFor();
      await screenshot(page, `inspection-record-360-${backendName()}`);
    });

    // The unit's branch secretary finds the findings and records the rectification.
    await withPage(browser, `inspection-secretary-${backendName()}`, SMALL, async (page) => {
      await logIn(page, server.url, 'secretary');
      await page.getByTestId('todo').getByText(/项督导问题待整改/).waitFor();
      await page.goto(`${server.url}/inspections/findings?status=open`);
      const row = page.getByTestId('findings').locator('tbody tr', { hasText: '一名辅警未戴手套' }).first();
      await row.getByRole('link').click();
      await page.getByLabel('整改情况 *').fill('已为全班配发手套并逐人检查');
      await page.getByRole('button', { name: '提交整改' }).click();
      await page.getByTestId('finding-status').getByText('待复查').waitFor();
      assert.ok(postName);
      await screenshot(page, `inspection-rectified-360-${backendName()}`);
    });
  });
});
