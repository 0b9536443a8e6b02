import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { contactLinesJson } from './account-contacts.ts';
import { rescore } from './rescore.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

describe('rescore in rounds', () => {
  it('should rescore every person and account once with several small rounds in flight, as one at a time does', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const batch = Array.from({ length: 30 }, (_, i) => [
      page(`round-${i}`, i % 2 ? '/pricing' : '/product'),
      { type: 'group', messageId: mid(), anonymousId: `round-${i}`, groupId: `org-${i % 4}` },
    ]).flat();
    await api.send(batch);
    const snapshot = async () => ({
      persons: await db.query(
        'select person_id, score, points, categories, hits from person_scores where site_id = $1 order by person_id',
        [site.siteId],
      ),
      accounts: await db.query(
        `select account_id, score, ${contactLinesJson('account_scores.site_id', 'account_scores.account_id')} as contacts
         from account_scores where site_id = $1 order by account_id`,
        [site.siteId],
      ),
    });
    const now = Date.now();
    const one = await rescore(db, collector.configs, { siteId: site.siteId, all: true, now, concurrency: 1 });
    const before = await snapshot();
    const seen: string[] = [];
    const stop = collector.changes.subscribe({
      changed: (e) => {
        if (e.via === 'commit' && e.kind !== 'anonymous') seen.push(...e.ids);
      },
      missed: () => {},
    });
    const many = await rescore(db, collector.configs, {
      siteId: site.siteId,
      all: true,
      now,
      batchSize: 4,
      concurrency: 3,
    });
    stop();
    expect(one).toEqual({ persons: 30, accounts: 4 });
    expect(many).toEqual(one);
    expect(new Set(seen).size).toBe(34);
    expect(seen).toHaveLength(34);
    expect(await snapshot()).toEqual(before);
  });
});

describe('rescore writes only what changed', () => {
  it('should leave a score row untouched when nothing stored would change, and rewrite it when something does', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      page('still-1', '/pricing'),
      { type: 'group', messageId: mid(), anonymousId: 'still-1', groupId: 'org-still' },
    ]);
    const rows = async () => ({
      person: await db.query<{ xmin: string; updated_at: Date; score: number }>(
        'select xmin::text, updated_at, score from person_scores where site_id = $1',
        [site.siteId],
      ),
      account: await db.query<{ xmin: string; updated_at: Date; score: number }>(
        'select xmin::text, updated_at, score from account_scores where site_id = $1',
        [site.siteId],
      ),
    });
    const first = await rows();
    expect(first.person).toHaveLength(1);
    expect(first.account).toHaveLength(1);

    // A minute on, nothing has aged a step: every field the same, so no row version is written.
    const now = Date.now() + 60_000;
    await rescore(db, collector.configs, { siteId: site.siteId, all: true, now });
    expect(await rows()).toEqual(first);

    // Ten days on, the pricing visit has aged a step: both rows are rewritten.
    const later = now + 10 * 86_400_000;
    await rescore(db, collector.configs, { siteId: site.siteId, all: true, now: later });
    const moved = await rows();
    expect(moved.person[0]!.updated_at.getTime()).toBe(later);
    expect(moved.account[0]!.updated_at.getTime()).toBe(later);
    expect(moved.person[0]!.xmin).not.toBe(first.person[0]!.xmin);
    expect(moved.person[0]!.score).toBeLessThan(first.person[0]!.score);
  });
});
