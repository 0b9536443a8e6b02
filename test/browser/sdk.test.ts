import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSite, openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildSdk } from './build.ts';
import { launchChromium } from './chromium.ts';

interface Row {
  message_id: string;
  type: string;
  event: string | null;
  name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  url: string | null;
  path: string | null;
  utm_source: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
}

let tdb: TestDatabase;
let server: TestServer;
let browser: Browser;
let site: { siteId: string; writeKey: string };
/** While true, the collector's ingest answers 503 (an outage); every refused POST is counted. */
let down = false;
let refused = 0;

beforeAll(async () => {
  browser = await launchChromium();
  await buildSdk(true);
  tdb = await openTestDatabase();
  server = await startTestServer(tdb.db, {
    wrap(app) {
      const front = new Hono();
      front.post('/v1/batch', async (c, next) => {
        if (!down) return next();
        refused++;
        return c.json({ error: { code: 'unavailable', message: 'outage' } }, 503, { 'Retry-After': '1' });
      });
      front.all('*', (c) => app.fetch(c.req.raw, c.env));
      return front;
    },
  });
  site = await newSite(tdb.db, [server.url]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tdb?.close();
});

async function rowsFor(anonymousId: string): Promise<Row[]> {
  return tdb.db.query<Row>(
    'select message_id, type, event, name, anonymous_id, user_id, url, path, utm_source, properties, traits, context from events where site_id = $1 and anonymous_id = $2 order by timestamp, id',
    [site.siteId, anonymousId],
  );
}

/** Polls until `check` passes (the SDK batches for up to 2 s, retries back off). */
async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (check(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function visitor(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page };
}

async function anonymousIdOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'ink_aid');
  if (!cookie) throw new Error('no ink_aid cookie');
  return cookie.value;
}

/** Opens a page and waits for the async script to run (an event before it loads is not captured). */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await loaded(page);
}
const loaded = (page: Page) => page.waitForFunction(() => (window as { inkling?: { l?: number } }).inkling?.l === 1);

const examples = (path = '') => `${server.url}/examples/${path}`;
const pages = (rows: Row[]) => rows.filter((r) => r.type === 'page');
const tracks = (rows: Row[], event: string) => rows.filter((r) => r.event === event);

