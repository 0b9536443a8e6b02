import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../shared/scoring/index.ts';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { type FreshDatabase, openFreshDatabase } from '../../test/helpers/fresh-database.ts';
import { intentClient, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import { enrich } from '../ingest/enrich.ts';
import { messageSchema } from '../ingest/schema.ts';
import { insertEvents } from '../ingest/writer.ts';
import { createConfigStore } from '../scoring/config-store.ts';
import { rescore } from '../scoring/rescore.ts';
import { type CreatedSite, createSite, setSiteRetention } from '../sites.ts';
import type { Database } from './client.ts';
import { DEFAULT_PARTITION, ensureEventPartitions, listEventPartitions, partitionName } from './partitions.ts';
import {
  applyRetention,
  cutoffOf,
  horizonDays,
  MIN_RETENTION_DAYS,
  RETENTION_LOCK,
  type RetentionSettings,
  readRetentionSettings,
  siteCutoffs,
} from './retention.ts';

const DAY = 86_400_000;
const KEEP_ALL: RetentionSettings = { eventDays: null, messageIdDays: 30 };

let fresh: FreshDatabase | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.drain();
  await fresh?.close();
  collector = undefined;
  fresh = undefined;
});

/** A migrated database of the test's own (retention touches every site) and a collector on it. */
async function open(): Promise<{ db: Database; collector: Collector }> {
  fresh = await openFreshDatabase();
  await fresh.migrate();
  collector = createCollector({ db: fresh.db, rescoreIntervalMs: 0 });
  return { db: fresh.db, collector };
}

/**
 * Stores `n` events of `anonymousId` received (and sent) `days` days ago through the ingest
 * writer's statement, as a collector would have stored them then.
 */
async function storeDaysAgo(db: Database, site: CreatedSite, anonymousId: string, days: number, n = 1) {
  const at = new Date(Date.now() - days * DAY);
  const rows = Array.from({ length: n }, (_, i) => {
    const messageId = `old-${anonymousId}-${days}-${i}`;
    const message = messageSchema.parse({
      type: 'track',
      messageId,
      anonymousId,
      event: 'Demo Requested',
      timestamp: at.toISOString(),
    });
    return enrich(message, {
      siteId: site.siteId,
      receivedAt: at,
      sentAt: at.toISOString(),
      context: undefined,
      clientIp: undefined,
      userAgent: undefined,
      newMessageId: () => messageId,
    });
  });
  await insertEvents(db, rows);
  // As the collector's job would have: the month's partition, the rows moved into it.
  await ensureEventPartitions(db, new Date());
}

const ages = async (db: Database, siteId: string) =>
  (
    await db.query<{ days: number }>(
      'select round(extract(epoch from now() - received_at) / 86400)::int as days from events where site_id = $1 order by 1',
      [siteId],
    )
  ).map((r) => r.days);

/** The person's score and explanation after rescoring every score from the stored events. */
async function scoreOf(db: Database, c: Collector, site: CreatedSite, id: string) {
  await rescore(db, createConfigStore(db), { all: true });
  const person = await intentClient(c, site).person(id);
  return { score: person.score, tier: person.tier, explanation: person.explanation };
}

describe('retention settings', () => {
  it('should keep everything by default and refuse a global retention under the minimum', () => {
    expect(readRetentionSettings({})).toEqual({ eventDays: null, messageIdDays: 30 });
    expect(readRetentionSettings({ INKLING_RETENTION_DAYS: '400', INKLING_MESSAGE_ID_RETENTION_DAYS: '7' })).toEqual({
      eventDays: 400,
      messageIdDays: 7,
    });
    expect(() => readRetentionSettings({ INKLING_RETENTION_DAYS: String(MIN_RETENTION_DAYS - 1) })).toThrow(
      /INKLING_RETENTION_DAYS must be a whole number of days, at least 312: the default scoring model reads/,
    );
    expect(() => readRetentionSettings({ INKLING_RETENTION_DAYS: 'a year' })).toThrow(/INKLING_RETENTION_DAYS/);
    expect(() => readRetentionSettings({ INKLING_MESSAGE_ID_RETENTION_DAYS: '0' })).toThrow(
      /INKLING_MESSAGE_ID_RETENTION_DAYS/,
    );
  });

  it("should apply a site's own retention only when it is shorter than the global one", () => {
    const now = new Date('2026-11-30T00:00:00Z');
    const sites = [
      { id: 'a', retentionDays: 250 },
      { id: 'b', retentionDays: 500 },
      { id: 'c', retentionDays: null },
    ];
    expect(siteCutoffs(sites, 400, now)).toEqual([{ siteId: 'a', cutoff: cutoffOf(now, 250) }]);
    expect(siteCutoffs(sites, null, now).map((s) => s.siteId)).toEqual(['a', 'b']);
  });
});

