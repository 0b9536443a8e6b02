import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedSite } from '../../collector/sites.ts';
import { calibrationReport } from '../helpers/calibration-report.ts';
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
  server = await startTestServer(tdb.db, { calibration: async () => calibrationReport() });
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

/** One rule with a delivered firing for the rules page (created once, for both widths). */
let ruleReady: Promise<void> | undefined;
function seedRule(): Promise<void> {
  ruleReady ??= (async () => {
    const res = await server.collector.app.request('/v1/rules', {
      method: 'POST',
      headers: { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Account turns High',
        subject: 'account',
        when: { type: 'threshold', tier: 'high' },
        actions: [{ type: 'webhook', url: 'https://hooks.example/inkling' }],
        holdout: 0.1,
      }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/rules answered ${res.status}`);
    const { id } = (await res.json()) as { id: string };
    await tdb.db.query(
      `insert into firings (site_id, id, rule_id, subject_kind, subject_id, change_key, outcome, payload, fired_at)
       values ($1, 'msg_browser_1', $2, 'account', $3, 'browser:1', 'fired', '{}'::jsonb, now())`,
      [site.siteId, id, hotId],
    );
    // Not due: no dispatcher sends it.
    await tdb.db.query(
      `insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, status, attempts, give_up_at,
         next_attempt_at, last_status, delivered_at)
       values ($1, $2, 'msg_browser_1', 'msg_browser_1', 'webhook', 'https://hooks.example/inkling', 'delivered', 1,
         now() + interval '2 days', now() + interval '1 day', 204, now())`,
      [site.siteId, id],
    );
  })();
  return ruleReady;
}

describe.each(Object.entries(VIEWPORTS))('the dashboard in Chromium (%s)', (width, viewport) => {
  it(
    'should open the hot account from Today, draw its score chart, show its timeline, follow a contact, and show the rules',
    async () => {
      await seedRule();
      const { context, page, problems } = await openPage(viewport);
      try {
        await signIn(page);
        const hot = page.locator(`#list-high a[href="/dashboard/accounts/${hotId}"]`);
        await Promise.all([page.waitForURL(`${server.url}/dashboard/accounts/${hotId}`), hot.click()]);
        expect(await page.locator('h1').textContent()).toBe('Northwind Traders');
        await page.locator('#chart-history canvas').waitFor({ timeout: 60_000 });
        expect(await page.locator('#chart-history .u-legend').textContent()).toContain('Score');
        expect(await page.locator('.timeline > li').count()).toBeGreaterThanOrEqual(12);
        expect(await page.locator('.timeline').textContent()).toContain('Demo Requested');
        expect(await page.locator('svg.gauge').isVisible()).toBe(true);
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-account-${width}.png`), fullPage: true });

        const contact = page.locator('table.contacts a', { hasText: 'ana' });
        await Promise.all([page.waitForURL(/\/dashboard\/people\/per_/), contact.click()]);
        expect(await page.locator('h1').textContent()).toBe('ana');
        expect(await page.locator('#h-why').isVisible()).toBe(true);
        await page.locator('#chart-history canvas').waitFor({ timeout: 60_000 });
        expect(await page.locator(`a[href="/dashboard/accounts/${hotId}"]`).count()).toBeGreaterThanOrEqual(1);
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-person-${width}.png`), fullPage: true });

        await Promise.all([
          page.waitForURL(`${server.url}/dashboard/rules`),
          page.click('nav a[href="/dashboard/rules"]'),
        ]);
        expect(await page.locator('table.rules').textContent()).toContain('Account turns High');
        expect(await page.locator('table.deliveries').textContent()).toContain('hooks.example');
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-rules-${width}.png`), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );

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

        // The Model page links to the calibration page (a hand-written report): its wide tables
        // scroll inside their cards, so the page itself never scrolls sideways on a phone.
        await Promise.all([
          page.waitForURL(`${server.url}/dashboard/calibration`),
          page.click('main a[href="/dashboard/calibration"]'),
        ]);
        expect(await page.locator('h1').textContent()).toBe('Calibration');
        expect(await page.locator('table.lift tr.too-small').textContent()).toContain('too few to say');
        expect(await page.locator('pre.proposal').textContent()).toContain('"pointsForHalf": 40');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-calibration-${width}.png`), fullPage: true });

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
