// The first browser test: log in, open the people list, search a name, see the person.
// Runs on SQLite by default and on PostgreSQL when BASTION_E2E_DATABASE is set (scripts/test-all.sh does both).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VIEWPORTS, annotate, launchBrowser, withPage } from '../lib/browser.mjs';
import { backendName, startServer } from '../lib/server.mjs';
import { logIn } from '../lib/login.mjs';

const TOTAL_STAFF = '956'; // the demo bureau's staff count (shared/domain.md)

// Rows of the people list: table rows, or on a phone the card list if the page swaps the table for cards.
const PEOPLE_ROWS = 'table tbody tr:visible, [data-testid="person-card"]:visible';

/** Waits until the list shows only rows containing `name` and the total is >= 1 (the search is an htmx swap or a reload). */
async function waitForSearchResult(page, name) {
  try {
    await page.waitForFunction(
      (name) => {
        const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const rows = [...document.querySelectorAll('table tbody tr, [data-testid="person-card"]')].filter(visible);
        const total = document.querySelector('[data-testid="total"]');
        const count = Number((total?.textContent.match(/\d[\d,]*/)?.[0] ?? '0').replace(/,/g, ''));
        return rows.length > 0 && rows.every((r) => r.textContent.includes(name)) && count >= 1;
      },
      name,
    );
  } catch (err) {
    const rows = await page.locator(PEOPLE_ROWS).allInnerTexts();
    const total = await page.getByTestId('total').innerText().catch(() => '(no [data-testid=total])');
    throw annotate(err, `\n  searched: ${name}\n  total: ${total}\n  rows: ${JSON.stringify(rows.slice(0, 10))}`);
  }
}

describe(`people search [${backendName()}]`, { timeout: 180_000 }, () => {
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

  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    const name = `log in, search a name, see the person (${viewportName} ${viewport.width}x${viewport.height}, ${backendName()})`;

    test(name, async () => {
      await withPage(browser, name, viewport, async (page) => {
        await logIn(page, server.url, 'commander');

        // Home (首页) shows the bureau's key counts, the staff total among them.
        await page.getByText(new RegExp(`(^|\\D)${TOTAL_STAFF}(\\D|$)`)).first().waitFor({ state: 'visible' });

        // The people list, from the left menu on a desktop; a phone may hide the menu behind a toggle.
        const menuLink = page.getByRole('link', { name: '人员管理', exact: true });
        if (viewportName === 'desktop') {
          await menuLink.click();
          await page.waitForURL((url) => url.pathname === '/org/people');
        } else {
          assert.ok((await menuLink.count()) > 0, 'the menu has a link 人员管理');
          await page.goto(`${server.url}/org/people`);
        }

        const firstName = page.locator(PEOPLE_ROWS).first().locator('.name').first();
        const personName = (await firstName.innerText()).trim();
        assert.ok(personName.length > 0, 'the first row has a name');

        await page.getByLabel('姓名', { exact: true }).fill(personName);
        await page.getByRole('button', { name: '搜索', exact: true }).click();
        await waitForSearchResult(page, personName);

        const rows = await page.locator(PEOPLE_ROWS).allInnerTexts();
        assert.ok(rows.length >= 1);
        for (const row of rows) assert.ok(row.includes(personName), `row ${JSON.stringify(row)} contains ${personName}`);
        const total = Number(((await page.getByTestId('total').innerText()).match(/\d[\d,]*/)?.[0] ?? '0').replace(/,/g, ''));
        assert.ok(total >= 1, `total ${total} >= 1`);

        if (viewportName === 'phone') {
          await page.locator('table:visible, [data-testid="person-card"]:visible').first().waitFor({ state: 'visible' });
          const scrollWidth = await page.evaluate(() => document.scrollingElement.scrollWidth);
          assert.ok(scrollWidth <= viewport.width + 1, `no horizontal page scroll: scrollWidth ${scrollWidth} <= ${viewport.width + 1}`);
        }
      });
    });
  }
});
