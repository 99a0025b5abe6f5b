// Screenshots of the main pages at desktop (1280x800) and phone (360x740) size, for reviews and the README.
//   node e2e/tools/screenshots.mjs [OUT_DIR] [PATH ...]     (default OUT_DIR /tmp/shots; default paths below)
// A PATH may also be @search (the people list searched for its first name) or @person (that person's page).
// Starts its own demo server (BASTION_E2E_DATABASE selects PostgreSQL, as in the specs), logs in as
// commander, and also reports each page's horizontal overflow, console errors and failed requests.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { VIEWPORTS, launchBrowser, newPage } from '../lib/browser.mjs';
import { DEMO_PASSWORD, startServer } from '../lib/server.mjs';

const outDir = path.resolve(process.argv[2] || '/tmp/shots');
const pages =
  process.argv.length > 3
    ? process.argv.slice(3)
    : ['/', '/org/people', '@search', '@person', '/org/units', '/org/transfer', '/operations', '/system/audit', '/api-docs', '/no-such-page'];
await mkdir(outDir, { recursive: true });

const server = await startServer();
const browser = await launchBrowser();
try {
  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    const page = await newPage(browser, viewport);
    const problems = [];
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    page.on('response', (res) => res.status() >= 400 && problems.push(`HTTP ${res.status()}: ${res.url()}`));

    const shoot = async (name) => {
      const file = path.join(outDir, `${viewportName}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const scrollWidth = await page.evaluate(() => document.scrollingElement.scrollWidth);
      const overflow = scrollWidth > viewport.width + 1 ? `  OVERFLOW scrollWidth=${scrollWidth}` : '';
      console.log(`${file}  ${page.url()}  title=${JSON.stringify(await page.title())}${overflow}`);
    };

    await page.goto(`${server.url}/login`);
    await shoot('login');
    try {
      await page.getByLabel('账号', { exact: true }).fill('commander');
      await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 });
    } catch (err) {
      console.log(`login failed (${viewportName}): ${err.message.split('\n')[0]}`);
    }
    for (const p of pages) {
      try {
        if (p === '@search' || p === '@person') {
          await page.goto(`${server.url}/org/people`);
          const first = page.locator('table tbody tr').first().locator('.name').first();
          const name = (await first.innerText()).trim();
          if (p === '@search') {
            await page.getByLabel('姓名', { exact: true }).fill(name);
            await page.getByRole('button', { name: '搜索', exact: true }).click();
            await page.waitForLoadState('networkidle');
          } else {
            await first.getByRole('link').first().click();
            await page.waitForLoadState('networkidle');
          }
          await shoot(p.slice(1));
          continue;
        }
        await page.goto(`${server.url}${p}`);
        await shoot(p === '/' ? 'home' : p.replace(/^\//, '').replace(/[^\w]+/g, '-'));
      } catch (err) {
        console.log(`${viewportName} ${p}: ${err.message.split('\n')[0]}`);
      }
    }
    for (const problem of new Set(problems)) console.log(`  ${viewportName}: ${problem}`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.stop();
}
