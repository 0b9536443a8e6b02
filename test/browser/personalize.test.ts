import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_MS } from '../../sdk/snippet.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildSdk } from './build.ts';
import { launchChromium } from './chromium.ts';

// The example home page shows one hero per tier (#hero-low, #hero-medium, #hero-high, by
// data-inkling-show). A sampler started before any page script records, on every animation
// frame, which of them the frame is about to paint; no frame may ever paint the wrong one.
// The head snippet's fallback timer is held by the test (never by the clock), so what the
// tests show does not depend on how fast the machine is: a tier shown while the fallback is
// still held came from the collector or the cache; the fallback, once released, shows low.

type Hero = 'low' | 'medium' | 'high';
interface Frame {
  /** ms since navigation start */
  t: number;
  /** All three heroes are parsed (the last one exists). */
  parsed: boolean;
  /** The heroes this frame paints (laid out, not hidden). */
  shown: Hero[];
  html: string;
}

let tdb: TestDatabase;
let server: TestServer;
let browser: Browser;
let site: Awaited<ReturnType<typeof newSite>>;
/** `hang`: /inkling.js and /v1/* never answer (a collector that is down, seen from the page). `refuse`: /v1/* answers 503. */
let outage: 'hang' | 'refuse' | null = null;
const held: (() => void)[] = [];
/** Requests refused during a 'refuse' outage. */
let refused = 0;

beforeAll(async () => {
  browser = await launchChromium();
  await buildSdk(true);
  tdb = await openTestDatabase();
  server = await startTestServer(tdb.db, {
    wrap(app) {
      const front = new Hono();
      front.all('*', async (c) => {
        const { pathname } = new URL(c.req.url);
        const collector = pathname === '/inkling.js' || pathname.startsWith('/v1/');
        if (outage === 'hang' && collector) {
          await new Promise<void>((resolve) => held.push(resolve));
          return c.body(null, 503);
        }
        if (outage === 'refuse' && pathname.startsWith('/v1/')) {
          refused++;
          return c.json({ error: { code: 'unavailable', message: 'outage' } }, 503, { 'Retry-After': '30' });
        }
        return app.fetch(c.req.raw, c.env);
      });
      return front;
    },
  });
  site = await newSite(tdb.db, [server.url]);
  // A warm collector (the first ingest of a process compiles and plans a lot): the timings
  // below are about the page, not a cold start.
  await history(`warm${randomUUID()}`, [{ type: 'page', properties: { path: '/pricing' } }]);
  for (const path of ['/inkling.js', `/examples/?key=${site.writeKey}`]) await (await fetch(server.url + path)).text();
});

afterAll(async () => {
  for (const release of held.splice(0)) release();
  await browser?.close();
  await server?.close();
  await tdb?.close();
});

/**
 * Records every animation frame from before the first one; read with `frames()`. Also holds
 * the head snippet's fallback timer (the one that sets `inkling-tier-low`) until the test calls
 * `__releaseFallback()`, and records the delay the snippet asked for.
 */
