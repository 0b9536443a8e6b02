import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../test/helpers/database-url.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../test/helpers/db.ts';
import { intentClient, page, track } from '../test/helpers/intent.ts';
import { type Collector, createCollector } from './app.ts';
import { type Database, openDatabase } from './db/client.ts';
import { userHash } from './keys.ts';

let t: TestDatabase;
/**
 * Two collectors on one database, as two processes behind a load balancer would be: on
 * PostgreSQL, `b` has connections of its own, so it learns of `a`'s changes only from
 * PostgreSQL's notices (the embedded engine is one process's: both share it).
 */
let a: Collector;
let b: Collector;
let bDb: Database | undefined;

beforeAll(async () => {
  t = await openTestDatabase();
  const url = testDatabaseUrl();
  bDb = url ? await openDatabase({ url, max: 5 }) : undefined;
  a = createCollector({ db: t.db, rescoreIntervalMs: 0 });
  b = createCollector({ db: bDb ?? t.db, rescoreIntervalMs: 0 });
  await until(async () => a.intents.stats().listening && b.intents.stats().listening);
});
afterAll(async () => {
  await a.drain();
  await b.drain();
  await bDb?.close();
  await t.close();
});

const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function lookup(c: Collector, writeKey: string, anonymousId: string) {
  const res = await c.app.request(`/v1/intent?anonymousId=${anonymousId}`, { headers: basic(writeKey) });
  expect(res.status).toBe(200);
  return (await res.json()) as { tier: string; score: number };
}

describe('intent cache', () => {
  it('should answer a repeated lookup from memory, and the new score on the very next lookup after an ingest', async () => {
    const site = await newSite(t.db);
    const api = intentClient(a, site);
    await api.send([page('cache-1', '/blog/a')]);
    const first = await lookup(a, site.writeKey, 'cache-1');
    const before = a.intents.stats();
    expect(await lookup(a, site.writeKey, 'cache-1')).toEqual(first);
    expect(a.intents.stats().hits).toBe(before.hits + 1);
    expect(a.intents.stats().misses).toBe(before.misses);

    const answer = (await api.send([
      page('cache-1', '/pricing'),
      track({ anonymousId: 'cache-1' }, 'Demo Requested'),
    ])) as { intent: { score: number } };
    expect(answer.intent.score).toBeGreaterThan(first.score);
    expect((await lookup(a, site.writeKey, 'cache-1')).score).toBe(answer.intent.score);
  });

  it("should evict another collector's cached entry when PostgreSQL delivers the change", async () => {
    const site = await newSite(t.db);
    await intentClient(a, site).send([page('cache-2', '/blog/a')]);
    const old = await lookup(b, site.writeKey, 'cache-2');
    const hits = b.intents.stats().hits;
    expect(await lookup(b, site.writeKey, 'cache-2')).toEqual(old);
    expect(b.intents.stats().hits).toBe(hits + 1);

    const answer = (await intentClient(a, site).send([
      track({ anonymousId: 'cache-2' }, 'Demo Requested'),
      track({ anonymousId: 'cache-2' }, 'Trial Started'),
    ])) as { intent: { score: number } };
    expect(answer.intent.score).toBeGreaterThan(old.score);
    await until(async () => (await lookup(b, site.writeKey, 'cache-2')).score === answer.intent.score);
  });

  it("should cache an unknown id's neutral answer until the visitor's first events are scored, in both collectors", async () => {
    const site = await newSite(t.db);
    const neutral = await lookup(a, site.writeKey, 'cache-new');
    expect(neutral).toMatchObject({ tier: 'low', score: 0 });
    await lookup(b, site.writeKey, 'cache-new');
    const [hitsA, hitsB] = [a.intents.stats().hits, b.intents.stats().hits];
    expect(await lookup(a, site.writeKey, 'cache-new')).toEqual(neutral);
    expect(await lookup(b, site.writeKey, 'cache-new')).toEqual(neutral);
    expect([a.intents.stats().hits, b.intents.stats().hits]).toEqual([hitsA + 1, hitsB + 1]);

    await intentClient(a, site).send([
      page('cache-new', '/pricing'),
      track({ anonymousId: 'cache-new' }, 'Demo Requested'),
    ]);
    expect((await lookup(a, site.writeKey, 'cache-new')).score).toBeGreaterThan(0);
    await until(async () => (await lookup(b, site.writeKey, 'cache-new')).score > 0);
  });

  it('should show a new anonymous id of a scored person once it is linked (identify), in both collectors', async () => {
    const site = await newSite(t.db);
    const api = intentClient(a, site);
    await api.send([track({ userId: 'cache-user' }, 'Demo Requested')]);
    expect(await lookup(b, site.writeKey, 'cache-device-2')).toMatchObject({ score: 0 });
    await api.send([
      {
        type: 'identify',
        messageId: `m-${Date.now()}-link`,
        anonymousId: 'cache-device-2',
        userId: 'cache-user',
        traits: { user_hash: userHash(site.verificationSecret, 'cache-user') },
      },
    ]);
    const person = await api.person('cache-user');
    expect(person.score).toBeGreaterThan(0);
    expect((await lookup(a, site.writeKey, 'cache-device-2')).score).toBe(person.score);
    await until(async () => (await lookup(b, site.writeKey, 'cache-device-2')).score === person.score);
  });

  it('should answer the neutral shape right after an erasure, and the new score right after a config change', async () => {
    const site = await newSite(t.db);
    const api = intentClient(a, site);
    await api.send([page('cache-3', '/pricing'), page('cache-4', '/pricing')]);
    const cached = await lookup(a, site.writeKey, 'cache-3');
    expect(cached.score).toBeGreaterThan(0);
    expect(await lookup(a, site.writeKey, 'cache-3')).toEqual(cached);

    const erased = await a.app.request('/v1/people/cache-3', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect(await lookup(a, site.writeKey, 'cache-3')).toMatchObject({ tier: 'low', score: 0 });

    const other = await lookup(a, site.writeKey, 'cache-4');
    const config = (await (await api.get('/v1/config')).json()) as Record<string, unknown>;
    const thresholds = { high: 2, medium: 1 };
    const res = await api.put('/v1/config', { ...config, tiers: thresholds });
    expect(res.status).toBe(200);
    const now = await lookup(a, site.writeKey, 'cache-4');
    expect(now.tier).not.toBe(other.tier);
  });
});
