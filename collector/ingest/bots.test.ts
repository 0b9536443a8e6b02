import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { browserAgent } from './enrich.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const GOOGLEBOT =
  'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const HEADLESS =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** Posts one batch with the given request headers, as the sender named by them would. */
async function post(writeKey: string, batch: object[], headers: Record<string, string>) {
  const res = await collector.app.request('/v1/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${writeKey}:`)}`, ...headers },
    body: JSON.stringify({ batch }),
  });
  expect(res.status).toBe(200);
}

async function storedBot(siteId: string, messageId: string) {
  const [row] = await db.query<{ is_bot: boolean; browser: string | null }>(
    'select is_bot, browser from events where site_id = $1 and message_id = $2',
    [siteId, messageId],
  );
  return row;
}

const pricing = (anonymousId: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId: mid(),
  anonymousId,
  properties: { path: '/pricing' },
  ...extra,
});

describe('bot detection is about browsers', () => {
  it('should score server-side libraries (analytics-node, curl, python-requests, Go, Java, axios) as signals, not bots', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const agents = [
      'analytics-node-next/latest',
      'node',
      'curl/8.5.0',
      'axios/1.7.2',
      'python-requests/2.31.0',
      'Go-http-client/1.1',
      'Java/17.0.2',
    ];
    for (const [i, agent] of agents.entries()) {
      const msg = { type: 'track', messageId: mid(), userId: `srv-${i}@acme.test`, event: 'Meeting Scheduled' };
      await post(site.writeKey, [msg], { 'user-agent': agent, 'sec-fetch-mode': 'cors' });
      expect(await storedBot(site.siteId, msg.messageId), agent).toMatchObject({ is_bot: false });
      const person = await api.person(`srv-${i}@acme.test`);
      expect(person.score, agent).toBeGreaterThan(0);
      expect(person.explanation.map((e) => e.signal)).toContain('meeting_scheduled');
    }
  });

  it('should store a Googlebot page view from a browser context as a bot that scores nothing', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const fromHeader = pricing('gbot-1');
    await post(site.writeKey, [fromHeader], {
      'user-agent': GOOGLEBOT,
      origin: 'https://acme.test',
      'sec-fetch-site': 'cross-site',
    });
    const fromContext = pricing('gbot-2', { context: { userAgent: GOOGLEBOT } });
    await post(site.writeKey, [fromContext], { 'user-agent': 'node' });
    for (const [m, anon] of [
      [fromHeader, 'gbot-1'],
      [fromContext, 'gbot-2'],
    ] as const) {
      expect(await storedBot(site.siteId, m.messageId)).toMatchObject({ is_bot: true });
      expect((await api.person(anon)).score).toBe(0);
    }
  });

  it('should flag a headless browser that sends page views, and score the same page from a real browser', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const headless = pricing('headless-1');
    await post(site.writeKey, [headless], { 'user-agent': HEADLESS, 'sec-fetch-site': 'same-origin' });
    expect(await storedBot(site.siteId, headless.messageId)).toMatchObject({ is_bot: true });
    expect((await api.person('headless-1')).score).toBe(0);

    const human = pricing('human-1');
    await post(site.writeKey, [human], { 'user-agent': CHROME, origin: 'https://acme.test' });
    expect(await storedBot(site.siteId, human.messageId)).toMatchObject({ is_bot: false, browser: 'Chrome' });
    expect((await api.person('human-1')).score).toBeGreaterThan(0);
  });
});

describe('browserAgent', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name];
  it('should take the request agent only with browser evidence', () => {
    expect(browserAgent(headers({ 'user-agent': 'curl/8.5.0' }))).toBeUndefined();
    expect(browserAgent(headers({ 'user-agent': CHROME, origin: 'https://a.test' }))).toBe(CHROME);
    expect(browserAgent(headers({ 'user-agent': CHROME, 'sec-fetch-dest': 'empty' }))).toBe(CHROME);
    // Node's fetch (analytics-node) sends Sec-Fetch-Mode: cors on every request.
    expect(browserAgent(headers({ 'user-agent': 'node', 'sec-fetch-mode': 'cors' }))).toBeUndefined();
    expect(browserAgent(headers({ 'user-agent': CHROME, 'sec-fetch-site': 'cross-site' }))).toBe(CHROME);
  });
});