describe('the SDK in Chromium, on the example site served by the collector', () => {
  it('should serve the example site with the snippet and the built script', async () => {
    const { context, page } = await visitor();
    const script = await page.request.get(`${server.url}/inkling.js`);
    expect(script.status()).toBe(200);
    expect(script.headers()['content-type']).toContain('javascript');
    await open(page, examples(`?key=${site.writeKey}`));
    const html = await page.content();
    expect(html).toContain(`data-key="${site.writeKey}"`);
    expect(html).toContain(`src="${server.url}/inkling.js"`);
    expect(await page.evaluate(() => typeof (window as { inkling?: { l?: number } }).inkling?.l)).toBe('number');
    await context.close();
  });

  it('should record a page view, then clicks on a button, a marked element and a link with their properties', async () => {
    const { context, page } = await visitor();
    await open(page, examples(`?key=${site.writeKey}`));
    await page.click('#hero-video');
    await page.click('#hero-pricing');
    await page.waitForURL(/pricing\.html$/);
    const aid = await anonymousIdOf(context);

    const rows = await eventually(
      () => rowsFor(aid),
      (r) => pages(r).length >= 2 && tracks(r, 'Element Clicked').length >= 2,
    );
    expect(pages(rows).map((r) => r.path)).toEqual(['/examples/', '/examples/pricing.html']);
    expect(pages(rows)[0]?.name).toBe('Acme Analytics — know who is ready to buy');
    const clicks = tracks(rows, 'Element Clicked').map((r) => r.properties);
    expect(clicks).toEqual([
      {
        kind: 'button',
        text: 'Watch the 2-minute video',
        id: 'hero-video',
        selector: 'button#hero-video',
        outbound: false,
        download: false,
      },
      {
        kind: 'link',
        text: 'See pricing',
        href: examples('pricing.html'),
        id: 'hero-pricing',
        selector: 'a#hero-pricing',
        outbound: false,
        download: false,
      },
    ]);
    const ctx = rows[0]?.context as Record<string, Record<string, unknown>>;
    expect(ctx.library).toEqual({ name: 'inkling', version: expect.any(String) });
    expect(rows.every((r) => r.user_id === null)).toBe(true);
    const cookie = (await context.cookies()).find((c) => c.name === 'ink_aid');
    expect(cookie).toMatchObject({ sameSite: 'Lax', path: '/', httpOnly: false });
    expect((cookie?.expires ?? 0) * 1000 - Date.now()).toBeGreaterThan(364 * 86_400_000);
    expect(await page.evaluate(() => localStorage.getItem('ink_aid'))).toBe(aid);
    await context.close();
  });

  it('should recognise an outbound link (new tab) and a download without changing the navigation', async () => {
    const { context, page } = await visitor();
    await context.route('https://www.example.org/**', (route) => route.fulfill({ body: 'elsewhere' }));
    await open(page, examples(`?key=${site.writeKey}`));
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('#outbound-docs')]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe('https://www.example.org/docs');
    expect(page.url()).toContain('/examples/');
    await open(page, examples('case-study.html'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#case-download')]);
    expect(download.suggestedFilename()).toBe('northwind-case-study.pdf');
    const aid = await anonymousIdOf(context);

    const rows = await eventually(
      () => rowsFor(aid),
      (r) => tracks(r, 'Element Clicked').length >= 2,
    );
    const [outbound, file] = tracks(rows, 'Element Clicked').map((r) => r.properties);
    expect(outbound).toMatchObject({
      kind: 'link',
      href: 'https://www.example.org/docs',
      outbound: true,
      download: false,
    });
    expect(file).toMatchObject({ kind: 'link', href: examples('assets/northwind-case-study.pdf'), download: true });
    await context.close();
  });

  it('should count one page view per SPA navigation: pushState, back (popstate), and no replaceState on the same path', async () => {
    const { context, page } = await visitor();
    await open(page, examples(`product.html?key=${site.writeKey}`));
    await page.click('#tab-scoring');
    await page.click('#tab-alerts');
    await page.goBack();
    await page.waitForURL(/tab=scoring/);
    // A framework rewriting state or the query in place is not a navigation.
    await page.evaluate(() => history.replaceState({ x: 1 }, '', `${location.pathname}?tab=scoring&sort=asc`));
    await page.evaluate(() => (window as unknown as { inkling: (m: string) => void }).inkling('flush'));
    const aid = await anonymousIdOf(context);

    const rows = await eventually(
      () => rowsFor(aid),
      (r) => pages(r).length >= 4,
    );
    // Anything more would have arrived with the flush above; give a late duplicate its chance.
    await new Promise((r) => setTimeout(r, 2500));
    const views = pages(await rowsFor(aid));
    const search = (r: Row) => {
      const u = new URL(r.url as string);
      u.searchParams.delete('key');
      return u.search;
    };
    expect(views.map(search)).toEqual(['', '?tab=scoring', '?tab=alerts', '?tab=scoring']);
    // The app sets the title before pushState: each view carries its own.
    expect(views.slice(0, 3).map((r) => r.name)).toEqual([
      'Product tour: overview — Acme Analytics',
      'Product tour: scoring — Acme Analytics',
      'Product tour: alerts — Acme Analytics',
    ]);
    expect(rows.length).toBe(new Set(rows.map((r) => r.message_id)).size);
    await context.close();
  });

  it('should send form starts and submits with field names only, identify by the marked email, and never a password', async () => {
    const { context, page } = await visitor();
    await open(page, examples(`demo.html?key=${site.writeKey}`));
    await page.fill('input[name=name]', 'Ada Lovelace');
    await page.fill('input[name=email]', 'ada@northwind.example');
    await page.fill('input[name=company]', 'Northwind Analytical Engines');
    await page.fill('input[name=password]', 'hunter2-SECRET');
    await page.click('#demo-submit');
    await page.waitForURL(/thanks\.html$/);
    const aid = await anonymousIdOf(context);

    const rows = await eventually(
      () => rowsFor(aid),
      (r) => pages(r).some((p) => p.path === '/examples/thanks.html'),
    );
    const fields = ['name', 'email', 'company', 'team_size', 'password'];
    const started = tracks(rows, 'Form Started');
    expect(started.map((r) => r.properties)).toEqual([
      { formId: 'demo-form', formName: 'demo', action: `${server.url}/demo-request`, fields },
    ]);
    expect(tracks(rows, 'Form Submitted').map((r) => r.properties)).toEqual([started[0]?.properties]);
    const identify = rows.filter((r) => r.type === 'identify');
    expect(identify.map((r) => [r.user_id, r.traits])).toEqual([
      ['ada@northwind.example', { email: 'ada@northwind.example' }],
    ]);
    // After the identify, the visitor is known on every event, the next page included.
    expect(pages(rows).at(-1)?.user_id).toBe('ada@northwind.example');

    const everything = JSON.stringify(rows);
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('Lovelace');
    expect(everything).not.toContain('Northwind Analytical');
    // The email leaves the page only as the identified user id and its trait.
    const withoutIdentity = JSON.stringify(rows.map((r) => ({ ...r, user_id: null, traits: {} })));
    expect(withoutIdentity).not.toContain('ada@northwind.example');
    await context.close();
  });

  it('should stitch a tracked-link landing and strip ink_lnk from the address bar and every URL sent', async () => {
    const { context, page } = await visitor();
    await open(page, examples(`pricing.html?key=${site.writeKey}&ink_lnk=lnk_4xYz&utm_source=newsletter`));
    await expect.poll(() => page.url()).not.toContain('ink_lnk');
    expect(page.url()).toContain('utm_source=newsletter');
    const aid = await anonymousIdOf(context);

    const rows = await eventually(
      () => rowsFor(aid),
      (r) => tracks(r, 'Tracked Link Landed').length === 1 && pages(r).length === 1,
    );
    expect(tracks(rows, 'Tracked Link Landed')[0]?.properties).toEqual({ link: 'lnk_4xYz' });
    expect(JSON.stringify(rows)).not.toContain('ink_lnk');
    // The SDK sends no context.campaign: the collector reads utm_* from the page URL.
    expect(pages(rows)[0]?.utm_source).toBe('newsletter');
    await context.close();
  });

  it('should deliver every event exactly once through a collector outage with a full page reload in the middle', {
    timeout: 90_000,
  }, async () => {
    const { context, page } = await visitor();
    down = true;
    refused = 0;
    try {
      await open(page, examples(`?key=${site.writeKey}`));
      await page.click('#hero-video');
      await page.click('#hero-pricing');
      await page.waitForURL(/pricing\.html$/);
      await loaded(page);
      await page.click('#roi-calculator');
      // The SDK has met the outage (503 + Retry-After) more than once before the reload.
      await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      await page.reload();
      await loaded(page);
      await page.click('#roi-calculator');
      await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
      const aid = await anonymousIdOf(context);
      expect(await rowsFor(aid)).toEqual([]);
      down = false;

      const expected = { pages: 3, clicks: 4 };
      const rows = await eventually(
        () => rowsFor(aid),
        (r) => pages(r).length >= expected.pages && tracks(r, 'Element Clicked').length >= expected.clicks,
        40_000,
      );
      // Retries and beacons repeat messages; a late duplicate would land within this wait.
      await page.evaluate(() => (window as unknown as { inkling: (m: string) => void }).inkling('flush'));
      await new Promise((r) => setTimeout(r, 3000));
      const final = await rowsFor(aid);
      expect(final.length).toBe(rows.length);
      expect(pages(final).map((r) => r.path)).toEqual([
        '/examples/',
        '/examples/pricing.html',
        '/examples/pricing.html',
      ]);
      expect(tracks(final, 'Element Clicked').map((r) => r.properties.id)).toEqual([
        'hero-video',
        'hero-pricing',
        'roi-calculator',
        'roi-calculator',
      ]);
      expect(final.length).toBe(expected.pages + expected.clicks);
    } finally {
      down = false;
      await context.close();
    }
  });
});