describe('global retention', () => {
  it('should drop the partitions older than it, keep what is recent and leave the scores unchanged', async () => {
    const { db, collector: c } = await open();
    const site = await createSite(db, 'global');
    await intentClient(c, site).send([page('g-anon', '/pricing'), track({ anonymousId: 'g-anon' }, 'Demo Requested')]);
    await storeDaysAgo(db, site, 'g-anon', 480, 3);
    await storeDaysAgo(db, site, 'g-anon', 60);
    const oldMonth = partitionName(new Date(Date.now() - 480 * DAY));
    expect((await listEventPartitions(db)).map((p) => p.name)).toContain(oldMonth);
    const before = await scoreOf(db, c, site, 'g-anon');
    expect(before.score).toBeGreaterThan(0);

    const done = await applyRetention(db, { ...KEEP_ALL, eventDays: 400 }, new Date());

    expect(done.droppedPartitions).toContain(oldMonth);
    expect((await listEventPartitions(db)).map((p) => p.name)).not.toContain(oldMonth);
    expect(await ages(db, site.siteId)).toEqual([0, 0, 60]);
    expect(await scoreOf(db, c, site, 'g-anon')).toEqual(before);
  });

  it('should delete old rows caught by the default partition too', async () => {
    const { db } = await open();
    const site = await createSite(db, 'default');
    const at = new Date(Date.now() - 700 * DAY);
    const message = messageSchema.parse({ type: 'page', messageId: 'stray', anonymousId: 'd-anon' });
    await insertEvents(db, [
      enrich(message, {
        siteId: site.siteId,
        receivedAt: at,
        sentAt: undefined,
        context: undefined,
        clientIp: undefined,
        userAgent: undefined,
        newMessageId: () => 'stray',
      }),
    ]);
    expect(await db.query(`select message_id from ${DEFAULT_PARTITION}`)).toEqual([{ message_id: 'stray' }]);
    const done = await applyRetention(db, { ...KEEP_ALL, eventDays: 400 }, new Date());
    expect(done.deletedEvents).toBe(1);
    expect(await db.query(`select 1 from ${DEFAULT_PARTITION}`)).toEqual([]);
  });
});

