// The security admin's custom-role path on a phone: define a role whose person reads reach one
// chosen station, see a rule broken named in Chinese with nothing saved, then save and find the
// role in the list; the system admin cannot open the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { logIn } from '../lib/login.mjs';

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
      // Permissions come in groups named in Chinese, with no permission codes on the page.
      const groups = page.getByTestId('perm-groups');
      assert.doesNotMatch(await groups.innerText(), /[a-z]+:[a-z]+:[a-z]+/, 'no raw permission codes');
      const org = page.locator('details[data-perm-group="org"]');
      await org.locator('summary').click();
      // A ticked permission without a group scope is refused with the permission named.
      await org.getByLabel('人员·查看', { exact: true }).check();
      await page.getByRole('button', { name: '保 存' }).click();
      await page.getByRole('alert').getByText('已勾选“组织机构·人员·查看”，请为它所在的分组选择数据范围').waitFor();
      await page.locator('details[data-perm-group="org"]').getByLabel('数据范围').selectOption('units');
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
