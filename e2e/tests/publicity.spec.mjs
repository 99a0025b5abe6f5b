// Publicity: an editor writes a story (with a hostile paste), the commander reviews and publishes
// it, and a reader without an account sees it on the public site, its 浏览次数 rising on reload.
// Screenshots of the public pages and the dashboard at desktop and 360 px phone width.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, launchBrowser, screenshot, withPage } from '../lib/browser.mjs';
import { DEMO_PASSWORD, backendName, startServer } from '../lib/server.mjs';

async function logIn(page, baseUrl, username) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('账号', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

function viewsOn(text) {
  const m = text.match(/浏览次数：\s*(\d+)/);
  assert.ok(m, `no 浏览次数 in: ${text.slice(0, 300)}`);
  return Number(m[1]);
}

describe(`publicity [${backendName()}]`, { timeout: 300_000 }, () => {
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

  test(`editor writes, reviewer publishes, reader reads (${backendName()})`, async () => {
    const title = '雪夜卡点上的一碗热汤';
    let articlePath = '';
    await withPage(browser, `publicity-editor-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'editor');
      await page.goto(`${server.url}/publicity/new`);
      await page.getByLabel('标题 *').fill(title);
      const editor = page.getByRole('textbox', { name: '正文 *' });
      await editor.click();
      await page.keyboard.type('凌晨两点，卡点民警接过群众送来的一碗热汤。');
      // An editor's paste carrying a script and an event handler.
      await page.evaluate(() => {
        const ed = document.querySelector('.pub-editor');
        ed.insertAdjacentHTML('beforeend', '<p onmouseover="alert(1)">第二段<script>alert(2)</script></p><a href="javascript:alert(3)">链接</a>');
        ed.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.getByLabel('报道人物（警号）').fill('510001');
      await page.getByRole('button', { name: '保存草稿' }).click();
      await page.waitForURL((url) => /^\/publicity\/\d+$/.test(url.pathname));
      articlePath = new URL(page.url()).pathname.replace('/publicity/', '/news/');
      const preview = await page.locator('.pub-preview').innerHTML();
      assert.ok(!/script|onmouseover|javascript/.test(preview), preview);
      assert.ok(preview.includes('第二段'), preview);
      await page.getByRole('button', { name: '提交审核' }).click();
      await page.getByText('待审', { exact: true }).first().waitFor();
      // The editor has no publish button.
      assert.equal(await page.getByRole('button', { name: '审核通过并发布' }).count(), 0);
    });

    // Not public before review.
    const before = await fetch(`${server.url}${articlePath}`);
    assert.equal(before.status, 404);

    await withPage(browser, `publicity-reviewer-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await logIn(page, server.url, 'commander');
      await page.goto(`${server.url}/publicity?status=review`);
      await page.getByRole('link', { name: title }).click();
      await page.getByLabel('审核意见').fill('内容属实，同意发布');
      await page.getByRole('button', { name: '审核通过并发布' }).click();
      await page.getByText('已发布', { exact: true }).first().waitFor();
      await page.getByText('commander：内容属实，同意发布').waitFor();
    });

    await withPage(browser, `publicity-reader-${backendName()}`, VIEWPORTS.phone, async (page) => {
      await page.goto(`${server.url}/news`);
      await page.getByRole('link', { name: title }).click();
      await page.waitForURL((url) => url.pathname === articlePath);
      await page.getByRole('heading', { name: title }).waitFor();
      const first = viewsOn(await page.locator('.news-meta').first().innerText());
      await page.reload();
      const second = viewsOn(await page.locator('.news-meta').first().innerText());
      assert.equal(second, first + 1, 'the count rises with each read');
      const text = await page.locator('main').innerText();
      assert.ok(text.includes('发布日期') && text.includes('信息来源') && text.includes('返回首页'), text);
      assert.equal(await page.locator('main script, main [onmouseover]').count(), 0);
      // Readable on a 360 px phone: nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
      await screenshot(page, `publicity-article-phone-${backendName()}`);
      await page.getByRole('link', { name: '返回首页' }).click();
      await page.waitForURL((url) => url.pathname === '/news');
      await screenshot(page, `publicity-home-phone-${backendName()}`);
    });

    await withPage(browser, `publicity-shots-${backendName()}`, VIEWPORTS.desktop, async (page) => {
      await page.goto(`${server.url}/news`);
      await screenshot(page, `publicity-home-desktop-${backendName()}`);
      await page.goto(`${server.url}/news/1`);
      await page.getByText('信息来源').waitFor();
      await screenshot(page, `publicity-article-desktop-${backendName()}`);
      await logIn(page, server.url, 'editor');
      await page.goto(`${server.url}/publicity/dashboard`);
      await page.getByTestId('total-reads').waitFor();
      assert.match(await page.getByTestId('total-reads').innerText(), /万$/);
      await screenshot(page, `publicity-dashboard-desktop-${backendName()}`);
    });
  });
});
