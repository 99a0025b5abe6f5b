// Party (党建) in a real Chromium: the demo officer, on a 360 px phone, writes a petition (请战书),
// ticks two missions and signs it with a drawn stroke; a blank signature is refused first. The
// committee (指挥长) then sees the petition with its signature image. The same officer, not a party
// member, applies to join from their own page (入党申请书) and sees their stage and next step; the branch
// secretary finds them in the pipeline with the talk due within a month. The committee sets up a
// branch under a document number, and its secretary transfers a member into it on a phone.
// Another officer signs a petition with a photo of the signed paper and agrees to its publication;
// the publicity editor writes a draft story from it. The committee, at 1366 px, holds a meeting
// for a member's branch, shows its check-in code, uploads its photo and sign-in sheet; the member
// checks in on a phone and the attendance follows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { png } from '../lib/images.mjs';

const SMALL = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const DESK = { width: 1366, height: 900 };
const TEXT = '疫情就是命令，我志愿到卡点一线参加值守和排查，服从组织安排。';

/** Draw a short zig-zag signature on a canvas with the pointer. */
async function sign(page, canvas) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + 20, y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await page.mouse.move(box.x + 20 + i * 25, y + (i % 2 ? -20 : 20), { steps: 4 });
  }
  await page.mouse.up();
}

