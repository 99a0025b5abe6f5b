// The system admin's main path: sign in with the second factor, add a person (a wrong ID number is
// named, nothing is saved), see the masked numbers, then import a file with a broken row (nothing
// imported, the row is reported) and a good file (imported).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, launchBrowser, withPage } from '../lib/browser.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { logIn } from '../lib/login.mjs';

const HEADER = '警号,姓名,人员类别,性别,出生日期,入职日期,身份证号,手机号,单位编码,职务,政治面貌,在岗状态,警种,技能特长';

describe(`people edit and import [${backendName()}]`, { timeout: 240_000 }, () => {
  let server;
  let browser;
  let dir;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bastion-e2e-'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test(`add a person, then import (${backendName()})`, async () => {
    await withPage(browser, `add-and-import-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'sysadmin');

      await page.goto(`${server.url}/org/people/new`);
      await page.getByLabel('警号 *').fill('770001');
      await page.getByLabel('姓名 *').fill('测试民警');
      await page.getByLabel('所属单位 *').selectOption({ label: '　城关派出所' });
      await page.getByLabel('身份证号').fill('110105194912310021');
      await page.getByLabel('手机号').fill('13912345678');
      await page.getByRole('button', { name: '保 存' }).click();
      await page.getByText('身份证号校验位错误，请核对').waitFor();
      // Nothing was saved: the police number is still free.
      await page.getByLabel('身份证号').fill('11010519491231002X');
      await page.getByRole('button', { name: '保 存' }).click();
      await page.waitForURL((url) => /^\/org\/people\/\d+$/.test(url.pathname));
      assert.equal(await page.getByTestId('id-masked').innerText(), '110***********002X');
      assert.equal(await page.getByTestId('mobile-masked').innerText(), '139****5678');
      const body = await page.locator('main').innerText();
      assert.ok(!body.includes('11010519491231002X'), 'the clear ID number is not on the page');

      // Import with one broken row: nothing imported, the row and rule shown.
      const bad = path.join(dir, 'bad.csv');
      await writeFile(bad, `\uFEFF${HEADER}\n770002,好人,民警,男,,,110105198001017023,,S01,,,,,\n770003,坏人,民警,男,,,110105198001017031,,NOPE,,,,,\n`);
      await page.goto(`${server.url}/org/transfer`);
      await page.getByLabel('选择文件').setInputFiles(bad);
      await page.getByRole('button', { name: '导入', exact: true }).click();
      await page.getByText('很抱歉，导入失败！').waitFor({ timeout: 30_000 });
      await page.getByText('单位编码“NOPE”不存在').waitFor();
      assert.ok(await page.getByRole('link', { name: '下载错误报告' }).isVisible());

      const good = path.join(dir, 'good.csv');
      await writeFile(good, `\uFEFF${HEADER}\n770002,好人,民警,男,,,110105198001017023,,S01,,,,,\n770004,又一人,辅警,女,,,11010519800101704X,,S02,,,,,\n`);
      await page.getByLabel('选择文件').setInputFiles(good);
      await page.getByRole('button', { name: '导入', exact: true }).click();
      await page.getByText('恭喜您，数据已全部导入成功！共 2 条').waitFor({ timeout: 30_000 });

      await page.goto(`${server.url}/org/people?police_no=7700`);
      await page.getByTestId('total').getByText('共 3 条').waitFor();
    });
  });
});
