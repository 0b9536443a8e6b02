import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import { onScoresStored, type ScoresStored } from '../changes/stored.ts';
import type { Database } from '../db/client.ts';
import { rescore } from '../scoring/rescore.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

describe('what arrived with a change', () => {
  it("should tell each person their own track events and each account its contacts', in one request of two visitors", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      identify('arr-ann', 'arr-ann-user', { email: 'ann@arrive-one.com' }),
      identify('arr-bob', 'arr-bob-user', { email: 'bob@arrive-two.com' }),
    ]);
    const ann = (await api.person('arr-ann')) as { id: string; account: { id: string } };
    const bob = (await api.person('arr-bob')) as { id: string; account: { id: string } };
    expect(ann.account.id).not.toBe(bob.account.id);

    const seen: ScoresStored[] = [];
    const stop = onScoresStored(db, async (_tx, stored) => {
      if (stored.site === site.siteId) seen.push(stored);
    });
    try {
      await api.send([
        track({ anonymousId: 'arr-ann' }, 'Plan Viewed'),
        track({ anonymousId: 'arr-ann' }, 'Signed Up'),
        page('arr-bob', '/pricing'),
      ]);
    } finally {
      stop();
    }
    const of = (kind: 'person' | 'account', id: string) => {
      const change = seen.find((s) => s.kind === kind && s.subjects.some((x) => x.id === id));
      expect(change, `${kind} ${id} rescored`).toBeDefined();
      expect(change?.arrived).toBeDefined();
      return [...(change?.arrived?.get(id) ?? [])].sort();
    };
    expect(of('person', ann.id)).toEqual(['Plan Viewed', 'Signed Up']);
    expect(of('person', bob.id)).toEqual([]);
    expect(of('account', ann.account.id)).toEqual(['Plan Viewed', 'Signed Up']);
    expect(of('account', bob.account.id)).toEqual([]);
  });

  it('should say nothing of arrivals on a rescore, where any event may count', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([identify('arr-cid', 'arr-cid-user', { email: 'cid@arrive-three.com' })]);
    const seen: ScoresStored[] = [];
    const stop = onScoresStored(db, async (_tx, stored) => {
      if (stored.site === site.siteId) seen.push(stored);
    });
    try {
      // What `npm run inkling -- rescore --all` and a config change run.
      await rescore(db, collector.configs, { siteId: site.siteId, all: true, now: Date.now() });
    } finally {
      stop();
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const change of seen) expect(change.arrived).toBeUndefined();
  });
});