describe(`party [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`an officer writes and signs a petition on a 360 px phone (${backendName()})`, async () => {
    await withPage(browser, 'party-petition-phone', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      await page.goto(`${server.url}/party/petitions`);
      await page.getByRole('heading', { name: '递交请战书' }).waitFor();
      await page.getByLabel('请战内容').fill(TEXT);
      await page.getByLabel('摸底排查').check();
      await page.getByLabel('巡逻防控').check();
      // Sending without a signature is refused on the phone, nothing is sent.
      await page.getByRole('button', { name: '递交请战书' }).click();
      await page.getByRole('alert').getByText('请先在签名框内签名').waitFor();
      await sign(page, page.getByRole('img', { name: '签名' }));
      await page.getByRole('button', { name: '递交请战书' }).click();
      await page.waitForURL((url) => url.searchParams.has('done'));
      await page.getByTestId('petition-done').waitFor();
      const card = page.locator('article.duty-card').filter({ hasText: TEXT });
      await card.waitFor();
      await card.getByText('摸底排查、巡逻防控').waitFor();
      await card.getByText('待编队').waitFor();
      // Nothing spills sideways on a small phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `party-petition-360-${backendName()}`);
    });
    await withPage(browser, 'party-petition-committee', DESKTOP, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/party/petitions`);
      const card = page.locator('article.duty-card').filter({ hasText: TEXT });
      await card.waitFor();
      const img = card.getByRole('img', { name: /签名/ });
      await img.waitFor();
      const loaded = await img.evaluate((i) => i.complete && i.naturalWidth > 0);
      assert.ok(loaded, 'the signature image loads');
    });
  });

  test(`an officer applies to join the party on a 360 px phone (${backendName()})`, async () => {
    const letter = '敬爱的党组织：我志愿加入中国共产党，拥护党的纲领，遵守党的章程，在抗疫一线接受组织考验。';
    let name = '';
    await withPage(browser, 'party-apply-phone', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      await page.goto(`${server.url}/party/me`);
      await page.getByRole('link', { name: '递交或查看入党申请' }).click();
      await page.getByRole('heading', { name: '入党申请' }).waitFor();
      // A letter too short is refused with the field named; nothing is recorded.
      await page.getByLabel('入党申请书').fill('我要入党');
      await page.getByLabel('入党申请书').evaluate((t) => t.removeAttribute('minlength'));
      await page.getByRole('button', { name: '递交入党申请书' }).click();
      await page.getByRole('alert').getByText(/入党申请书/).first().waitFor();
      await page.getByLabel('入党申请书').fill(letter);
      await page.getByRole('button', { name: '递交入党申请书' }).click();
      await page.getByTestId('apply-stage').getByText('入党申请人').waitFor();
      const next = page.getByTestId('apply-next-talked');
      await next.getByText('党组织派人谈话').waitFor();
      await next.getByText(/收到入党申请书后一个月内派人谈话/).waitFor();
      name = (await page.locator('.party-facts dd').first().innerText()).trim();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `party-apply-360-${backendName()}`);
    });
    await withPage(browser, 'party-apply-secretary', DESKTOP, async (page) => {
      await logIn(page, server.url, 'secretary');
      await page.goto(`${server.url}/party/pipeline`);
      const card = page.locator('article.duty-card').filter({ hasText: name }).filter({ hasText: '入党申请人' });
      await card.first().waitFor();
    });
  });
  test(`the committee sets up a branch and its secretary transfers a member in on a phone (${backendName()})`, async () => {
    const branch = '城关派出所第三党支部';
    let href = '';
    await withPage(browser, 'party-set-up-branch', DESKTOP, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/party`);
      const form = page.getByTestId('set-up-form');
      await form.scrollIntoViewIfNeeded();
      await form.getByLabel('组织名称').fill(branch);
      await page.locator('#so-unit').selectOption({ label: '城关派出所' });
      // A document number without its number is refused naming the rule; nothing is set up.
      await form.getByLabel('批准文号').fill('青公党文件');
      await form.getByRole('button', { name: '设立' }).click();
      await page.getByRole('alert').getByText(/须写明发文字号/).waitFor();
      await page.getByTestId('set-up-form').getByLabel('批准文号').fill('青公党〔2026〕21号');
      await page.getByTestId('set-up-form').getByRole('button', { name: '设立' }).click();
      await page.getByRole('heading', { name: branch }).waitFor();
      href = new URL(page.url()).pathname;
    });
    await withPage(browser, 'party-transfer-phone', SMALL, async (page) => {
      await logIn(page, server.url, 'secretary');
      // A member of 城关派出所党支部, by police number, from that branch's page.
      await page.goto(`${server.url}/party/branches/14`);
      const first = page.locator('tr[data-testid^="member-"]').first();
      const policeNo = (await first.locator('td').nth(1).innerText()).trim();
      await page.goto(`${server.url}${href}`);
      const form = page.getByTestId('transfer-form');
      await form.scrollIntoViewIfNeeded();
      await form.getByLabel('警号').fill(policeNo);
      await form.getByLabel('转接原因').fill('按卡点值守编组调整支部');
      await form.getByRole('button', { name: '组织关系转入本支部' }).click();
      await page.locator('tr[data-testid^="member-"]').filter({ hasText: policeNo }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `party-transfer-360-${backendName()}`);
    });
  });
  test(`a petition signed on paper is photographed, agreed for publication and written up by the editor (${backendName()})`, async () => {
    const text = '我自愿加入党员突击队，到城关卡点一线值守，纸质请战书已按手印。';
    await withPage(browser, 'party-petition-paper', SMALL, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(`${server.url}/party/petitions`);
      await page.getByLabel('请战内容').fill(text);
      await page.getByLabel('交通管控').check();
      await page.getByLabel('或拍照上传纸质请战书').setInputFiles({ name: '请战书.png', mimeType: 'image/png', buffer: png() });
      await page.locator('#pp-paper-preview:not([hidden])').waitFor();
      await page.getByLabel(/同意将本请战书作为先进事迹公开宣传/).check();
      await page.getByRole('button', { name: '递交请战书' }).click();
      await page.waitForURL((url) => url.searchParams.has('done'));
      const card = page.locator('article.duty-card').filter({ hasText: text });
      await card.getByText('已同意公开宣传').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `party-petition-paper-360-${backendName()}`);
    });
    await withPage(browser, 'party-petition-story', DESKTOP, async (page) => {
      await logIn(page, server.url, 'editor');
      await page.goto(`${server.url}/party/petitions`);
      const story = page.getByTestId('petition-stories').locator('article').filter({ hasText: text });
      await story.getByRole('button', { name: '写成宣传稿件' }).click();
      await page.waitForURL((url) => /^\/publicity\/\d+\/edit$/.test(url.pathname));
      const title = await page.locator('#title').inputValue();
      assert.match(title, /^请战书｜/);
      await screenshot(page, `party-petition-story-${backendName()}`);
    });
  });

  test(`the committee holds a meeting with its photo and sign-in sheet; a member checks in on a phone (${backendName()})`, async () => {
    // A demo account that is a party member, and its branch.
    let member;
    let branch;
    for (const who of ['duty', 'commander', 'checkpoint', 'supplies', 'editor']) {
      await withPage(browser, `party-who-${who}`, SMALL, async (page) => {
        if (member) return;
        await logIn(page, server.url, who);
        const me = await (await page.request.get(`${server.url}/api/party/me`)).json();
        if (me.member) {
          member = who;
          branch = me.member.branch_id;
        }
      });
      if (member) break;
    }
    assert.ok(member, 'a demo account that is a party member');
    const topic = '主题党日：卡点一线重温入党誓词（浏览器测试）';
    let meetingId;
    await withPage(browser, 'party-meeting-desk', DESK, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/party/branches/${branch}`);
      await page.locator('#pm-kind').selectOption('theme_day');
      await page.locator('#pm-topic').fill(topic);
      await page.locator('#pm-mode').selectOption('offline');
      await page.getByRole('button', { name: '召开会议' }).click();
      const item = page.locator('li[data-testid^="meeting-"]').filter({ hasText: topic });
      await item.getByTestId('meeting-qr').waitFor();
      meetingId = (await item.getAttribute('data-testid')).replace('meeting-', '');
      await item.locator('summary').click();
      const form = item.getByTestId('file-form');
      await form.locator('select[name="kind"]').selectOption('sign_in_sheet');
      await form.locator('input[type="file"]').setInputFiles({ name: '签到表.png', mimeType: 'image/png', buffer: png() });
      await form.getByRole('button', { name: '上传' }).click();
      const again = page.locator(`li[data-testid="meeting-${meetingId}"]`);
      const thumb = again.getByTestId('meeting-files').getByRole('img', { name: '签到表' });
      await thumb.scrollIntoViewIfNeeded();
      await thumb.evaluate((i) => (i.complete ? null : new Promise((ok) => { i.onload = ok; i.onerror = ok; })));
      assert.ok(await thumb.evaluate((i) => i.naturalWidth > 0), 'the sheet shows');
      await screenshot(page, `party-meeting-files-${backendName()}`);
    });
    await withPage(browser, 'party-meeting-check-in', SMALL, async (page) => {
      await logIn(page, server.url, member);
      await page.goto(`${server.url}/party/me#meeting-${meetingId}`);
      const card = page.locator(`#meeting-${meetingId}`);
      await card.getByRole('button', { name: '签到' }).click();
      await page.locator(`#meeting-${meetingId}`).getByTestId('checked-in').waitFor();
      await screenshot(page, `party-meeting-check-in-360-${backendName()}`);
    });
    await withPage(browser, 'party-meeting-attendance', DESK, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/party/branches/${branch}`);
      const item = page.locator(`li[data-testid="meeting-${meetingId}"]`);
      await item.getByTestId('meeting-attendance').getByText(/签到 1\//).waitFor();
      await screenshot(page, `party-meeting-desk-${backendName()}`);
    });
  });
});
