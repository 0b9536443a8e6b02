import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { contactLinesJson } from './account-contacts.ts';
import { rescore } from './rescore.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

async function stored(siteId: string, personId: string) {
  const [row] = await db.query<{ score: number; tier: string; next_change_at: Date | null; updated_at: Date }>(
    'select score, tier, next_change_at, updated_at from person_scores where site_id = $1 and person_id = $2',
    [siteId, personId],
  );
  return row;
}

async function history(siteId: string, personId: string) {
  return db.query<{ score: number; tier: string }>(
    `select score, tier from score_history where site_id = $1 and subject_kind = 'person' and subject_id = $2 order by at, id`,
    [siteId, personId],
  );
}

const buying = (anon: string) => [
  page(anon, '/pricing'),
  page(anon, '/case-studies/acme'),
  track({ anonymousId: anon }, 'Demo Requested'),
  track({ anonymousId: anon }, 'ROI Calculator Used'),
];

describe('real-time scores', () => {
  it('should store the new tier before the ingest answer', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('rt-1', '/blog/hello')]);
    const before = await api.person('rt-1');
    expect(before.tier).toBe('low');
    await api.send(buying('rt-1'));
    const after = await api.person('rt-1');
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.tier).not.toBe('low');
    expect((await stored(site.siteId, after.id))?.tier).toBe(after.tier);
    expect(after.type).toBe('buying');
    expect(after.explanation.length).toBeGreaterThan(0);
  });

  it('should leave the score unchanged when a batch is retried', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const batch = buying('retry-1');
    await api.send(batch);
    const first = await api.person('retry-1');
    const changes = (await history(site.siteId, first.id)).length;
    await api.send(batch);
    await api.send(batch);
    const again = await api.person('retry-1');
    expect(again.score).toBe(first.score);
    expect(again.explanation).toEqual(first.explanation);
    expect(await history(site.siteId, first.id)).toHaveLength(changes);
  });

  it('should score a retried batch whose events were stored but not scored (a crash in between)', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const unscored = createCollector({ db, scoring: false });
    const batch = buying('crash-1');
    await intentClient(unscored, site).send(batch);
    await unscored.drain();
    await expect(api.person('crash-1')).rejects.toThrow(/404/);
    await api.send(batch);
    expect((await api.person('crash-1')).score).toBeGreaterThan(0);
  });

  it('should count both of two concurrent requests for the same person', async () => {
    const site = await newSite(db);
    const control = await newSite(db);
    const api = intentClient(collector, site);
    const paths = [
      '/pricing',
      '/product',
      '/case-studies/a',
      '/pricing',
      '/integrations',
      '/product',
      '/pricing',
      '/docs',
    ];
    // The same instants for both sites: explanation lines carry their events' dates.
    const times = paths.map((_, i) => daysAgo(0.01 * (i + 1)));
    const at = (i: number) => times[i];
    await Promise.all(paths.map((p, i) => api.send([page('same', p, { timestamp: at(i) })])));
    const concurrent = await api.person('same');
    const ctl = intentClient(collector, control);
    for (const [i, p] of paths.entries()) await ctl.send([page('same', p, { timestamp: at(i) })]);
    const sequential = await ctl.person('same');
    expect(concurrent.score).toBe(sequential.score);
    expect(concurrent.explanation).toEqual(sequential.explanation);
    const [{ n }] = (await db.query<{ n: number }>('select count(*)::int as n from persons where site_id = $1', [
      site.siteId,
    ])) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('should leave every person and account score exact after concurrent batches from one account', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const contacts = Array.from({ length: 6 }, (_, i) => `acct-contact-${i}`);
    await Promise.all(
      contacts.map((anon, i) =>
        api.send([
          { type: 'identify', messageId: mid(), anonymousId: anon, userId: `${anon}@concurrent.example` },
          page(anon, '/pricing'),
          page(anon, i % 2 ? '/product' : '/case-studies/acme'),
        ]),
      ),
    );
    const snapshot = async () => ({
      persons: await db.query(
        'select person_id, score, points, categories from person_scores where site_id = $1 order by person_id',
        [site.siteId],
      ),
      accounts: await db.query(
        `select account_id, score, points, categories, ${contactLinesJson('account_scores.site_id', 'account_scores.account_id')} as contacts
         from account_scores where site_id = $1 order by account_id`,
        [site.siteId],
      ),
    });
    const live = await snapshot();
    expect(live.persons).toHaveLength(6);
    expect(live.accounts).toHaveLength(1);
    expect((live.accounts[0] as { contacts: unknown[] }).contacts).toHaveLength(6);
    // A full recomputation from scratch finds nothing to change.
    await rescore(db, collector.configs, { siteId: site.siteId, all: true });
    expect(await snapshot()).toEqual(live);
  });

  it('should record every score change in the history', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const seen: { score: number; tier: string }[] = [];
    for (const msg of buying('hist-1')) {
      await api.send([msg]);
      const p = await api.person('hist-1');
      if (seen.at(-1)?.score !== p.score) seen.push({ score: p.score, tier: p.tier });
    }
    const person = await api.person('hist-1');
    expect(await history(site.siteId, person.id)).toEqual(seen);
  });
});