function sampler() {
  const w = window as unknown as {
    __frames: unknown[];
    __fallback: { delay: number; fire: (() => void) | null } | null;
    __releaseFallback: () => void;
  };
  w.__frames = [];
  w.__fallback = null;
  const nativeSetTimeout = window.setTimeout;
  window.setTimeout = ((fn: TimerHandler, delay?: number, ...args: unknown[]) => {
    if (typeof fn === 'function' && String(fn).includes('inkling-tier-low') && !w.__fallback) {
      w.__fallback = { delay: delay ?? 0, fire: () => (fn as () => void)() };
      return 0;
    }
    return nativeSetTimeout(fn, delay, ...args);
  }) as typeof window.setTimeout;
  w.__releaseFallback = () => {
    const fire = w.__fallback?.fire;
    if (w.__fallback) w.__fallback.fire = null;
    fire?.();
  };
  const painted = (id: string) => {
    const el = document.getElementById(id);
    if (!el) return false;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility === 'visible' && r.width > 0 && r.height > 0;
  };
  const sample = () => {
    w.__frames.push({
      t: performance.now(),
      parsed: !!document.getElementById('hero-high'),
      shown: (['low', 'medium', 'high'] as const).filter((h) => painted(`hero-${h}`)),
      html: document.documentElement.className,
    });
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}

async function visitor(anonymousId?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  if (anonymousId) await context.addCookies([{ name: 'ink_aid', value: anonymousId, url: server.url }]);
  const page = await context.newPage();
  await page.addInitScript(sampler);
  return { context, page };
}

const home = () => `${server.url}/examples/?key=${site.writeKey}`;
const frames = (page: Page) => page.evaluate(() => (window as unknown as { __frames: Frame[] }).__frames);

type Fallback = { delay: number; fire: unknown } | null;
const fallbackOf = (page: Page) =>
  page.evaluate(() => {
    const f = (window as unknown as { __fallback: { delay: number; fire: unknown } | null }).__fallback;
    return f && { delay: f.delay, fire: f.fire === null ? null : 'held' };
  }) as Promise<Fallback>;

/** Waits until the page has sampled `n` more animation frames. */
async function moreFrames(page: Page, n = 20) {
  const count = (await frames(page)).length;
  await page.waitForFunction((c) => (window as unknown as { __frames: unknown[] }).__frames.length >= c, count + n, {
    timeout: 30_000,
  });
}

const shows = (page: Page, hero: Hero) =>
  page.waitForFunction(
    (h) => getComputedStyle(document.getElementById(`hero-${h}`) as Element).display !== 'none',
    hero,
    { timeout: 30_000 },
  );

/**
 * Opens the home page (without waiting for /inkling.js: it is async, and may never come) with
 * the snippet's fallback held, waits until `hero` shows (so it came from the collector or the
 * cache, never from the fallback), then releases the fallback and samples on, so that a late
 * wrong block would be seen too. Returns every frame and the first that showed `hero`.
 */
async function watch(page: Page, hero: Hero): Promise<{ all: Frame[]; first: Frame }> {
  await page.goto(home(), { waitUntil: 'domcontentloaded' });
  await shows(page, hero);
  // The snippet scheduled its fallback, and it has not fired: the tier did not come from it.
  expect(await fallbackOf(page)).toEqual({ delay: FALLBACK_MS, fire: 'held' });
  await page.evaluate(() => (window as unknown as { __releaseFallback: () => void }).__releaseFallback());
  await moreFrames(page);
  return summary(page, hero);
}

/**
 * Opens the home page while the collector cannot tell the tier, waits until `until` holds
 * (the outage was met) and frames were painted with the fallback still held: no hero may show
 * then. Releases the fallback, which must show the low hero.
 */
async function watchFallback(page: Page, until: () => Promise<unknown>): Promise<{ all: Frame[]; first: Frame }> {
  await page.goto(home(), { waitUntil: 'domcontentloaded' });
  await until();
  await moreFrames(page);
  expect(await fallbackOf(page)).toEqual({ delay: FALLBACK_MS, fire: 'held' });
  const before = await frames(page);
  expect(before.filter((f) => f.shown.length > 0)).toEqual([]);
  await page.evaluate(() => (window as unknown as { __releaseFallback: () => void }).__releaseFallback());
  await shows(page, 'low');
  await moreFrames(page);
  return summary(page, 'low');
}

async function summary(page: Page, hero: Hero): Promise<{ all: Frame[]; first: Frame }> {
  const all = await frames(page);
  const first = all.find((f) => f.shown.includes(hero)) as Frame;
  // Frames were really sampled, all along (moreFrames waited for 20 after the release).
  expect(all.length).toBeGreaterThanOrEqual(20);
  expect(first).toBeDefined();
  return { all, first };
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** What this visitor did elsewhere, as the collector's ingest receives it; answers the intent. */
async function history(anonymousId: string, events: object[]): Promise<{ tier: string }> {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    // Sent from the test's server side, as a CRM or a backend would: it scores.
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${btoa(`${site.writeKey}:`)}`,
      'user-agent': UA,
    },
    body: JSON.stringify({
      batch: events.map((e) => ({ ...e, anonymousId, messageId: randomUUID(), timestamp: new Date().toISOString() })),
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { intent: { tier: string } }).intent;
}
// CONTRACT's catalogue: an evaluator session (medium), then a demo request (high).
const evaluator = [
  { type: 'page', properties: { path: '/pricing' } },
  { type: 'page', properties: { path: '/features' } },
  { type: 'page', properties: { path: '/customers/acme' } },
];
const demo = [{ type: 'track', event: 'Demo Requested' }];

/** Frames that painted a hero other than `hero`. */
const wrong = (all: Frame[], hero: Hero) => all.filter((f) => f.shown.some((h) => h !== hero));

describe('personalization on the example home page, in Chromium, frame by frame', () => {
  it('should show a new visitor the default (low) hero and never another', async () => {
    const { context, page } = await visitor();
    // The page view's ingest answer brought the tier (and type) while the fallback was held.
    const { all } = await watch(page, 'low');
    expect(wrong(all, 'low')).toEqual([]);
    expect(all.at(-1)?.html).toContain('inkling-type-unknown');
    await context.close();
  });

  it('should show a visitor whose signals reach High the high hero, with no frame of another, and at once on the next page', async () => {
    const aid = `hi${randomUUID().replaceAll('-', '')}`;
    expect((await history(aid, [...evaluator, ...demo])).tier).toBe('high');
    const { context, page } = await visitor(aid);
    const { all } = await watch(page, 'high');
    expect(wrong(all, 'high')).toEqual([]);
    expect(all.at(-1)?.html).toContain('inkling-type-buying');
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('ink_t') as string).tier)).toBe('high');

    // The next page: the cached tier applies before the first paint, so the hero is never hidden.
    const again = await watch(page, 'high');
    expect(wrong(again.all, 'high')).toEqual([]);
    expect(again.all.filter((f) => f.parsed && !f.shown.includes('high'))).toEqual([]);
    await context.close();
  });

  it('should show a Medium visitor the medium hero and never another', async () => {
    const aid = `me${randomUUID().replaceAll('-', '')}`;
    expect((await history(aid, evaluator)).tier).toBe('medium');
    const { context, page } = await visitor(aid);
    const { all } = await watch(page, 'medium');
    expect(wrong(all, 'medium')).toEqual([]);
    await context.close();
  });
});

describe('the example site scores what a visitor browses', () => {
  it('should lift a visitor who browses pricing, product, case study and demo pages to the high hero', async () => {
    const context = await browser.newContext({ userAgent: UA });
    const page = await context.newPage();
    const stored = async (aid: string) =>
      (
        await tdb.db.query<{ n: number }>(
          `select count(*)::int as n from events where site_id = $1 and anonymous_id = $2 and type = 'page'`,
          [site.siteId, aid],
        )
      )[0]?.n ?? 0;
    let aid = '';
    const files = ['pricing.html', 'product.html', 'case-study.html', 'demo.html'];
    for (const [i, file] of files.entries()) {
      await page.goto(`${server.url}/examples/${file}?key=${site.writeKey}`);
      aid ||= ((await context.cookies()).find((c) => c.name === 'ink_aid')?.value as string) ?? '';
      // Each page view reaches the collector before the next page.
      await page.evaluate(() => (window as unknown as { inkling: (m: string) => void }).inkling('flush'));
      const until = Date.now() + 10_000;
      while ((await stored(aid)) < i + 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(await stored(aid)).toBeGreaterThanOrEqual(i + 1);
    }
    await page.goto(home(), { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      () => getComputedStyle(document.getElementById('hero-high') as Element).display !== 'none',
      null,
      {
        timeout: 10_000,
      },
    );
    expect(await page.evaluate(() => document.documentElement.className)).toContain('inkling-tier-high');
    const paths = await tdb.db.query<{ path: string }>(
      `select path from events where site_id = $1 and anonymous_id = $2 and type = 'page' order by id`,
      [site.siteId, aid],
    );
    expect(paths.map((p) => p.path).slice(0, 4)).toEqual(files.map((f) => `/examples/${f}`));
    await context.close();
  });
});

describe('personalization when the collector is slow or down', () => {
  it(`should show nothing personalized until the snippet's ${FALLBACK_MS} ms fallback, then the low hero, when neither the script nor the API answers`, async () => {
    outage = 'hang';
    const { context, page } = await visitor();
    try {
      const { all } = await watchFallback(page, () =>
        page.waitForFunction(() => (window as unknown as { __frames: unknown[] }).__frames.length > 0),
      );
      expect(wrong(all, 'low')).toEqual([]);
      // The SDK never arrived: the head snippet alone did it.
      expect(await page.evaluate(() => (window as { inkling?: { l?: number } }).inkling?.l)).toBeUndefined();
    } finally {
      outage = null;
      for (const release of held.splice(0)) release();
      await context.close();
    }
  });

  it('should fall back to the low hero for a high visitor when the ingest API refuses, and keep a cached tier through an outage', async () => {
    const aid = `ho${randomUUID().replaceAll('-', '')}`;
    expect((await history(aid, [...evaluator, ...demo])).tier).toBe('high');
    const { context, page } = await visitor(aid);
    try {
      outage = 'refuse';
      // The script loads, the page view's POST gets 503: nothing tells the tier.
      refused = 0;
      const down = await watchFallback(page, async () => {
        while (refused === 0) await new Promise((r) => setTimeout(r, 20));
      });
      expect(wrong(down.all, 'low')).toEqual([]);

      // Back up: the tier is learned and cached; in the next outage, the cache still knows.
      outage = null;
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => localStorage.getItem('ink_t')?.includes('"high"'), null, { timeout: 10_000 });
      outage = 'hang';
      // High shows while the fallback is held and the collector hangs: it came from the cache.
      const cached = await watch(page, 'high');
      expect(wrong(cached.all, 'high')).toEqual([]);
      expect(cached.all.filter((f) => f.parsed && !f.shown.includes('high'))).toEqual([]);
    } finally {
      outage = null;
      for (const release of held.splice(0)) release();
      await context.close();
    }
  });
});
