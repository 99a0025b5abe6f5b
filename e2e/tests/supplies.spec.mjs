// Protective supplies in a real Chromium on a 360 px phone: a post's leader issues the standard
// kit to two people of a shift in one submission — one signs on the canvas with a drawn stroke,
// the leader confirms for the other with a reason, the leader signs as the issuer (required for a
// whole shift) — and the post's stock drops by exactly that. A station's leader follows the
// to-do "未签领防护装备" from the home page to the list of people rostered without kit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { DEMO_PASSWORD, backendName, startServer } from '../lib/server.mjs';

const SMALL = { width: 360, height: 740 };

async function logIn(page, baseUrl, user) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(user);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** What the post holds of an item, from the API (every batch). */
async function held(page, baseUrl, storeId, code) {
  const stock = await (await page.request.get(`${baseUrl}/api/supplies/stock`)).json();
  return stock.lines.filter((l) => l.store_id === storeId && l.item_code === code).reduce((n, l) => n + l.quantity, 0);
}

/** Draw a short zig-zag signature on a canvas with the pointer. */
async function sign(page, canvas) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + 20, y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await page.mouse.move(box.x + 20 + i * 25, y + (i % 2 ? -25 : 25), { steps: 4 });
  }
  await page.mouse.up();
}

describe(`supplies issue desk [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`a post's leader issues kit to a shift at 360 px (${backendName()})`, async () => {
    await withPage(browser, 'supplies-issue-desk', SMALL, async (page) => {
      await logIn(page, server.url, 'checkpoint');
      const stores = await (await page.request.get(`${server.url}/api/supplies/stores`)).json();
      const post = stores.find((s) => s.name.includes('G319'));
      assert.ok(post, `the leader's post in ${JSON.stringify(stores.map((s) => s.name))}`);
      const n95 = await held(page, server.url, post.id, 'N95');
      const suits = await held(page, server.url, post.id, 'SUIT');

      // From the menu to the stock page, then the post's issue desk.
      await page.goto(`${server.url}/supplies`);
      const section = page.locator('section.sup-store', { has: page.getByRole('heading', { name: /G319/ }) });
      await section.getByRole('link', { name: '签领发放' }).click();
      await page.waitForURL((url) => url.pathname === `/supplies/posts/${post.id}`);
      await page.locator('#issue-form').getByRole('combobox', { name: /^班次/ }).selectOption('夜班');

      const people = page.locator('.sup-person');
      const first = people.nth(0);
      const second = people.nth(1);
      await first.locator('input[name=pick]').check();
      await second.locator('input[name=pick]').check();
      // Submitting before the second person signs or is confirmed is stopped on the phone.
      await sign(page, first.locator('canvas'));
      await page.getByRole('button', { name: '提交签领' }).click();
      await page.getByRole('alert').filter({ hasText: '带班负责人代签' }).waitFor();
      await second.getByLabel('带班负责人代签').check();
      await second.locator('.sup-reason').fill('双手消毒后未干，口头确认');
      // Two people in one submission: the issuer must sign too, on the same phone.
      await page.getByRole('button', { name: '提交签领' }).click();
      await page.getByRole('alert').filter({ hasText: '发放人须在“发放人签名”处手写签名' }).waitFor();
      await sign(page, page.locator('#issuer-sign canvas'));

      // Nothing on the desk is wider than the phone.
      const wide = await page.evaluate(() => document.querySelector('#issue-form').scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `issue form overflows the 360 px screen by ${wide}px`);
      await screenshot(page, 'supplies-issue-360');

      await page.getByRole('button', { name: '提交签领' }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === '2');
      await page.getByRole('status').filter({ hasText: '已签领' }).waitFor();

      // Standard kit: 2 N95 and 1 suit each.
      assert.equal(await held(page, server.url, post.id, 'N95'), n95 - 4);
      assert.equal(await held(page, server.url, post.id, 'SUIT'), suits - 2);
      const row = page.locator('section', { hasText: '本库点库存' }).locator('tr', { hasText: 'N95口罩' });
      assert.match(await row.innerText(), new RegExp(`${n95 - 4} 只`));
      // The signature is shown with the issue; the confirmed one shows its reason.
      await page.getByRole('img', { name: /^签名 / }).first().waitFor();
      await page.getByText('双手消毒后未干，口头确认').waitFor();
      await screenshot(page, 'supplies-issued-360');
    });
  });
  test(`the leader finds who is rostered without kit from the to-do at 360 px (${backendName()})`, async () => {
    await withPage(browser, 'supplies-unprotected', SMALL, async (page) => {
      await logIn(page, server.url, 'secretary');
      await page.getByRole('link', { name: /人未签领防护装备/ }).first().click();
      await page.waitForURL((url) => url.pathname === '/supplies/unprotected');
      await page.getByRole('heading', { name: '未领装备人员' }).waitFor();
      const card = page.locator('.sup-unprotected').first();
      await card.waitFor();
      assert.match(await card.innerText(), /开班/);
      assert.ok((await card.locator('li').count()) > 0, 'the card names the people');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `the list overflows the 360 px screen by ${wide}px`);
      await screenshot(page, 'supplies-unprotected-360');
      // What to do now: the post's issue desk, one tap away.
      await card.getByRole('link', { name: '去签领台发放' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/supplies/posts/'));
      await page.locator('#issue-form').waitFor();
    });
  });
});
