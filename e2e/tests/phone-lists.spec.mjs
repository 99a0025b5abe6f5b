// On a 360-px phone the checkpoint list, the fever list, the recall list and the party branch lists show every column of a
// row as a labelled line of a card: the status, the deadline and the actions are on screen, not
// cut off to the right of a table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, annotate, launchBrowser, withPage } from '../lib/browser.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { logIn } from '../lib/login.mjs';

const LISTS = [
  { path: '/checkpoints', table: '#cp-table table', must: ['状态', '操作'] },
  { path: '/checkpoints/fever', table: '[data-testid="fever-cases"]', must: ['状态'] },
  { path: '/recall', table: '[data-testid="recall-orders"]', must: ['状态', '到岗时限'] },
  { path: '/party', table: '[data-testid="party-branches"]', must: ['一线党员', '本季度党员大会'] },
  { path: '/party', table: '[data-testid="party-temporary"]', must: ['状态', '批准文号'] },
];

describe(`lists on a phone [${backendName()}]`, { timeout: 180_000 }, () => {
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

  const viewport = VIEWPORTS.phone;
  const name = `checkpoint, fever, recall and party lists as cards (${viewport.width}x${viewport.height}, ${backendName()})`;
  test(name, async () => {
    await withPage(browser, name, viewport, async (page) => {
      await logIn(page, server.url, 'commander');
      for (const list of LISTS) {
        await page.goto(`${server.url}${list.path}`);
        const row = page.locator(`${list.table} tbody tr`).first();
        await row.waitFor({ state: 'visible' });
        const cells = await row.locator('td').evaluateAll((tds) =>
          tds.map((td) => {
            const r = td.getBoundingClientRect();
            return { label: td.dataset.label || '', left: r.left, right: r.right, shown: r.width > 0 && r.height > 0 };
          }),
        );
        try {
          for (const label of list.must) {
            const cell = cells.find((c) => c.label.includes(label));
            assert.ok(cell, `a cell labelled ${label}`);
            assert.ok(cell.shown && cell.left >= 0 && cell.right <= viewport.width + 1, `${label} is on screen`);
          }
          for (const c of cells) assert.ok(c.right <= viewport.width + 1, `${c.label} ends within the screen`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= viewport.width + 1, `no sideways scrolling (${wide} px)`);
        } catch (err) {
          throw annotate(err, `\n  page: ${list.path}\n  cells: ${JSON.stringify(cells)}`);
        }
      }
    });
  });
});
