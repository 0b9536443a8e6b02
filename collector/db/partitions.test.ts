import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { type FreshDatabase, openFreshDatabase } from '../../test/helpers/fresh-database.ts';
import { enrich } from '../ingest/enrich.ts';
import { messageSchema } from '../ingest/schema.ts';
import { insertEvents } from '../ingest/writer.ts';
import type { Queryable } from './client.ts';
import {
  addMonths,
  DEFAULT_PARTITION,
  dropPartitionsBefore,
  ensureEventPartitions,
  listEventPartitions,
  MONTHS_AHEAD,
  monthStart,
  partitionMonth,
  partitionName,
} from './partitions.ts';

/** The migrations before `events` became partitioned (0000-0007). */
const BEFORE_PARTITIONING = 8;

let fresh: FreshDatabase | undefined;
afterEach(async () => {
  await fresh?.close();
  fresh = undefined;
});

/** Stores one page view received at `receivedAt` through the ingest writer's statement. */
async function storeAt(db: FreshDatabase['db'], siteId: string, receivedAt: Date, messageId: string) {
  const message = messageSchema.parse({ type: 'page', messageId, anonymousId: 'anon-1', properties: { path: '/x' } });
  const row = enrich(message, {
    siteId,
    receivedAt,
    sentAt: undefined,
    context: undefined,
    clientIp: undefined,
    userAgent: undefined,
    newMessageId: () => messageId,
  });
  return insertEvents(db, [row]);
}

const whereIs = async (db: Queryable, messageId: string) =>
  (
    await db.query<{ partition: string; id: number }>(
      'select tableoid::regclass::text as partition, id from events where message_id = $1',
      [messageId],
    )
  )[0];

/** The partitions of the index named `index` (on the parent), by table. */
const indexedPartitions = async (db: Queryable, index: string) =>
  (
    await db.query<{ t: string }>(
      `select x.indrelid::regclass::text as t from pg_inherits i join pg_index x on x.indexrelid = i.inhrelid
       where i.inhparent = $1::regclass order by 1`,
      [index],
    )
  ).map((r) => r.t);

