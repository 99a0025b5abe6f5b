// Recall orders: a commander configures an SMS gateway (a real local HTTP receiver in
// this test), issues a drill order after seeing its audience size, a second browser context on a
// 360-px phone follows the personal link from the SMS without signing in, acknowledges and
// reports on post, and the commander's board changes without a reload (SSE).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, annotate, launchBrowser, newPage, screenshot } from '../lib/browser.mjs';
import { DEMO_PASSWORD, backendName, startServer } from '../lib/server.mjs';

/** A stand-in SMS gateway: records every message it accepts. */
function startGateway() {
  const messages = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const msg = JSON.parse(body);
        messages.push(msg);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"result":"accepted"}');
      } catch {
        res.writeHead(400);
        res.end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/sms`, messages, server })),
  );
}

async function until(what, cond, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logIn(page, baseUrl, username) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

describe(`recall orders [${backendName()}]`, { timeout: 240_000 }, () => {
  let server;
  let browser;
  let gateway;

  before(async () => {
    gateway = await startGateway();
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    gateway?.server.close();
  });

  test(`issue a drill, answer from a phone through the SMS link, the board follows live (${backendName()})`, async () => {
    const desk = await newPage(browser, VIEWPORTS.desktop);
    const phone = await newPage(browser, VIEWPORTS.phone);
    try {
      await logIn(desk, server.url, 'commander');

      // The SMS gateway, through the channels page.
      await desk.goto(`${server.url}/notify/channels`);
      await desk.getByLabel('渠道类型').selectOption('sms');
      await desk.getByLabel('渠道名称 *').fill('短信网关');
      await desk.getByLabel('地址 *').fill(gateway.url);
      await desk.getByLabel('发送间隔（毫秒）').fill('0');
      await desk.getByLabel('个人链接前缀（本系统对外地址，短信网关必填）').fill(server.url);
      await desk.getByRole('button', { name: '保 存' }).click();
      // One row: the channel's name and its kind, by name (not the code `sms`).
      await desk.getByRole('row', { name: /短信网关\s+短信网关/ }).waitFor();
      // Switched on, with the switch to turn it off at hand.
      await desk.getByText('启用中').waitFor();
      await desk.getByRole('button', { name: '停用' }).waitFor();

      // The demo's finished drill is on the list.
      await desk.goto(`${server.url}/recall`);
      await desk.getByRole('link', { name: '全警返岗演练' }).waitFor();

      // Issue: the audience size first, then confirm.
      // The form starts unarmed: neither 实战 nor 演练 is chosen, and no scope.
      assert.equal(await desk.getByLabel('实战').isChecked(), false);
      assert.equal(await desk.getByLabel('演练').isChecked(), false);
      assert.equal(await desk.getByLabel('召集范围').inputValue(), '');
      await desk.getByLabel('标题 *').fill('督察大队返岗演练');
      await desk.getByLabel('召集内容 *').fill('督察大队全体人员一小时内返岗报到');
      await desk.getByLabel('演练').check();
      // Only the fields of the chosen scope show: the unit tree for 按单位, the number list for 按名单.
      const pick = desk.getByTestId('unit-pick');
      assert.equal(await pick.isVisible(), false, 'no scope fields before a scope is chosen');
      await desk.getByLabel('召集范围').selectOption('list');
      await desk.getByLabel(/警号/).waitFor();
      assert.equal(await pick.isVisible(), false);
      await desk.getByLabel('召集范围').selectOption('units');
      await pick.waitFor();
      assert.equal(await desk.getByLabel(/警号/).isVisible(), false, 'the number list hides again');
      // Units are ticked in a tree that counts each unit's people with those below it.
      const unit = pick.getByRole('checkbox', { name: /^督察大队 10 人$/ });
      await unit.check();
      await desk.getByRole('button', { name: '预览召集人数' }).click();
      const preview = desk.getByTestId('preview');
      await preview.waitFor();
      assert.match(await preview.innerText(), /将召集人数：10/);
      await desk.getByRole('button', { name: '确认发布' }).click();
      await desk.waitForURL(/\/recall\/\d+$/);
      await desk.getByText('演练 · 非实战').first().waitFor();
      const headline = desk.getByTestId('headline');
      const before = await headline.innerText();
      assert.match(before, /^0\/10（到岗 0 \+ 免到 \d+）$/);
      await desk.locator('#recall-live[data-connected="1"]').waitFor();
      await desk.evaluate(() => {
        window.__stillSamePage = true;
      });
      await screenshot(desk, `recall-board-before-${backendName()}`);

      // The SMS carries the personal link; the phone follows it without signing in.
      await until('an SMS', () => gateway.messages.length > 0);
      const sms = gateway.messages[0];
      assert.match(sms.mobile, /^1\d{10}$/);
      assert.match(sms.content, /演练/);
      const link = sms.content.slice(sms.content.indexOf('http'));
      await phone.goto(link);
      await phone.getByText('督察大队返岗演练').waitFor();
      await phone.getByText('演练 · 非实战').waitFor();
      await screenshot(phone, `recall-link-phone-${backendName()}`);
      await phone.getByRole('button', { name: '确认收到' }).click();
      await phone.getByText('已确认收到').waitFor();
      await phone.getByLabel('岗位码或位置（可选）').fill('KD-07');
      await phone.getByRole('button', { name: '到岗报到' }).click();
      await phone.getByText('到岗报到成功').waitFor();
      await screenshot(phone, `recall-link-done-phone-${backendName()}`);
      // Following the link again: a clear answer, nothing changes.
      await phone.goto(link);
      assert.equal(await phone.getByRole('button', { name: '到岗报到' }).count(), 0);
      await phone.getByTestId('link-state').filter({ hasText: '已到岗' }).waitFor();

      // The board changes without a reload.
      await desk.waitForFunction(
        () => /^1\/10（到岗 1 \+ 免到 \d+）$/.test(document.querySelector('[data-testid="headline"]')?.textContent.trim() ?? ''),
        null,
        { timeout: 10_000 },
      );
      assert.equal(await desk.evaluate(() => window.__stillSamePage), true, 'the board did not reload');
      await screenshot(desk, `recall-board-after-${backendName()}`);

      // The same board on a phone.
      const boardUrl = desk.url();
      const phoneDesk = await newPage(browser, VIEWPORTS.phone);
      await logIn(phoneDesk, server.url, 'commander');
      await phoneDesk.goto(boardUrl);
      await phoneDesk.getByTestId('headline').waitFor();
      const overflow = await phoneDesk.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the board fits a 360-px phone (overflow ${overflow}px)`);
      await screenshot(phoneDesk, `recall-board-phone-${backendName()}`);
      await phoneDesk.context().close();

      // A forged link shows a clear page.
      await phone.goto(link.replace(/\.[0-9a-f]{32}$/, '.' + '0'.repeat(32)));
      await phone.getByText('链接无效').first().waitFor();
    } catch (err) {
      const shot = await screenshot(desk, `recall-failure-${backendName()}`).catch(() => '(none)');
      throw annotate(err, `\n  screenshot: ${shot}\n  server: ${server.logs().slice(-2000)}`);
    } finally {
      await desk.context().close();
      await phone.context().close();
    }
  });
});
