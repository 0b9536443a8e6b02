import { beforeEach, describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { createLogger } from '../log.ts';
import { rescore } from '../scoring/rescore.ts';
import { type ChangeEvent, openChangeFeed } from './feed.ts';
import { notifyChanged } from './notices.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/** Every event the collector's feed hands its subscribers, in order. */
let heard: ChangeEvent[] = [];
let missed = 0;
beforeEach(() => {
  heard = [];
  missed = 0;
  return collector.changes.subscribe({ changed: (e) => heard.push(e), missed: () => missed++ });
});

const heardOf = (via: ChangeEvent['via'], kind: ChangeEvent['kind'], id: string) =>
  heard.some((e) => e.via === via && e.kind === kind && e.ids.includes(id));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function lookup(writeKey: string, anonymousId: string) {
  const res = await collector.app.request(`/v1/intent?anonymousId=${anonymousId}`, {
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
  });
  return (await res.json()) as { tier: string; score: number };
}

describe('the change feed', () => {
  it('should hand a committed change to subscribers before the transaction resolves, and once more when PostgreSQL delivers it', async () => {
    await until(() => collector.changes.listening);
    const site = await newSite(db);
    await db.transaction(async (tx) => {
      await notifyChanged(tx, site.siteId, 'person', ['p-committed']);
      expect(heardOf('commit', 'person', 'p-committed')).toBe(false);
    });
    expect(heardOf('commit', 'person', 'p-committed')).toBe(true);
    await until(() => heardOf('notice', 'person', 'p-committed'));
    expect(heard.filter((e) => e.via === 'commit' && e.ids.includes('p-committed'))).toHaveLength(1);
  });

  it('should publish nothing, here or to other processes, for a transaction that rolls back', async () => {
    await until(() => collector.changes.listening);
    const site = await newSite(db);
    await expect(
      db.transaction(async (tx) => {
        await notifyChanged(tx, site.siteId, 'person', ['p-rolled-back']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(heardOf('commit', 'person', 'p-rolled-back')).toBe(false);
    // Notices arrive in commit order: once a later committed one is here, the first never will be.
    await db.transaction((tx) => notifyChanged(tx, site.siteId, 'person', ['p-after']));
    await until(() => heardOf('notice', 'person', 'p-after'));
    expect(heard.some((e) => e.ids.includes('p-rolled-back'))).toBe(false);
  });

  it("should tell of a person's anonymous ids with their first score only, when the change commits", async () => {
    const site = await newSite(db);
    // A person whose anonymous id was made without scoring (its lookups answered the neutral
    // answer until now): the first score tells of it, a second one does not.
    await db.query('insert into persons (site_id, id) values ($1, $2)', [site.siteId, 'per_feed_first']);
    await db.query('insert into identities (site_id, anonymous_id, person_id) values ($1, $2, $3)', [
      site.siteId,
      'feed-first',
      'per_feed_first',
    ]);
    await rescore(db, collector.configs, { siteId: site.siteId, all: true });
    expect(heardOf('commit', 'person', 'per_feed_first')).toBe(true);
    expect(heardOf('commit', 'anonymous', 'feed-first')).toBe(true);
    heard = [];
    await intentClient(collector, site).send([page('feed-first', '/pricing')]);
    expect(heardOf('commit', 'person', 'per_feed_first')).toBe(true);
    expect(heardOf('commit', 'anonymous', 'feed-first')).toBe(false);
  });

  it('should evict a cached lookup when an erasure commits, before the erasure is answered, with no callback passed', async () => {
    await until(() => collector.changes.listening);
    const site = await newSite(db);
    await intentClient(collector, site).send([page('feed-erased', '/pricing')]);
    const cached = await lookup(site.writeKey, 'feed-erased');
    expect(cached.score).toBeGreaterThan(0);
    const person = await intentClient(collector, site).person('feed-erased');
    heard = [];

    const res = await collector.app.request('/v1/people/feed-erased', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(res.status).toBe(200);
    // Published by the erasure's own transaction, after its commit and before the answer.
    expect(heardOf('commit', 'person', person.id)).toBe(true);
    expect(heardOf('commit', 'anonymous', 'feed-erased')).toBe(true);
    expect(await lookup(site.writeKey, 'feed-erased')).toMatchObject({ tier: 'low', score: 0 });
  });

  it('should evict the cached lookups of a site whose config changes, before the change is answered', async () => {
    await until(() => collector.changes.listening);
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('feed-config', '/pricing')]);
    const before = await lookup(site.writeKey, 'feed-config');
    const person = await api.person('feed-config');
    const config = (await (await api.get('/v1/config')).json()) as Record<string, unknown>;
    heard = [];

    const res = await api.put('/v1/config', { ...config, tiers: { medium: 1, high: 2 } });
    expect(res.status).toBe(200);
    expect(heardOf('commit', 'person', person.id)).toBe(true);
    const after = await lookup(site.writeKey, 'feed-config');
    expect(after.tier).not.toBe(before.tier);
  });

  it('should tell subscribers that notices may have been missed when it stops listening', async () => {
    const feed = openChangeFeed(db, createLogger('silent'));
    let told = 0;
    feed.subscribe({ changed: () => {}, missed: () => told++ });
    await until(() => feed.listening);
    const atConnect = told;
    expect(atConnect).toBeGreaterThanOrEqual(1);
    await feed.close();
    expect(feed.listening).toBe(false);
    expect(told).toBe(atConnect + 1);
  });
});
