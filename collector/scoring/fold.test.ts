import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, identify, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { CreatedSite } from '../sites.ts';
import { FOLD_MIN_EVENTS, LATE } from './person-plan.ts';
import { rescore } from './rescore.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/** Every stored person score of the site, as ingest left it. */
const scores = (site: CreatedSite) =>
  db.query<{ person_id: string; score: number; points: number; tier: string; hits: unknown; explanation: unknown }>(
    `select person_id, score, points, tier, hits, explanation from person_scores where site_id = $1 order by person_id`,
    [site.siteId],
  );

/**
 * Older events that name no signal, enough for a person to store a fold (`FOLD_MIN_EVENTS`):
 * one an hour, 60 days ago.
 */
const past = (ids: { anonymousId?: string; userId?: string }) =>
  Array.from({ length: FOLD_MIN_EVENTS }, (_, i) => track(ids, 'Tab Focused', { timestamp: daysAgo(60 - i / 24) }));

/** Deletes the stored events of `messageIds` behind scoring's back: what is derived from them stays only in a fold. */
const forget = (site: CreatedSite, messageIds: string[]) =>
  db.query('delete from events where site_id = $1 and message_id = any($2::text[])', [site.siteId, messageIds]);

describe('new events resumed from a person’s stored derivation', () => {
  it('should score a new event from the stored derivation, without reading the person’s events', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const first = [
      identify('fold-a', 'fold-user'),
      ...past({ anonymousId: 'fold-a' }),
      page('fold-a', '/pricing', { timestamp: daysAgo(3) }),
      track({ anonymousId: 'fold-a' }, 'Demo Requested', { timestamp: daysAgo(2) }),
    ];
    await api.send(first);
    const before = await api.person('fold-user');
    // The events scored so far are gone from `events`; a new page must still add to them.
    await forget(
      site,
      first.map((m) => m.messageId),
    );
    await api.send([page('fold-a', '/case-studies/x')]);
    const after = await api.person('fold-user');
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.explanation.map((e) => e.signal)).toEqual(
      expect.arrayContaining(['demo_requested', 'case_study_page']),
    );
    // Read again from events, the forgotten ones no longer count: the fold was what kept them.
    await rescore(db, collector.configs, { siteId: site.siteId, all: true });
    expect((await api.person('fold-user')).explanation.map((e) => e.signal)).not.toContain('demo_requested');
  });

  it(`should resume a late arrival within ${LATE.ms / 1000} s from the fold, reading only the events after it`, async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const first = [
      identify('late-a', 'late-user'),
      ...past({ anonymousId: 'late-a' }),
      page('late-a', '/pricing', { timestamp: daysAgo(3) }),
    ];
    const demo = track({ anonymousId: 'late-a' }, 'Demo Requested');
    await api.send([...first, demo]);
    // The fold stands before the demo request (the last event), after the pricing visit.
    await forget(
      site,
      first.map((m) => m.messageId),
    );
    // Sent late: dated before the demo request already scored, within the fold's margin.
    await api.send([page('late-a', '/case-studies/x', { timestamp: new Date(Date.now() - 30_000).toISOString() })]);
    const person = await api.person('late-user');
    // The pricing visit counts from the fold; the demo request and the late page were read
    // (and with them the return visit the demo request made).
    const signals = person.explanation.map((e) => e.signal);
    expect(signals).toEqual(
      expect.arrayContaining(['pricing_page', 'demo_requested', 'case_study_page', 'return_visit']),
    );
    expect(signals).toHaveLength(4);
  });

  it('should read the person’s events again for an event dated before the fold', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const first = [
      identify('older-a', 'older-user'),
      ...past({ anonymousId: 'older-a' }),
      page('older-a', '/case-studies/y', { timestamp: daysAgo(3) }),
      track({ anonymousId: 'older-a' }, 'Demo Requested'),
    ];
    await api.send(first);
    await forget(
      site,
      first.map((m) => m.messageId),
    );
    // Dated before the case study visit, where the fold stands: derived again from the events.
    await api.send([page('older-a', '/pricing', { timestamp: daysAgo(4) })]);
    const person = await api.person('older-user');
    expect(person.explanation.map((e) => e.signal)).toEqual(['pricing_page']);
  });

  it('should read the person’s events again once another anonymous id is linked to them', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      identify('link-a', 'link-user'),
      ...past({ anonymousId: 'link-a' }),
      page('link-a', '/pricing', { timestamp: daysAgo(2) }),
    ]);
    // Another device's earlier browsing, then its identify: those events are the person's now.
    await api.send([track({ anonymousId: 'link-b' }, 'Demo Requested', { timestamp: daysAgo(1) })]);
    await api.send([identify('link-b', 'link-user')]);
    const person = await api.person('link-user');
    expect(person.explanation.map((e) => e.signal)).toEqual(expect.arrayContaining(['pricing_page', 'demo_requested']));
  });

  it('should score the events of a retried batch whose first scoring crashed, for a person with a fold', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      identify('retry-a', 'retry-user'),
      ...past({ anonymousId: 'retry-a' }),
      page('retry-a', '/pricing', { timestamp: daysAgo(1) }),
    ]);
    const before = await api.person('retry-user');
    // Stored, then the scoring crashed: the client retries the same batch, now all repeats.
    const batch = [track({ anonymousId: 'retry-a' }, 'Demo Requested')];
    const failing = createCollector({
      db,
      rescoreIntervalMs: 0,
      afterStored: () => {
        throw new Error('crashed between storing and scoring');
      },
    });
    await expect(intentClient(failing, site).send(batch)).rejects.toThrow(/503/);
    await failing.drain();
    await api.send(batch);
    const after = await api.person('retry-user');
    expect(after.explanation.map((e) => e.signal)).toContain('demo_requested');
    expect(after.score).toBeGreaterThan(before.score);
  });

  it(`should store a fold for a person of ${FOLD_MIN_EVENTS} events or more, and none for fewer`, async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([identify('few-a', 'few-user'), page('few-a', '/pricing')]);
    await api.send([identify('many-a', 'many-user'), ...past({ anonymousId: 'many-a' }), page('many-a', '/pricing')]);
    const folds = await db.query<{ user_id: string; fold: unknown }>(
      `select p.user_id, s.fold from person_scores s join persons p on p.site_id = s.site_id and p.id = s.person_id
        where s.site_id = $1 order by p.user_id`,
      [site.siteId],
    );
    expect(folds.map((f) => [f.user_id, f.fold !== null])).toEqual([
      ['few-user', false],
      ['many-user', true],
    ]);
  });

  it('should store what a derivation from every event stores, batch after batch, in and out of order', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const paths = ['/pricing', '/product', '/docs/api', '/blog/a', '/careers', '/demo', '/customers/x'];
    const events = ['Email Opened', 'Whitepaper Downloaded', 'Meeting Scheduled', 'Deal Room Visited'];
    let n = 0;
    const latest = new Map<string, number>();
    for (let round = 0; round < 12; round++) {
      const batch: object[] = round < 3 ? [0, 1, 2, 3].flatMap((v) => past({ anonymousId: `mix-${v}-${round}` })) : [];
      for (let v = 0; v < 4; v++) {
        const anon = `mix-${v}-${round % 3}`;
        if (round % 5 === v) batch.push(identify(anon, `mix-user-${v}`, { email: `u${v}@mix${v % 2}.example` }));
        // Mostly in order; every seventh event is dated days back (a late arrival).
        const at = (k: number) => daysAgo((++n % 7 === 0 ? 30 : 12 - round) + k / 100);
        // Every fourth round, one dated minutes before the visitor's last (within the fold's margin).
        const last = latest.get(anon);
        if (round % 4 === 3 && last !== undefined)
          batch.push(page(anon, '/pricing', { timestamp: new Date(last - 3 * 60_000).toISOString() }));
        batch.push(page(anon, paths[(round + v) % paths.length]!, { timestamp: at(1) }));
        batch.push(
          track({ anonymousId: anon }, events[(round * v) % events.length]!, {
            timestamp: at(0),
            properties: { emailId: `e${v % 2}`, attendees: 3 },
          }),
        );
      }
      for (const m of batch as { anonymousId?: string; timestamp?: string }[])
        if (m.anonymousId && m.timestamp)
          latest.set(m.anonymousId, Math.max(latest.get(m.anonymousId) ?? 0, Date.parse(m.timestamp)));
      batch.push({ ...page('mix-bot', '/pricing'), context: { userAgent: 'Googlebot/2.1' }, messageId: mid() });
      await api.send(batch);
    }
    const ingested = await scores(site);
    expect(ingested.length).toBeGreaterThan(4);
    await rescore(db, collector.configs, { siteId: site.siteId, all: true, now: Date.now() });
    const derived = await scores(site);
    const shape = (rows: typeof ingested) => rows.map((s) => [s.person_id, s.score, s.tier, s.hits]);
    expect(shape(ingested)).toEqual(shape(derived));
  });
});
