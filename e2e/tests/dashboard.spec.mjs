// The command dashboard in a real Chromium: the big screen at 1920×1080 fills the wall without
// scrollbars and changes today's count on its own when a checkpoint officer registers a traveller;
// on a 360-px phone the same figures are readable without sideways scrolling.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { annotate, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';

const WALL = { width: 1920, height: 1080 };
const SMALL = { width: 360, height: 740 };

/** A valid 18-digit resident identity number (GB 11643 check digit). */
function idNumber() {
  const r = (n) => Math.floor(Math.random() * n);
  const body = `360102199${r(10)}0${1 + r(9)}${10 + r(18)}${100 + r(900)}`;
  assert.equal(body.length, 17);
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

const todayCount = async (page) => {
  const t = await page.locator('[data-section="checkpoint"] .dash-figure', { hasText: '今日登记' }).locator('.num').innerText();
  return Number(t.replace(/,/g, ''));
};

describe(`command dashboard [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`the big screen updates live when a traveller is registered (${backendName()})`, async () => {
    await withPage(browser, `dashboard-wall-${backendName()}`, WALL, async (wall) => {
      await logIn(wall, server.url, 'commander');
      await wall.goto(`${server.url}/dashboard?screen=1`);
      await wall.locator('.dash-stage[data-connected="1"]').waitFor({ timeout: 15_000 });
      // The schematic of the county's posts, every place coloured by its state.
      const places = wall.getByTestId('post-map').locator('.dash-tile');
      await places.first().waitFor();
      const states = await places.evaluateAll((els) => els.map((e) => e.className.replace('dash-tile', '').trim()));
      assert.ok(states.length > 0 && states.every((c) => ['ok', 'short', 'alert', 'idle'].includes(c)), `states: ${states}`);
      const before = await todayCount(wall);
      const fits = await wall.evaluate(() => ({
        x: document.documentElement.scrollWidth <= window.innerWidth,
        y: document.documentElement.scrollHeight <= window.innerHeight,
      }));
      assert.deepEqual(fits, { x: true, y: true }, 'no scrollbars on the wall');
      await screenshot(wall, `dashboard-wall-before-${backendName()}`);

      await withPage(browser, `dashboard-gate-${backendName()}`, SMALL, async (gate) => {
        await logIn(gate, server.url, 'checkpoint');
        const list = await (await gate.request.get(`${server.url}/api/checkpoints`)).json();
        const cp = list.find((c) => c.name.includes('G319'));
        assert.ok(cp, 'the G319 checkpoint');
        const r = await gate.request.post(`${server.url}/api/checkpoints/registrations`, {
          data: {
            id: crypto.randomUUID(), checkpoint_id: cp.id, name: '林晓风', doc_type: 'id_card', doc_number: idNumber(),
            phone: '13900001111', plate: '赣G12345', vehicle_type: 'car', origin: '武汉市', destination: '青岚县城关镇',
            reason: 'return_home', travel_flag: '1', health_code: 'green', temp: '36.6', method: 'forehead', decision: 'pass',
          },
        });
        assert.ok(r.ok(), `registered: ${r.status()} ${await r.text()}`);
      });
      try {
        await wall.waitForFunction(
          (n) => {
            const el = [...document.querySelectorAll('[data-section="checkpoint"] .dash-figure')].find((f) => f.textContent.includes('今日登记'));
            return el && Number(el.querySelector('.num').textContent.replace(/,/g, '')) === n + 1;
          },
          before,
          { timeout: 10_000 },
        );
      } catch (err) {
        throw annotate(err, `\n  before: ${before}, now: ${await todayCount(wall)}`);
      }
      await screenshot(wall, `dashboard-wall-after-${backendName()}`);
    });
  });

  test(`the dashboard is readable on a 360-px phone (${backendName()})`, async () => {
    await withPage(browser, `dashboard-phone-${backendName()}`, SMALL, async (page) => {
      await logIn(page, server.url, 'secretary');
      await page.goto(`${server.url}/dashboard`);
      await page.locator('[data-section="org"]').getByText('管辖范围内人数').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
      await screenshot(page, `dashboard-phone-${backendName()}`);
    });
  });

  test(`the trends are drawn by the bundled ECharts (${backendName()})`, async () => {
    await withPage(browser, `dashboard-trends-${backendName()}`, SMALL, async (page) => {
      const blocked = [];
      page.on('console', (m) => { if (m.type() === 'error') blocked.push(m.text()); });
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/dashboard`);
      await page.locator('[data-chart="flow"][data-drawn="1"] canvas').first().waitFor({ timeout: 10_000 });
      assert.deepEqual(blocked.filter((t) => /Content Security Policy|echarts/i.test(t)), [], 'nothing refused by the page policy');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
      await page.locator('[data-testid="trends"]').scrollIntoViewIfNeeded();
      await screenshot(page, `dashboard-trends-${backendName()}`);
    });
  });
});
