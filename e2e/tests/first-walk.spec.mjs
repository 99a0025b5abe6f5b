// What a new user meets on the first walk through Bastion, role by role: an order outside one's
// scope is refused in plain words (never a board reading "nobody missing"), no button leads to a
// refusal and a refusal keeps the menu, the home page is one's own work page with figures of
// one's own scope, and the people tree shows only the units one may see.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, annotate, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { logIn } from '../lib/login.mjs';

describe(`a new user's first walk [${backendName()}]`, { timeout: 240_000 }, () => {
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

  test(`a branch secretary opening another unit's order is told it is outside their scope (${backendName()})`, async () => {
    let orderUrl;
    await withPage(browser, `scope-commander-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/recall`);
      await page.getByLabel('标题 *').fill('督察大队夜间返岗');
      await page.getByLabel('召集内容 *').fill('督察大队全体人员立即返岗');
      await page.getByLabel('演练').check();
      await page.getByLabel('召集范围').selectOption('units');
      await page.getByTestId('unit-pick').getByRole('checkbox', { name: /^督察大队 / }).check();
      await page.getByRole('button', { name: '预览召集人数' }).click();
      await page.getByTestId('preview').waitFor();
      await page.getByRole('button', { name: '确认发布' }).click();
      await page.waitForURL(/\/recall\/\d+$/);
      orderUrl = page.url();
    });
    await withPage(browser, `scope-secretary-${backendName()}`, VIEWPORTS.phone, async (page) => {
      await logIn(page, server.url, 'secretary');
      const resp = await page.goto(orderUrl);
      assert.equal(resp.status(), 403);
      const text = await page.locator('main, body').first().innerText();
      try {
        assert.match(text, /不在您的管辖范围内/);
        assert.doesNotMatch(text, /无人缺席/);
        assert.doesNotMatch(text, /0\/0/);
        assert.equal(await page.getByRole('button', { name: '再次提醒' }).count(), 0, 'no reminder button');
        assert.equal(await page.getByRole('link', { name: /导出未到/ }).count(), 0, 'no missing-list export');
      } catch (err) {
        throw annotate(err, `\n  page: ${text.slice(0, 600)}`);
      }
      // The refusal keeps the menu, so the officer can go on from there.
      assert.ok((await page.locator('.sidebar').count()) > 0, 'the refusal page has the menu');
      await screenshot(page, `scope-refused-phone-${backendName()}`);
    });
  });

  test(`no button leads to a refusal, and a refusal says what is missing in Chinese (${backendName()})`, async () => {
    await withPage(browser, `buttons-commander-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'commander');
      // Every link on the home page and the menu opens (none answers 403).
      const hrefs = await page.evaluate(() =>
        [...new Set([...document.querySelectorAll('main a[href^="/"], .sidebar a[href^="/"]')].map((a) => a.getAttribute('href')))],
      );
      assert.ok(hrefs.length > 5, `the commander has links: ${hrefs}`);
      for (const href of hrefs.filter((h) => !h.startsWith('/logout'))) {
        const r = await page.request.get(`${server.url}${href}`);
        assert.notEqual(r.status(), 403, `${href} is offered but refused`);
      }
      // The checkpoint list offers 测温登记 only to those who may register.
      await page.goto(`${server.url}/checkpoints`);
      const canRegister = await page.getByRole('link', { name: '测温登记' }).count();
      const r = await page.request.get(`${server.url}/checkpoints/entry`);
      assert.equal(canRegister > 0, r.status() !== 403, 'the 测温登记 button shows exactly when it opens');
    });
    await withPage(browser, `refusal-officer-${backendName()}`, VIEWPORTS.phone, async (page) => {
      await logIn(page, server.url, 'officer');
      const resp = await page.goto(`${server.url}/system/audit`);
      assert.equal(resp.status(), 403);
      const text = await page.locator('body').innerText();
      assert.match(text, /请联系安全管理员/, 'whom to ask');
      assert.doesNotMatch(text, /[a-z]+:[a-z]+:[a-z]+/, 'no permission code');
      assert.ok((await page.locator('.sidebar').count()) > 0, 'the menu stays');
    });
  });

  test(`the home page is each role's own work page (${backendName()})`, async () => {
    for (const [user, wholeBureau] of [['commander', true], ['secretary', false], ['officer', false], ['secadmin', false]]) {
      await withPage(browser, `home-${user}-${backendName()}`, VIEWPORTS.phone, async (page) => {
        await logIn(page, server.url, user);
        await page.getByTestId('todo').waitFor();
        const text = await page.locator('main, body').first().innerText();
        try {
          if (wholeBureau) {
            assert.match(text, /全局人数/);
          } else {
            assert.doesNotMatch(text, /全局人数/, 'no bureau-wide headcount');
            assert.doesNotMatch(text, /(^|\D)956(\D|$)/, 'not the bureau total');
          }
          const total = page.getByTestId('stat-total');
          if (user === 'secretary') {
            assert.match(await total.innerText(), /管辖范围内人数/);
            const n = Number((await total.locator('.num').innerText()).trim());
            assert.ok(n > 0 && n < 956, `the secretary's own scope: ${n}`);
          }
          if (user === 'officer' || user === 'secadmin') assert.equal(await total.count(), 0, 'no headcount tiles');
        } catch (err) {
          throw annotate(err, `\n  user: ${user}\n  page: ${text.slice(0, 600)}`);
        }
        await screenshot(page, `home-${user}-phone-${backendName()}`);
      });
    }
  });

  test(`the people tree shows the units the viewer may see (${backendName()})`, async () => {
    await withPage(browser, `tree-secretary-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'secretary');
      await page.goto(`${server.url}/org/people`);
      const units = await page.locator('.tree li a').allInnerTexts();
      const names = units.map((u) => u.replace(/\s*\d+\s*$/, '').trim());
      assert.ok(names.some((n) => n.startsWith('城关派出所')), `own station listed: ${names}`);
      assert.ok(!names.some((n) => n.startsWith('督察大队')), `no other units: ${names}`);
      // Every unit offered lists as many people as the tree says.
      const links = await page
        .locator('.tree li a[href*="unit_id"]')
        .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), Number(a.querySelector('small')?.textContent ?? 'NaN')]));
      assert.ok(links.length > 0);
      for (const [href, count] of links) {
        await page.goto(`${server.url}${href}`);
        const total = Number(((await page.getByTestId('total').innerText()).match(/\d+/) ?? ['0'])[0]);
        assert.equal(total, count, `${href} lists the ${count} people the tree counts`);
      }
    });
  });
});
