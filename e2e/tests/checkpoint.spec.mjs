// Checkpoints and screening in a real Chromium at 390x844: an officer registers a
// traveller; the self-registration path end to end; offline capture (three entries queued on the
// phone, sent when the network returns, exactly three records on the server).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { DEMO_PASSWORD, backendName, startServer } from '../lib/server.mjs';

const PHONE = { width: 390, height: 844 };
const SMALL = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const IDS = ['11010519491231002X', '370101190102039973', '34052419800101001X', '110105491231002'];

async function logIn(page, baseUrl, user = 'checkpoint') {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(user);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

async function checkpoint(page, baseUrl, name) {
  const list = await (await page.request.get(`${baseUrl}/api/checkpoints`)).json();
  const cp = list.find((c) => c.name.includes(name));
  assert.ok(cp, `checkpoint ${name} in ${JSON.stringify(list.map((c) => c.name))}`);
  return cp;
}

async function screenings(page, baseUrl, id) {
  return (await page.request.get(`${baseUrl}/api/checkpoints/${id}/screenings?limit=500`)).json();
}

/** Fill the officer's form for one traveller (the decision button submits it). */
async function fillTraveller(page, { doc, name, phone = '', temp = '36.5' }) {
  await page.getByLabel('证件号码').fill(doc);
  await page.getByLabel('姓名').fill(name);
  if (phone) await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('出发地').fill('武汉市');
  await page.getByLabel('目的地').fill('青岚县城关镇');
  await page.locator('label.cp-chip', { hasText: '返乡' }).click();
  await page.locator('#cp-temp').fill(temp);
}

describe(`checkpoint screening [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`officer registers a traveller on a 390 px phone (${backendName()})`, async () => {
    await withPage(browser, 'checkpoint-officer-entry', PHONE, async (page) => {
      await logIn(page, server.url);
      const cp = await checkpoint(page, server.url, 'G319');
      const before = (await screenings(page, server.url, cp.id)).length;
      await page.goto(`${server.url}/checkpoints/entry?checkpoint=${cp.id}`);
      assert.equal(await page.getByLabel('证件号码').getAttribute('inputmode'), 'numeric');
      assert.equal(await page.locator('#cp-temp').getAttribute('inputmode'), 'decimal');
      // Big targets: the decision buttons are at least 48 px high.
      const box = await page.getByRole('button', { name: '放行' }).boundingBox();
      assert.ok(box.height >= 48, `decision button height ${box.height}`);
      await fillTraveller(page, { doc: IDS[0], name: '林晓风', phone: '13900001111' });
      await page.getByLabel('车牌号').fill('赣G12345');
      await screenshot(page, 'checkpoint-entry-390');
      await page.getByRole('button', { name: '放行' }).click();
      await page.getByText('已保存').first().waitFor();
      const after = await screenings(page, server.url, cp.id);
      assert.equal(after.length, before + 1);
      assert.equal(after[0].doc_masked, '110***********002X');
      assert.equal(after[0].plate, '赣G12345');
      // A bad temperature is refused with its field named; nothing stored.
      await fillTraveller(page, { doc: IDS[1], name: '周敏', temp: '373' });
      await page.getByRole('button', { name: '放行' }).click();
      await page.getByText('体温超出合理范围').waitFor();
      assert.equal((await screenings(page, server.url, cp.id)).length, before + 1);
      await screenshot(page, 'checkpoint-entry-error-390');
      // The last checkpoint is remembered for the next visit.
      await page.goto(`${server.url}/checkpoints/entry`);
      assert.equal(await page.locator('#cp-checkpoint').inputValue(), String(cp.id));
    });
  });

  test(`the entry form says one thing at a time and its buttons follow the fever line (${backendName()})`, async () => {
    await withPage(browser, 'checkpoint-entry-rules', SMALL, async (page) => {
      await logIn(page, server.url);
      const cp = await checkpoint(page, server.url, 'G319');
      await page.goto(`${server.url}/checkpoints/entry?checkpoint=${cp.id}`);
      // The empty temperature field shows a hint that cannot be mistaken for a reading.
      const temp = page.locator('#cp-temp');
      assert.equal(await temp.getAttribute('placeholder'), '例 36.5');
      const hint = await temp.evaluate((el) => {
        const s = getComputedStyle(el, '::placeholder');
        return { color: s.color, weight: s.fontWeight, value: el.value };
      });
      assert.equal(hint.value, '');
      const [r, g, b] = hint.color.match(/\d+/g).map(Number);
      assert.ok(r > 150 && g > 150 && b > 150, `placeholder is light: ${hint.color}`);
      assert.ok(Number(hint.weight) < 600, `placeholder is not bold: ${hint.weight}`);
      // At 38.2 ℃ only 转运留观 can be chosen, and the reason is on screen.
      const pass = page.getByRole('button', { name: '放行' });
      const back = page.getByRole('button', { name: '劝返' });
      const transfer = page.getByRole('button', { name: '转运留观' });
      await temp.fill('38.2');
      assert.ok(await pass.isDisabled(), '放行 is disabled at 38.2');
      assert.ok(await back.isDisabled(), '劝返 is disabled at 38.2');
      assert.ok(await transfer.isEnabled(), '转运留观 stays enabled');
      await page.getByTestId('fever-decision').getByText('转运留观').waitFor();
      await screenshot(page, 'checkpoint-entry-fever-360');
      // A re-measure below the line gives the choice back.
      await page.locator('#cp-temp2').fill('36.8');
      assert.ok(await pass.isEnabled(), '放行 again after a normal re-measure');
      assert.ok(await page.getByTestId('fever-decision').isHidden());
      // A saved entry, then a refused one: only the refusal shows, never the stale 已保存 above it.
      await temp.fill('');
      await page.locator('#cp-temp2').fill('');
      await fillTraveller(page, { doc: IDS[2], name: '程远' });
      await pass.click();
      await page.getByRole('status').getByText('已保存').waitFor();
      await fillTraveller(page, { doc: IDS[3], name: '韩露', temp: '373' });
      await pass.click();
      await page.getByText('体温超出合理范围').waitFor();
      assert.equal(await page.getByRole('status').innerText(), '', 'the saved message is gone');
      await screenshot(page, 'checkpoint-entry-refused-360');
    });
  });

  test(`self-registration end to end (${backendName()})`, async () => {
    let officer;
    await withPage(browser, 'checkpoint-self-registration', PHONE, async (page) => {
      await logIn(page, server.url);
      const cp = await checkpoint(page, server.url, 'G319');
      officer = page;
      // The traveller: another phone, no account.
      const ctx = await browser.newContext({ viewport: SMALL, locale: 'zh-CN', isMobile: true, hasTouch: true });
      const traveller = await ctx.newPage();
      await traveller.goto(`${server.url}/p/${cp.public_code}`);
      await traveller.getByText('个人信息收集告知').waitFor();
      await screenshot(traveller, 'checkpoint-public-form-360');
      await traveller.getByLabel('姓名').fill('陈静');
      await traveller.getByLabel('证件号码').fill(IDS[2]);
      await traveller.getByLabel('手机号').fill('13800002222');
      await traveller.getByLabel('出发地').fill('南昌市');
      await traveller.getByLabel('目的地').fill('城关镇');
      await traveller.getByLabel('事由').selectOption('work');
      await traveller.getByRole('button', { name: '提交登记' }).click();
      const code = (await traveller.getByTestId('pass-code').innerText()).trim();
      assert.match(code, /^\d{8}$/);
      await screenshot(traveller, 'checkpoint-public-pass-360');
      await ctx.close();
      const before = (await screenings(officer, server.url, cp.id)).length;
      // The officer types the code, takes the temperature, decides.
      await officer.goto(`${server.url}/checkpoints/entry?checkpoint=${cp.id}`);
      await officer.getByText('核验扫码自助登记').click();
      await officer.getByLabel('8位通行码').fill(code);
      await officer.getByRole('button', { name: '核验' }).click();
      await officer.getByTestId('pass-summary').getByText('340***********001X').waitFor();
      await officer.locator('#cp-temp').fill('36.4');
      await officer.getByRole('button', { name: '放行' }).click();
      await officer.getByText('已保存').first().waitFor();
      const rows = await screenings(officer, server.url, cp.id);
      assert.equal(rows.length, before + 1);
      assert.equal(rows[0].mode, 'self_scan');
      assert.equal(rows[0].origin, '南昌市');
    });
  });

  test(`offline: three entries queued on the phone arrive exactly once (${backendName()})`, async () => {
    await withPage(browser, 'checkpoint-offline', PHONE, async (page) => {
      await logIn(page, server.url);
      const cp = await checkpoint(page, server.url, 'S12');
      const before = (await screenings(page, server.url, cp.id)).length;
      await page.goto(`${server.url}/checkpoints/entry?checkpoint=${cp.id}`);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await page.waitForFunction(() => !!navigator.serviceWorker.controller || true);
      await page.context().setOffline(true);
      const people = [['王建国', IDS[0]], ['李秀英', IDS[1]], ['张伟', IDS[3]]];
      for (const [i, [name, doc]] of people.entries()) {
        await fillTraveller(page, { doc, name });
        await page.getByRole('button', { name: '放行' }).click();
        await page.getByText('网络不可用，已保存在本机').waitFor();
        // This entry is in the queue and its send has given up (the buttons are back).
        await page.waitForFunction(
          (n) =>
            document.querySelector('[data-testid="queue-count"]').textContent === String(n) &&
            !document.querySelector('.cp-decision').disabled,
          i + 1,
        );
      }
      await page.waitForFunction(() => document.querySelector('[data-testid="queue-count"]').textContent === '3');
      await screenshot(page, 'checkpoint-offline-queue-390');
      // Still offline: a reload keeps the queue (IndexedDB), the page comes from the service worker.
      await page.reload();
      await page.waitForFunction(() => document.querySelector('[data-testid="queue-count"]')?.textContent === '3');
      assert.equal((await screenings(page, server.url, cp.id).catch(() => [])).length <= before, true);
      await page.context().setOffline(false);
      await page.waitForFunction(() => document.querySelector('[data-testid="queue-count"]').textContent === '0', null, {
        timeout: 40_000,
      });
      const rows = await screenings(page, server.url, cp.id);
      assert.equal(rows.length, before + 3, 'exactly three records on the server');
      // A resend of the same ids (a phone that lost the answers) changes nothing.
      await page.reload();
      await page.waitForTimeout(500);
      assert.equal((await screenings(page, server.url, cp.id)).length, before + 3);
    });
  });

  test(`checkpoint list and fever pages render (${backendName()})`, async () => {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone-360', SMALL]]) {
      await withPage(browser, `checkpoint-list-${label}`, viewport, async (page) => {
        await logIn(page, server.url, 'commander');
        await page.goto(`${server.url}/checkpoints`);
        await page.getByText('G319 青岚东入境卡点').first().waitFor();
        await screenshot(page, `checkpoint-list-${label}`);
        await page.goto(`${server.url}/checkpoints/fever`);
        await page.getByText('已转诊').first().waitFor();
        const rule = page.getByTestId('fever-rule');
        await rule.getByText('≥37.3 ℃').waitFor();
        if (label === 'desktop') {
          // The commander moves the fever line, sees it in force, and puts it back.
          await page.getByLabel('发热阈值（℃，37.0–38.5）').fill('37.5');
          await page.getByLabel('体温等于阈值也判为发热').uncheck();
          await page.getByRole('button', { name: '保存判定线' }).click();
          await rule.getByText('>37.5 ℃').waitFor();
          await page.getByLabel('发热阈值（℃，37.0–38.5）').fill('373');
          await page.getByRole('button', { name: '保存判定线' }).click();
          await page.getByRole('alert').filter({ hasText: '34.0–42.0' }).waitFor();
          await page.getByLabel('发热阈值（℃，37.0–38.5）').fill('37.3');
          await page.getByLabel('体温等于阈值也判为发热').check();
          await page.getByRole('button', { name: '保存判定线' }).click();
          await rule.getByText('≥37.3 ℃').waitFor();
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the fever page fits (${label}, overflow ${overflow}px)`);
        await screenshot(page, `checkpoint-fever-${label}`);
      });
    }
  });
});
