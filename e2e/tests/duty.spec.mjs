// Duty (值班) in a real Chromium: the demo officer, on a 360 px phone, finds the shift running now
// on "my shifts" and signs in; the post's board, seen by the HQ duty officer, shows them present.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { logIn } from '../lib/login.mjs';
import { backendName, startServer } from '../lib/server.mjs';

const SMALL = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

describe(`duty [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`an officer signs in on a 360 px phone and the board shows them present (${backendName()})`, async () => {
    let shift;
    await withPage(browser, 'duty-officer-sign-in', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      // The left menu leads to "my shifts".
      await page.goto(`${server.url}/duty/my`);
      await page.getByRole('heading', { name: '我的班次' }).waitFor();
      const card = page.locator('article.duty-card').first();
      await card.waitFor();
      await card.getByText('未签到').waitFor();
      await card.getByText('当班中').waitFor();
      const mine = await (await page.request.get(`${server.url}/api/duty/my-shifts`)).json();
      shift = mine[0];
      assert.ok(shift, 'the demo officer has a shift running now');
      await card.getByRole('button', { name: '签到' }).click();
      await page.waitForURL((url) => url.pathname === '/duty/my');
      await card.getByText('在岗').waitFor();
      await card.getByRole('button', { name: '签退' }).waitFor();
      // Nothing spills sideways on a small phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await screenshot(page, `duty-my-shifts-360-${backendName()}`);
      // The post's sign-in code opens the same shift there, signed in, with the sign-out button.
      await page.goto(`${server.url}/duty/posts/${shift.post_id}/here`);
      await page.getByTestId('here-state').getByText('在岗').waitFor();
      await page.getByRole('button', { name: '签退' }).waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 1, `sign-in code page wider than the screen by ${wide}px`);
      await screenshot(page, `duty-post-code-360-${backendName()}`);
    });
    await withPage(browser, 'duty-board-present', DESKTOP, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(`${server.url}/duty`);
      await page.getByRole('link', { name: shift.post_name }).click();
      await page.waitForURL((url) => url.pathname === `/duty/posts/${shift.post_id}`);
      await page.goto(`${server.url}/duty/posts/${shift.post_id}?day=${shift.day}`);
      const block = page.getByTestId(`duty-shift-${shift.shift}`);
      const row = page.getByTestId(`duty-row-${shift.id}`);
      await row.getByText('在岗').waitFor();
      assert.ok(Number(await block.getByTestId('present').textContent()) >= 1);
      await screenshot(page, `duty-board-${backendName()}`);
    });
  });
  test(`the duty officer generates, edits and publishes a roster at 1366 px (${backendName()})`, async () => {
    await withPage(browser, 'duty-roster', { width: 1366, height: 900 }, async (page) => {
      await logIn(page, server.url, 'duty');
      const posts = await (await page.request.get(`${server.url}/api/duty/posts`)).json();
      const post = posts.find((p) => p.kind === 'checkpoint');
      await page.goto(`${server.url}/duty/rosters`);
      await page.getByRole('heading', { name: '排班表' }).waitFor();
      const form = page.getByTestId('roster-generate');
      await form.getByLabel('所属单位').selectOption(String(post.unit_id));
      await form.getByLabel('天数（1–31）').fill('7');
      await form.getByLabel('计算时间上限（秒）').fill('2');
      await form.getByRole('button', { name: '生成草稿' }).click();
      await page.waitForURL((url) => /^\/duty\/rosters\/\d+$/.test(url.pathname));
      await page.getByTestId('roster-status').getByText('草稿').waitFor();
      assert.equal((await page.getByTestId('roster-short').locator('.num').textContent()).trim(), '0', 'no shift short');
      // The grid: the post's people, a mark on each worked day; open a worked cell.
      const grid = page.getByTestId('roster-grid');
      const worked = grid.locator('td a', { hasNotText: '·' }).first();
      await worked.click();
      const cell = page.getByTestId('roster-cell');
      await cell.waitFor();
      assert.match(await cell.textContent(), /需要 \d+ 人，已排 \d+ 人/, 'the cell says why the person works it');
      // Give that person the day off instead; a broken rule needs a reason, which is then given.
      await cell.getByLabel('班次').selectOption({ label: '休息' });
      await cell.getByRole('button', { name: /保\s*存/ }).click();
      await page.getByTestId('roster-cell').waitFor();
      if (await page.getByRole('alert').count()) {
        await page.getByTestId('roster-edit').getByLabel('例外理由').fill('临时调整，已电话确认');
        await page.getByTestId('roster-edit').getByRole('button', { name: /保\s*存/ }).click();
        await page.getByTestId('roster-cell').waitFor();
      }
      assert.equal(await grid.locator('td.changed').count(), 1, 'the changed cell is marked in the grid');
      assert.notEqual((await page.getByTestId('roster-short').locator('.num').textContent()).trim(), '', 'figures shown');
      await screenshot(page, `duty-roster-${backendName()}`);
      await page.getByTestId('roster-publish').click();
      await page.getByTestId('roster-notice').getByText('已发布').waitFor();
      await page.getByTestId('roster-status').getByText('已发布').waitFor();
      // On a 360 px phone the grid scrolls inside its frame; the page itself does not spill sideways.
      await page.setViewportSize({ width: 360, height: 740 });
      await page.reload();
      await page.getByTestId('roster-grid').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `roster page wider than a 360 px screen by ${overflow}px`);
      await screenshot(page, `duty-roster-360-${backendName()}`);
      await page.setViewportSize({ width: 1366, height: 900 });
      // The published shifts are on the post's board for the roster's first day.
      const first = new URL(page.url()).pathname.split('/').pop();
      const view = await (await page.request.get(`${server.url}/api/duty/rosters/${first}`)).json();
      await page.goto(`${server.url}/duty/posts/${post.id}?day=${view.roster.first_day}`);
      const rostered = await page.getByTestId('rostered').allTextContents();
      assert.ok(rostered.map(Number).reduce((a, b) => a + b, 0) > 0, `shifts on the board: ${rostered}`);
    });
  });
  test(`the command chart, a handover on the phone and a swap request (${backendName()})`, async () => {
    // The commander sees the operation's chart and puts someone in a work group.
    await withPage(browser, 'duty-command', { width: 1366, height: 900 }, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/duty/command`);
      const chart = page.getByTestId('org-chart');
      await chart.getByRole('heading', { name: '疫情防控工作领导小组' }).waitFor();
      assert.equal(await chart.locator('article.org-work').count(), 10, 'ten work groups');
      const box = chart.locator('article', { has: page.getByRole('heading', { name: '信息研判组' }) });
      const before = await box.locator('.org-people li').count();
      const people = await (await page.request.get(`${server.url}/api/people?size=1`)).json();
      await box.getByText('编入人员').click();
      await box.getByLabel('警号').fill(people.items[0].police_no);
      await box.getByRole('button', { name: '编入' }).click();
      await page.waitForURL((url) => url.pathname === '/duty/command');
      assert.equal(await box.locator('.org-people li').count(), before + 1, 'the person is in the group');
      await screenshot(page, `duty-command-${backendName()}`);
    });
    // The officer hands over their running shift on a phone; the HQ duty officer takes it over.
    let handover;
    await withPage(browser, 'duty-handover', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      const mine = await (await page.request.get(`${server.url}/api/duty/my-shifts`)).json();
      const now = Date.now();
      const shift = mine.find((a) => a.starts_at <= now && now < a.ends_at);
      handover = `${server.url}/duty/posts/${shift.post_id}/handover?day=${shift.day}&shift=${encodeURIComponent(shift.shift)}`;
      await page.goto(handover);
      await page.getByTestId('handover-state').getByText('未交班').waitFor();
      await page.getByText('人员：应到').waitFor();
      await page.getByLabel('交班说明').fill('东侧护栏待修，已报修，请接班人跟进');
      await page.getByRole('button', { name: '交班' }).click();
      await page.getByTestId('handover-state').getByText('待接班确认').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `handover page wider than the screen by ${overflow}px`);
      await screenshot(page, `duty-handover-360-${backendName()}`);
      // The swaps page opens from the phone too.
      await page.goto(`${server.url}/duty/swaps`);
      await page.getByRole('heading', { name: '换班', exact: true }).waitFor();
    });
    await withPage(browser, 'duty-handover-ack', DESKTOP, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(handover);
      await page.getByRole('button', { name: '确认接班' }).click();
      await page.getByTestId('handover-state').getByText('已接班').waitFor();
    });
  });

  test(`the desk calls a meeting and assigns a decision; the officer checks in and reports it done on a phone (${backendName()})`, async () => {
    let policeNo;
    await withPage(browser, 'meeting-officer-who', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      const me = await (await page.request.get(`${server.url}/api/me`)).json();
      policeNo = (await (await page.request.get(`${server.url}/api/people/${me.person_id}`)).json()).police_no;
    });
    const title = '卡点防控调度会';
    const task = '核查城关卡点测温枪校准情况';
    let meetingUrl;
    await withPage(browser, 'meeting-call', { width: 1366, height: 900 }, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(`${server.url}/duty/meetings`);
      await page.getByRole('heading', { name: /调度会/ }).first().waitFor();
      const form = page.getByTestId('meeting-form');
      await form.getByLabel('会议名称').fill(title);
      await form.getByLabel('地点').fill('指挥部三楼会议室');
      await form.getByLabel('信息研判组').check();
      await form.getByLabel(/其他参会人员/).fill(policeNo);
      await form.getByRole('button', { name: '发出会议通知' }).click();
      await page.waitForURL((url) => /^\/duty\/meetings\/\d+$/.test(url.pathname));
      meetingUrl = page.url();
      await page.getByRole('heading', { name: title }).waitFor();
      // A decision for the officer, due tomorrow.
      await page.getByText('新增决定事项').click();
      const decision = page.getByTestId('decision-form');
      await decision.getByLabel('事项').fill(task);
      await decision.getByLabel('责任人').fill(policeNo);
      const due = new Date(Date.now() + 8 * 3600_000 + 24 * 3600_000).toISOString().slice(0, 16);
      await decision.getByLabel('办理时限').fill(due);
      await decision.getByRole('button', { name: '交办' }).click();
      await page.getByTestId('decisions').getByRole('link', { name: task }).waitFor();
      await screenshot(page, `duty-meeting-desk-${backendName()}`);
    });
    await withPage(browser, 'meeting-check-in', SMALL, async (page) => {
      await logIn(page, server.url, 'officer');
      // The home page's to-do leads to the meeting; one tap checks in.
      await page.getByRole('link', { name: new RegExp(title) }).click();
      await page.waitForURL((url) => url.href === meetingUrl);
      await page.getByRole('button', { name: '我已到会，签到' }).click();
      await page.getByTestId('my-check-in').getByText('您已签到').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `meeting page wider than the screen by ${overflow}px`);
      await screenshot(page, `duty-meeting-360-${backendName()}`);
      // The task from the meeting: reported done in two lines.
      await page.getByTestId('decisions').getByRole('link', { name: task }).click();
      await page.getByLabel('进展或办结情况').fill('已逐台校准\n误差均在 0.2 ℃ 以内');
      await page.getByRole('button', { name: '报告办结' }).click();
      await page.getByTestId('task-status').getByText('已办结').waitFor();
      const trail = await page.getByTestId('task-trail').innerText();
      assert.match(trail, /已逐台校准\n误差均在 0.2 ℃ 以内/, trail);
      await screenshot(page, `duty-task-done-360-${backendName()}`);
    });
    await withPage(browser, 'meeting-attendance', DESKTOP, async (page) => {
      await logIn(page, server.url, 'duty');
      await page.goto(meetingUrl);
      const attendance = (await page.getByTestId('attendance').textContent()).trim();
      assert.match(attendance, /^1\/\d+$/, attendance);
    });
  });
});
