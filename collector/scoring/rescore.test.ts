import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
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

describe('the periodic rescore scores from stored signals', () => {
  const DAY = 86_400_000;
  const fields = `person_id, score, tier, type, trend, change_7d, points, explanation, categories, next_change_at, hits`;
  const snapshot = (siteId: string) =>
    db.query(`select ${fields} from person_scores where site_id = $1 order by person_id`, [siteId]);

  it('should give what scoring from the events gives, at every instant, derived signals included', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const now = Date.now();
    // Sessions of several pages (3+ pages in a session), visits days apart (return visit),
    // repeated downloads, a group: signals of every kind, aged from today to two months.
    const batch: Record<string, unknown>[] = [0, 2, 9, 33, 61].flatMap((ago, i) =>
      ['/pricing', '/case-studies/acme', '/docs/api', '/pricing'].map((path, k) => ({
        ...page(`stored-${i % 3}`, path),
        timestamp: new Date(now - ago * DAY + k * 60_000).toISOString(),
      })),
    );
    // Three downloads in one session (3+ downloads in a session).
    for (const k of [0, 1, 2])
      batch.push(
        track({ anonymousId: 'stored-1' }, 'Whitepaper Downloaded', {
          properties: { asset: `guide-${k}` },
          timestamp: new Date(Date.parse(daysAgo(3, now)) + k * 60_000).toISOString(),
        }),
      );
    await api.send(batch);
    await api.send([{ type: 'group', messageId: mid(), anonymousId: 'stored-2', groupId: 'org-stored' }]);

    for (const days of [1, 8, 20, 45, 100]) {
      const at = now + days * DAY;
      await rescore(db, collector.configs, { siteId: site.siteId, now: at });
      const due = await snapshot(site.siteId);
      // The same instant from events: rewrites nothing when the stored signals gave the same.
      await rescore(db, collector.configs, { siteId: site.siteId, all: true, now: at });
      expect(await snapshot(site.siteId), `${days} days on`).toEqual(due);
    }
  });

  it('should not read the events of a person whose signals the current model derived, and read them otherwise', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('unread-1', '/pricing'), page('unread-2', '/pricing')]);
    const [before] = await snapshot(site.siteId);
    expect(before).toMatchObject({ score: expect.any(Number) });
    expect((before as { score: number }).score).toBeGreaterThan(0);
    // Their events gone behind scoring's back: only a read of the events can see it.
    await db.query('delete from events where site_id = $1', [site.siteId]);
    // unread-2's signals were derived by another model (a config changed since, say).
    await db.query(
      `update person_scores set model = 'another model' where site_id = $1 and person_id in
         (select person_id from identities where site_id = $1 and anonymous_id = 'unread-2')`,
      [site.siteId],
    );
    const later = Date.now() + 10 * DAY;
    await rescore(db, collector.configs, { siteId: site.siteId, now: later });
    const rows = await db.query<{ anonymous_id: string; score: number; model: string }>(
      `select i.anonymous_id, s.score, s.model from person_scores s
         join identities i on i.site_id = s.site_id and i.person_id = s.person_id
        where s.site_id = $1 order by i.anonymous_id`,
      [site.siteId],
    );
    expect(rows.map((r) => r.anonymous_id)).toEqual(['unread-1', 'unread-2']);
    // From the stored signals: ten days on, the pricing visit still counts (one step down).
    expect(rows[0]!.score).toBeGreaterThan(0);
    expect(rows[0]!.score).toBeLessThan((before as { score: number }).score);
    // From the events (none left), under the current model, whose key is now stored.
    expect(rows[1]!.score).toBe(0);
    expect(rows[1]!.model).toBe(rows[0]!.model);
    expect(rows[0]!.model).not.toBe('another model');
  });
});