describe('partition names', () => {
  it('should name a month events_YYYY_MM in UTC and read the month back', () => {
    const month = monthStart(new Date('2026-12-31T23:30:00-05:00'));
    expect(month.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(partitionName(month)).toBe('events_2027_01');
    expect(partitionMonth('events_2027_01')?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(partitionMonth(DEFAULT_PARTITION)).toBeUndefined();
    expect(addMonths(month, -2).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('migration 0008: events becomes partitioned by month', () => {
  it('should keep every row, id and index of a database holding events, and continue the ids', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate(BEFORE_PARTITIONING);
    const months = [
      '2024-02-10T08:00:00Z',
      '2024-02-28T23:59:59.999Z',
      '2025-07-01T00:00:00Z',
      new Date().toISOString(),
    ];
    for (const [n, at] of months.entries()) {
      await db.query(
        `insert into events (site_id, received_at, message_id, type, anonymous_id, "timestamp", properties,
           traits, context, is_bot) values ('site-a', $1, $2, 'page', 'anon', $1, '{"n": 1}', '{}', '{}', false)`,
        [at, `m${n}`],
      );
    }
    // An index another migration added before this one ran.
    await db.query('CREATE INDEX "events_site_name_test_idx" ON "events" USING btree ("site_id","name")');
    const before = await db.query('select * from events order by id');

    await fresh.migrate();

    const [kind] = await db.query<{ relkind: string }>("select relkind from pg_class where relname = 'events'");
    expect(kind?.relkind).toBe('p');
    expect(await db.query('select * from events order by id')).toEqual(before);
    const names = (await listEventPartitions(db)).map((p) => p.name);
    const ahead = Array.from({ length: MONTHS_AHEAD + 1 }, (_, n) =>
      partitionName(addMonths(monthStart(new Date()), n)),
    );
    expect(names).toEqual([...new Set(['events_2024_02', 'events_2025_07', ...ahead])]);
    expect(await db.query(`select 1 from ${DEFAULT_PARTITION}`)).toEqual([]);
    expect((await whereIs(db, 'm1'))?.partition).toBe('events_2024_02');
    for (const index of [
      'events_site_anonymous_time_idx',
      'events_site_user_time_idx',
      'events_site_timestamp_idx',
      'events_site_name_test_idx',
    ]) {
      expect(await indexedPartitions(db, index)).toHaveLength(names.length + 1);
    }
    const stored = await storeAt(db, 'site-a', new Date(), 'after-migration');
    expect(stored.inserted).toBe(1);
    expect((await whereIs(db, 'after-migration'))?.id).toBe(Number((before.at(-1) as { id: number }).id) + 1);
  });
});

describe('partitions made ahead', () => {
  it('should store an event received next month in that month, and one received past the made months too', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate();
    const nextMonth = addMonths(monthStart(new Date()), 1);
    await storeAt(db, 'site-a', new Date(nextMonth.getTime() + 3_600_000), 'next-month');
    expect((await whereIs(db, 'next-month'))?.partition).toBe(partitionName(nextMonth));

    // Months from now, when the collector's job has made that month's partition.
    const later = addMonths(monthStart(new Date()), 6);
    expect(await ensureEventPartitions(db, later)).toContain(partitionName(later));
    await storeAt(db, 'site-a', new Date(later.getTime() + 60_000), 'later');
    expect((await whereIs(db, 'later'))?.partition).toBe(partitionName(later));
    expect(await ensureEventPartitions(db, later)).toEqual([]);
  });

  it('should catch an event no partition covers in the default partition, then move it into its month with its id', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate();
    const far = addMonths(monthStart(new Date()), 20);
    await storeAt(db, 'site-a', new Date(far.getTime() + 86_400_000), 'far');
    const caught = await whereIs(db, 'far');
    expect(caught?.partition).toBe(DEFAULT_PARTITION);

    expect(await ensureEventPartitions(db, new Date())).toEqual([partitionName(far)]);
    expect(await whereIs(db, 'far')).toEqual({ partition: partitionName(far), id: caught?.id });
    expect(await db.query(`select 1 from ${DEFAULT_PARTITION}`)).toEqual([]);
  });

  it('should give a partition made later the indexes a later migration declares on events', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate();
    // As a drizzle-kit migration adding an index to `events` writes it.
    await db.query(
      'CREATE INDEX "events_site_user_time_test_idx" ON "events" USING btree ("site_id","user_id","timestamp")',
    );
    const later = addMonths(monthStart(new Date()), 9);
    await ensureEventPartitions(db, later);
    const partitions = await indexedPartitions(db, 'events_site_user_time_test_idx');
    expect(partitions).toContain(partitionName(later));
    expect(partitions).toHaveLength((await listEventPartitions(db)).length + 1);
  });
});

describe('partition changes under a long read', () => {
  // The embedded database has one connection: nothing else can hold a lock there.
  it.skipIf(!testDatabaseUrl())(
    'should leave a partition that a running read holds for the next run instead of failing or waiting',
    async () => {
      fresh = await openFreshDatabase();
      const { db } = fresh;
      await fresh.migrate();
      const old = addMonths(monthStart(new Date()), -20);
      await storeAt(db, 'site-a', new Date(old.getTime() + 86_400_000), 'old');
      await ensureEventPartitions(db, new Date());
      const reader = new pg.Client({ connectionString: db.url });
      await reader.connect();
      try {
        await reader.query('begin');
        await reader.query('select count(*) from events');
        const cutoff = addMonths(monthStart(new Date()), -12);
        expect(await dropPartitionsBefore(db, cutoff)).toEqual([]);
        await reader.query('commit');
        expect(await dropPartitionsBefore(db, cutoff)).toEqual([partitionName(old)]);
        expect(await whereIs(db, 'old')).toBeUndefined();
      } finally {
        await reader.end();
      }
    },
  );
});
