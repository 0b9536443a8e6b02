import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedSite } from '../../collector/sites.ts';
import { newDashboardUser } from '../helpers/dashboard.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { intentClient, mid, page as pageView, track } from '../helpers/intent.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

/** Screenshots of each page at each width, kept by CI as artifacts (gitignored). */
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;

let tdb: TestDatabase;
let server: TestServer;
let browser: Browser;
let site: CreatedSite;
let user: Awaited<ReturnType<typeof newDashboardUser>>;
let hotId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  tdb = await openTestDatabase();
  server = await startTestServer(tdb.db);
  site = await newSite(tdb.db);
  const api = intentClient(server.collector, site);
  for (const name of ['ana', 'bo', 'cy']) {
    const anon = `${name}-browser`;
    await api.sendAsServer([
      {
        type: 'identify',
        messageId: mid(),
        anonymousId: anon,
        userId: `${name}@northwind.example`,
        traits: { email: `${name}@northwind.example`, name },
      },
      {
        type: 'group',
        messageId: mid(),
        anonymousId: anon,
        userId: `${name}@northwind.example`,
        groupId: 'northwind',
        traits: { name: 'Northwind Traders', domain: 'northwind.example' },
      },
      pageView(anon, '/pricing'),
      pageView(anon, '/case-studies/acme'),
      track({ anonymousId: anon }, 'Demo Requested'),
    ]);
  }
  const [hot] = await tdb.db.query<{ id: string }>(
    "select account_id as id from account_scores where site_id = $1 and tier = 'high'",
    [site.siteId],
  );
  if (!hot) throw new Error('the seeded account is not High');
  hotId = hot.id;
  user = await newDashboardUser(tdb.db, site.siteId, 'rep');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await server?.collector.drain();
  await tdb?.close();
});

/** A fresh browser context at a width; every console error and CSP refusal is recorded. */
async function openPage(viewport: (typeof VIEWPORTS)[keyof typeof VIEWPORTS]) {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return { context, page, problems };
}

async function signIn(page: Page) {
  await page.goto(`${server.url}/dashboard`);
  expect(new URL(page.url()).pathname).toBe('/dashboard/login');
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForURL(`${server.url}/dashboard`), page.click('button[type="submit"].primary')]);
}

/** Two contexts, four pages, screenshots: generous on a loaded machine (the test never measures time). */
const BROWSER_TIMEOUT = 180_000;

describe.each(Object.entries(VIEWPORTS))('the dashboard in Chromium (%s)', (width, viewport) => {
  it(
    'should sign in, show the hot account on Today with a drawn chart, show the model, and sign out',
    async () => {
      const { context, page, problems } = await openPage(viewport);
      try {
        await page.goto(`${server.url}/dashboard/login`);
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-login-${width}.png`), fullPage: true });
        await signIn(page);

        const hot = page.locator(`#list-high a[href="/dashboard/accounts/${hotId}"]`);
        await expect.poll(() => hot.count()).toBe(1);
        expect(await hot.textContent()).toBe('Northwind Traders');
        // uPlot drew both charts into canvases; numbers are in the visitor's locale (de-DE).
        await page.locator('#chart-volume canvas').waitFor({ timeout: 60_000 });
        await page.locator('#chart-average canvas').waitFor({ timeout: 60_000 });
        expect(await page.locator('#chart-volume .u-legend').textContent()).toContain('Page visits');
        expect(await page.locator('html').getAttribute('class')).toContain('js');
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-today-${width}.png`), fullPage: true });

        await page.goto(`${server.url}/dashboard/model`);
        expect(await page.locator('h1').textContent()).toBe('Scoring model');
        expect(await page.locator('table.catalogue').first().isVisible()).toBe(true);
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-model-${width}.png`), fullPage: true });
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-model-${width}-top.png`) });

        await page.fill('input[name="q"]', 'northwind');
        await Promise.all([
          page.waitForURL(/\/dashboard\/search\?q=northwind/),
          page.press('input[name="q"]', 'Enter'),
        ]);
        expect(await page.locator(`a[href="/dashboard/accounts/${hotId}"]`).count()).toBe(1);

        await Promise.all([page.waitForURL(`${server.url}/dashboard/login`), page.click('form.signout button')]);
        await page.goto(`${server.url}/dashboard`);
        expect(new URL(page.url()).pathname).toBe('/dashboard/login');
        // No CSP refusal, no script error on any page.
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );
});
