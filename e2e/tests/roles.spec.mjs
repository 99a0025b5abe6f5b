// The security admin's custom-role path on a phone: define a role whose person reads reach one
// chosen station, see a rule broken named in Chinese with nothing saved, then save and find the
// role in the list; the system admin cannot open the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, backendName, startServer } from '../lib/server.mjs';
import { totp } from '../lib/totp.mjs';

async function logIn(page, baseUrl, username) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/login/totp');
  await page.getByLabel('动态口令', { exact: true }).fill(totp(DEMO_TOTP_SECRET));
  await page.getByRole('button', { name: '验 证' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

describe(`custom roles [${backendName()}]`, { timeout: 180_000 }, () => {
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

  test(`security admin defines a chosen-units role on a phone (${backendName()})`, async () => {
    await withPage(browser, `roles-phone-${backendName()}`, VIEWPORTS.phone, async (page) => {
      await logIn(page, server.url, 'secadmin');
      await page.goto(`${server.url}/system/roles`);
      await page.getByText('还没有自定义角色。').waitFor();
      const noScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      assert.ok(noScroll, 'the roles page fits a 360-px phone');

      // A chosen-units grant without a unit: refused, named, nothing saved.
      await page.getByLabel('角色代码 *').fill('east_watch');
      await page.getByLabel('角色名称 *').fill('东关协查');
      await page.locator('select[name="scope:org:person:read"]').selectOption('units');
      await page.getByRole('button', { name: '保 存' }).click();
      await page.getByRole('alert').getByText('指定单位：数据范围为“指定单位”时，至少选择一个单位').waitFor();
      assert.equal(await page.getByLabel('角色名称 *').inputValue(), '东关协查', 'the form keeps what was typed');
      assert.equal(await page.locator('#custom-roles').count(), 0, 'nothing saved');

      await page.getByLabel('东关派出所').check();
      await page.getByRole('button', { name: '保 存' }).click();
      await page.getByRole('status').getByText('已保存角色“东关协查”').waitFor();
      const row = page.locator('#custom-roles tbody tr', { hasText: '东关协查' });
      assert.match(await row.innerText(), /组织机构·人员·查看（指定单位）/);
      await screenshot(page, `roles-saved-phone-${backendName()}`);

      // The role is offered when granting roles to an account.
      await page.goto(`${server.url}/system/accounts`);
      assert.equal(await page.locator('input[name="role"][value="east_watch"]').count() > 0, true);
    });
  });

  test(`the system admin has no roles page (${backendName()})`, async () => {
    await withPage(browser, `roles-sysadmin-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'sysadmin');
      const resp = await page.goto(`${server.url}/system/roles`);
      assert.equal(resp.status(), 403);
      assert.equal(await page.locator('a[href="/system/roles"]').count(), 0, 'no menu entry either');
    });
  });
});
