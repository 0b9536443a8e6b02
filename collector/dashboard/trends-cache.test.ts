import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { createLogger } from '../log.ts';
import { createTrendsCache } from './trends-cache.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  db = env.db;
  collector = env.collector;
});

const pageVisits = (t: Awaited<ReturnType<ReturnType<typeof createTrendsCache>['get']>>) =>
  t.volume.find((v) => v.category === 'web')?.counts.at(-1) ?? 0;

describe('the charts cache', () => {
  it('should answer the kept charts while it computes new ones, then the new ones', async () => {
    const site = await newSite(db);
    const cache = createTrendsCache(
      { db, configs: collector.configs, log: createLogger('silent') },
      { ttlMs: 0, cheapMs: 0 },
    );
    expect(pageVisits(await cache.get(site.siteId, 30))).toBe(0);
    await intentClient(collector, site).send([page('v1', '/pricing'), page('v1', '/pricing/enterprise')]);
    // Stale: the kept charts at once, the new ones once computed.
    expect(pageVisits(await cache.get(site.siteId, 30))).toBe(0);
    await expect.poll(async () => pageVisits(await cache.get(site.siteId, 30)), { timeout: 20_000 }).toBe(2);
  });

  it('should keep charts for the time given', async () => {
    const site = await newSite(db);
    const cache = createTrendsCache(
      { db, configs: collector.configs, log: createLogger('silent') },
      {
        ttlMs: 3_600_000,
        cheapMs: 0,
      },
    );
    const first = await cache.get(site.siteId, 30);
    await intentClient(collector, site).send([page('v2', '/pricing')]);
    expect(await cache.get(site.siteId, 30)).toBe(first);
    expect(pageVisits(await cache.get(site.siteId, 90))).toBe(1);
  });

  it("should not keep charts computed faster than cheapMs: the next view shows a moment ago's visits", async () => {
    const site = await newSite(db);
    // Every load counts as cheap here, whatever the machine's speed.
    const cache = createTrendsCache(
      { db, configs: collector.configs, log: createLogger('silent') },
      { ttlMs: 3_600_000, cheapMs: 3_600_000 },
    );
    expect(pageVisits(await cache.get(site.siteId, 30))).toBe(0);
    await intentClient(collector, site).send([page('v3', '/pricing'), page('v3', '/pricing/enterprise')]);
    expect(pageVisits(await cache.get(site.siteId, 30))).toBe(2);
  });
});