describe('rescore', () => {
  const DAY = 86_400_000;

  it('should recompute only due persons, and change a score exactly when a step boundary passes', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const now = Date.now();
    // A pricing visit 6.5 days ago counts 100 % until it is 7 days old, then 75 %.
    const visit = now - 6.5 * DAY;
    await api.send([page('aging', '/pricing', { timestamp: new Date(visit).toISOString() })]);
    await api.send([page('fresh', '/pricing')]);
    const aging = await api.person('aging');
    const fresh = await api.person('fresh');
    const due = (await stored(site.siteId, aging.id))?.next_change_at?.getTime();
    expect(due).toBe(visit + 7 * DAY);
    const freshBefore = await stored(site.siteId, fresh.id);

    expect(await rescore(db, collector.configs, { siteId: site.siteId, now: visit + 7 * DAY - 1 })).toEqual({
      persons: 0,
      accounts: 0,
    });
    expect((await api.person('aging')).score).toBe(aging.score);

    expect(await rescore(db, collector.configs, { siteId: site.siteId, now: visit + 7 * DAY })).toEqual({
      persons: 1,
      accounts: 0,
    });
    const aged = await api.person('aging');
    expect(aged.score).toBeLessThan(aging.score);
    expect(await stored(site.siteId, fresh.id)).toEqual(freshBefore);
    expect((await history(site.siteId, aging.id)).map((h) => h.score)).toEqual([aging.score, aged.score]);
    expect((await stored(site.siteId, aging.id))?.next_change_at?.getTime()).toBe(visit + 14 * DAY);
  });

  it('should keep a backfilled person in list=cooling exactly until the 7-day baseline changes step', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // 31 days old: 25 % now, 50 % as of 7 days ago, until the visit is 37 days old.
    const visit = Date.now() - 31 * DAY;
    const timestamp = new Date(visit).toISOString();
    await api.send([
      page('cool', '/pricing', { timestamp }),
      page('cool', '/case-studies/acme', { timestamp }),
      track({ anonymousId: 'cool' }, 'Demo Requested', { timestamp }),
    ]);
    const person = await api.person('cool');
    const cooling = async () =>
      ((await (await api.get('/v1/people?list=cooling')).json()) as { data: { id: string; change7d: number }[] }).data;
    expect((await cooling()).map((p) => p.id)).toEqual([person.id]);
    expect((await cooling())[0]?.change7d).toBeLessThanOrEqual(-15);
    expect((await stored(site.siteId, person.id))?.next_change_at?.getTime()).toBe(visit + 37 * DAY);

    expect(await rescore(db, collector.configs, { siteId: site.siteId, now: visit + 37 * DAY - 1 })).toEqual({
      persons: 0,
      accounts: 0,
    });
    await rescore(db, collector.configs, { siteId: site.siteId, now: visit + 37 * DAY });
    expect(await cooling()).toEqual([]);
    expect((await api.person('cool')).score).toBe(person.score);
  });

  it('should rescore on the collector timer when a score falls due', async () => {
    const site = await newSite(db);
    const timed = createCollector({ db, rescoreIntervalMs: 100 });
    try {
      const api = intentClient(timed, site);
      // Seven days old in 300 ms: its first step boundary passes while the test waits.
      await api.send([page('timer', '/pricing', { timestamp: new Date(Date.now() - 7 * DAY + 300).toISOString() })]);
      const fresh = await api.person('timer');
      await expect.poll(async () => (await api.person('timer')).score, { timeout: 5000 }).toBeLessThan(fresh.score);
    } finally {
      await timed.drain();
    }
  });

  it('should rescore accounts that are due', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const visit = Date.now() - 6.5 * DAY;
    await api.send([
      page('acc-a', '/pricing', { timestamp: new Date(visit).toISOString() }),
      { type: 'group', messageId: mid(), anonymousId: 'acc-a', groupId: 'org-1', traits: { name: 'Org' } },
    ]);
    const before = (await api.person('acc-a')).account;
    expect(before?.score).toBeGreaterThan(0);
    expect(await rescore(db, collector.configs, { siteId: site.siteId, now: visit + 7 * DAY })).toEqual({
      persons: 1,
      accounts: 1,
    });
    expect((await api.person('acc-a')).account?.score).toBeLessThan(before?.score ?? 0);
  });
});