describe("a site's own retention", () => {
  it("should delete that site's older events in batches, keep its recent ones and other sites', scores unchanged", async () => {
    const { db, collector: c } = await open();
    const short = await createSite(db, 'short');
    const other = await createSite(db, 'other');
    await setSiteRetention(db, short.siteId, MIN_RETENTION_DAYS);
    for (const site of [short, other]) {
      await intentClient(c, site).send([track({ anonymousId: 's-anon' }, 'Demo Requested')]);
      await storeDaysAgo(db, site, 's-anon', 330, 5);
      await storeDaysAgo(db, site, 's-anon', 30);
    }
    const before = await scoreOf(db, c, short, 's-anon');
    expect(before.score).toBeGreaterThan(0);

    const done = await applyRetention(db, KEEP_ALL, new Date(), 2);

    expect(done).toMatchObject({ droppedPartitions: [], deletedEvents: 5 });
    expect(await ages(db, short.siteId)).toEqual([0, 30]);
    expect(await ages(db, other.siteId)).toEqual([0, 30, 330, 330, 330, 330, 330]);
    expect(await scoreOf(db, c, short, 's-anon')).toEqual(before);
  });

  it("should never delete within the horizon of a site's own model, whatever its retention", async () => {
    const { db } = await open();
    const long = await createSite(db, 'long model');
    await setSiteRetention(db, long.siteId, MIN_RETENTION_DAYS);
    // A model whose last decay step is 500 days reads events far beyond the default horizon.
    const steps = defaultConfig.decay.steps.map((s, i, all) => (i === all.length - 1 ? { ...s, days: 500 } : s));
    const config = { ...defaultConfig, decay: { steps } };
    await db.query('insert into site_configs (site_id, config) values ($1, $2)', [long.siteId, JSON.stringify(config)]);
    expect(horizonDays(config)).toBeGreaterThan(600);
    await storeDaysAgo(db, long, 'l-anon', 400);
    await storeDaysAgo(db, long, 'l-anon', 30);

    expect(await applyRetention(db, KEEP_ALL, new Date())).toMatchObject({ deletedEvents: 0 });
    expect(await ages(db, long.siteId)).toEqual([30, 400]);
    // The global setting, which drops whole partitions, waits for the longest horizon too.
    expect(await applyRetention(db, { ...KEEP_ALL, eventDays: MIN_RETENTION_DAYS }, new Date())).toMatchObject({
      droppedPartitions: [],
    });
    expect(await ages(db, long.siteId)).toEqual([30, 400]);
  });
});

describe('the idempotency ledger window', () => {
  it('should accept a messageId again once its ledger row is past the window, and still deduplicate a recent one', async () => {
    const { db, collector: c } = await open();
    const site = await createSite(db, 'ledger');
    const api = intentClient(c, site);
    const old = track({ anonymousId: 'l-anon' }, 'Pricing Viewed');
    const recent = track({ anonymousId: 'l-anon' }, 'Pricing Viewed');
    await api.send([old, recent]);
    // Time passes for the first message: its ledger row is 31 days old.
    await db.query(
      "update message_ids set received_at = now() - interval '31 days' where site_id = $1 and message_id = $2",
      [site.siteId, old.messageId],
    );
    // And an erasure's tombstone, which must outlive the window.
    await db.query("insert into message_ids (site_id, message_id, received_at) values ($1, 'erased', '-infinity')", [
      site.siteId,
    ]);

    const done = await applyRetention(db, KEEP_ALL, new Date(), 1);
    expect(done.prunedMessageIds).toBe(1);

    await api.send([old, recent]);
    const stored = await db.query<{ message_id: string; n: number }>(
      'select message_id, count(*)::int as n from events where site_id = $1 group by 1 order by 2',
      [site.siteId],
    );
    expect(stored).toEqual([
      { message_id: recent.messageId, n: 1 },
      { message_id: old.messageId, n: 2 },
    ]);
    expect(
      await db.query("select received_at from message_ids where site_id = $1 and message_id = 'erased'", [site.siteId]),
    ).toHaveLength(1);
  });
});

describe('retention in several collectors', () => {
  // The embedded database belongs to one process: no other can hold the lock.
  it.skipIf(!testDatabaseUrl())(
    'should leave the deletes to the collector that holds the retention lock, and do them once it is free',
    async () => {
      const { db } = await open();
      const site = await createSite(db, 'two collectors', [], { retentionDays: MIN_RETENTION_DAYS });
      await storeDaysAgo(db, site, 'two-anon', 330, 3);
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('select pg_advisory_lock($1)', [RETENTION_LOCK]);
        expect((await applyRetention(db, KEEP_ALL, new Date())).deletedEvents).toBe(0);
        expect(await ages(db, site.siteId)).toEqual([330, 330, 330]);
        await other.query('select pg_advisory_unlock($1)', [RETENTION_LOCK]);
        expect((await applyRetention(db, KEEP_ALL, new Date())).deletedEvents).toBe(3);
      } finally {
        await other.end();
      }
    },
  );
});
