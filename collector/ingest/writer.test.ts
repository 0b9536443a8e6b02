import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { type EventRow, rowKey } from '../db/event-row.ts';
import { type EventLoad, insertEvents } from './insert.ts';
import { cleanString } from './sanitize.ts';
import { createEventWriter, laneOf } from './writer.ts';

let t: TestDatabase;
let db: Database;
beforeAll(async () => {
  t = await openTestDatabase();
  db = t.db;
});
afterAll(() => t?.close());

let seq = 0;
const RECEIVED = '2026-11-20T10:00:00.123Z';

/** An enriched row as the ingest route builds it; `over` replaces any column. */
function row(siteId: string, over: Partial<EventRow> = {}): EventRow {
  return {
    site_id: siteId,
    message_id: `w-${++seq}`,
    type: 'track',
    event: 'Signed Up',
    name: null,
    anonymous_id: 'anon-1',
    user_id: null,
    group_id: null,
    previous_id: null,
    timestamp: '2026-11-20T09:59:58.000Z',
    original_timestamp: '2026-11-20T09:59:57.500Z',
    sent_at: null,
    received_at: RECEIVED,
    properties: {},
    traits: {},
    context: {},
    url: null,
    path: null,
    referrer: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    browser: null,
    browser_version: null,
    os: null,
    os_version: null,
    device_type: null,
    is_bot: false,
    ip: null,
    ...over,
  };
}

const TEXT_COLUMNS = [
  'message_id',
  'type',
  'event',
  'name',
  'anonymous_id',
  'user_id',
  'group_id',
  'previous_id',
  'url',
  'path',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device_type',
  'ip',
] as const;
const TIME_COLUMNS = ['timestamp', 'original_timestamp', 'sent_at', 'received_at'] as const;
const JSON_COLUMNS = ['properties', 'traits', 'context'] as const;

/**
 * Each stored row equals what was written: text and booleans as they were, times as the same
 * instants, and each JSON column equal to `$1::jsonb` of its `JSON.stringify` (what the
 * earlier one-statement writer stored) as well as to the object itself.
 */
async function expectStoredExactly(rows: EventRow[], on: Database = db): Promise<void> {
  for (const r of rows) {
    const [got] = await on.query<Record<string, unknown>>(
      `SELECT *, properties = $3::text::jsonb AS same_properties, traits = $4::text::jsonb AS same_traits,
         context = $5::text::jsonb AS same_context
       FROM events WHERE site_id = $1 AND message_id = $2`,
      [r.site_id, r.message_id, JSON.stringify(r.properties), JSON.stringify(r.traits), JSON.stringify(r.context)],
    );
    expect(got, r.message_id).toBeDefined();
    const stored = got as Record<string, unknown>;
    for (const c of TEXT_COLUMNS) expect(stored[c], c).toBe(r[c]);
    for (const c of TIME_COLUMNS) {
      const v = stored[c];
      expect(v === null ? null : (v as Date).toISOString(), c).toBe(r[c]);
    }
    for (const c of JSON_COLUMNS) {
      expect(stored[`same_${c}`], c).toBe(true);
      expect(stored[c], c).toEqual(JSON.parse(JSON.stringify(r[c])));
    }
    expect(stored.is_bot).toBe(r.is_bot);
  }
}

const AWKWARD = [
  'tab\there',
  'line\nbreak',
  'carriage\rreturn\r\n',
  'back\\slash \\N \\t \\\\ \\',
  '\\.',
  '\\N',
  '"quoted" \'single\'',
  'émoji 🧪👩🏽‍💻 中文 עברית ǅ e\u0301',
  '\u2028\u2029\u000b\u000c\u0001\u001f\u007f',
  '',
];

// Both ways of loading a group run on both databases (each database's default is the other's alternative).
describe.each(['copy', 'json'] as EventLoad[])('the event writer, loading with %s', (load) => {
  it('should store awkward text, JSON, huge numbers and nulls exactly as given', async () => {
    const site = await newSite(db);
    const rows = AWKWARD.map((s, i) =>
      row(site.siteId, {
        message_id: `awkward ${i} ${s}`,
        type: i % 2 ? 'page' : 'track',
        event: s,
        name: s === '' ? null : s,
        url: `https://acme.test/${s}`,
        path: s,
        referrer: s,
        utm_term: s,
        browser: s,
        ip: i % 3 ? null : s,
        is_bot: i % 2 === 0,
        sent_at: i % 2 ? null : '2026-11-20T09:59:59.999Z',
        properties: {
          [s]: s,
          nested: { list: [s, null, true, false, 0, -1.5, [s]], empty: {}, none: [] },
          nothing: null,
          big: 1e308,
          tiny: 5e-324,
          negative: -Number.MAX_VALUE,
          safe: Number.MAX_SAFE_INTEGER,
          unsafe: 2 ** 64,
          precise: 0.1 + 0.2,
          zero: -0,
        },
        traits: { email: `a${i}@acme.test`, note: s, [`key\t${i}\n`]: [s] },
        context: { page: { path: s, search: `?q=${s}` }, userAgent: s, library: { name: 'x\\y' } },
      }),
    );
    const out = await insertEvents(db, rows, false, load);
    expect(out).toEqual({
      inserted: rows.length,
      fresh: new Set(rows.map((r) => rowKey(r.site_id, r.message_id))),
      erased: new Set(),
    });
    await expectStoredExactly(rows);
  });

  it('should store any NUL-free, well-formed text and JSON exactly (property)', async () => {
    const site = await newSite(db);
    const text = fc.string({ unit: 'binary', maxLength: 20 }).map(cleanString);
    const json = fc.dictionary(
      text,
      fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
      { maxKeys: 5 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text, json, json), { minLength: 1, maxLength: 6 }), async (specs) => {
        const rows = specs.map(([a, b, properties, context]) =>
          row(site.siteId, { event: a, url: b, referrer: a + b, properties, traits: { a: b }, context }),
        );
        expect((await insertEvents(db, rows, false, load)).inserted).toBe(rows.length);
        await expectStoredExactly(rows);
      }),
      { numRuns: 15 },
    );
  });

  it('should store each message once: a batch repeating a message, then a retry of it all', async () => {
    const site = await newSite(db);
    const a = row(site.siteId);
    const b = row(site.siteId);
    expect((await insertEvents(db, [a, b, { ...a, event: 'Repeated' }], false, load)).inserted).toBe(2);
    const c = row(site.siteId);
    expect((await insertEvents(db, [b, a, c], true, load)).inserted).toBe(1);
    const stored = await db.query<{ message_id: string; event: string }>(
      'SELECT message_id, event FROM events WHERE site_id = $1',
      [site.siteId],
    );
    expect(stored.sort(byMessageId)).toEqual(
      [a, b, c].map((r) => ({ message_id: r.message_id, event: 'Signed Up' })).sort(byMessageId),
    );
    // Only the row that was new in the marking insert has its unscored mark.
    const marks = await db.query<{ message_id: string }>('SELECT message_id FROM unscored WHERE site_id = $1', [
      site.siteId,
    ]);
    expect(marks).toEqual([{ message_id: c.message_id }]);
  });

  it('should store nothing of a group when one of its rows fails, and store the group once fixed', async () => {
    const site = await newSite(db);
    const good = [row(site.siteId), row(site.siteId)];
    // `type` is NOT NULL in events: the ledger insert before it must roll back too.
    const bad = row(site.siteId, { type: null as unknown as string });
    await expect(insertEvents(db, [...good, bad], true, load)).rejects.toThrow();
    const count = async (table: string) =>
      Number(
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE site_id = $1`, [site.siteId]))[0]
          ?.n,
      );
    expect([await count('events'), await count('message_ids'), await count('unscored')]).toEqual([0, 0, 0]);
    // Nothing of the failed group is left staged on the connection for the next group.
    expect((await insertEvents(db, good, true, load)).inserted).toBe(2);
    expect([await count('events'), await count('message_ids'), await count('unscored')]).toEqual([2, 2, 2]);
  });

  it('should report repeats of erased messages and store nothing for them', async () => {
    const site = await newSite(db);
    const kept = row(site.siteId);
    const gone = row(site.siteId);
    await insertEvents(db, [kept, gone], false, load);
    // What an erasure leaves: the event deleted, its ledger row tombstoned.
    await db.query('DELETE FROM events WHERE site_id = $1 AND message_id = $2', [site.siteId, gone.message_id]);
    await db.query(`UPDATE message_ids SET received_at = '-infinity' WHERE site_id = $1 AND message_id = $2`, [
      site.siteId,
      gone.message_id,
    ]);
    const out = await insertEvents(db, [kept, gone, row(site.siteId)], false, load);
    expect(out.inserted).toBe(1);
    expect([...out.erased]).toEqual([`${site.siteId}\u0001${gone.message_id}`]);
  });

  it('should store concurrent groups from many callers, each row once', async () => {
    const site = await newSite(db);
    const writer = createEventWriter(db, { maxRows: 7, load });
    const rows = Array.from({ length: 120 }, (_, i) => row(site.siteId, { properties: { i } }));
    // Every row is written twice by different callers at the same time.
    await Promise.all(
      [rows, [...rows].reverse()].flatMap((list) =>
        Array.from({ length: 12 }, (_, k) => writer.write(list.slice(k * 10, k * 10 + 10))),
      ),
    );
    await writer.drain();
    const [stored] = await db.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct FROM events WHERE site_id = $1',
      [site.siteId],
    );
    expect(stored).toEqual({ n: 120, distinct: 120 });
  });
});

describe('the event writer in lanes', () => {
  it("should keep each visitor's rows in one lane and spread visitors over every lane", () => {
    const lanes = (visitor: string) =>
      new Set(Array.from({ length: 5 }, () => laneOf(row('site_a', { anonymous_id: visitor }), 4)));
    for (let v = 0; v < 50; v++) expect(lanes(`anon-${v}`).size).toBe(1);
    // The user id decides when there is one (every device of a user, in the order sent);
    // without either id, the message.
    const server = row('site_a', { anonymous_id: null, user_id: 'user-9' });
    expect(laneOf({ ...server, message_id: 'other' }, 4)).toBe(laneOf(server, 4));
    const devices = new Set(
      Array.from({ length: 20 }, (_, d) =>
        laneOf(row('site_a', { anonymous_id: `device-${d}`, user_id: 'user-9' }), 4),
      ),
    );
    expect([...devices]).toEqual([laneOf(server, 4)]);
    const used = new Set(Array.from({ length: 200 }, (_, v) => laneOf(row('site_a', { anonymous_id: `v${v}` }), 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
    expect(laneOf(row('site_a'), 1)).toBe(0);
  });

  it('should answer a request across lanes once all of them stored it, fail it when one lane fails, and store the rest once on its retry', async () => {
    const site = await newSite(db);
    const writer = createEventWriter(db, { concurrency: 4 });
    const visitors = Array.from({ length: 40 }, (_, v) => `visitor-${v}`);
    const request = visitors.map((v) => row(site.siteId, { anonymous_id: v }));
    expect(new Set(request.map((r) => laneOf(r, 4))).size).toBe(4);
    await writer.write(request);
    const count = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from events where site_id = $1', [site.siteId]))[0]?.n;
    expect(await count()).toBe(40);

    // One bad row (type is NOT NULL) fails its lane's group and so the request.
    const next = visitors.map((v) => row(site.siteId, { anonymous_id: v }));
    const bad = { ...next[0]!, type: null as unknown as string };
    await expect(writer.write([bad, ...next.slice(1)])).rejects.toThrow();
    await writer.drain();
    const badLane = laneOf(bad, 4);
    const otherLanes = next.slice(1).filter((r) => laneOf(r, 4) !== badLane).length;
    expect(await count()).toBe(40 + otherLanes);
    // The client's retry of the whole request (fixed) stores what is missing, nothing twice.
    await writer.write(next);
    expect(await count()).toBe(80);
    const [distinct] = await db.query<{ n: number }>(
      'select count(distinct message_id)::int as n from events where site_id = $1',
      [site.siteId],
    );
    expect(distinct?.n).toBe(80);
  });
});

describe.each(['copy', 'json'] as EventLoad[])(
  'the event writer on a monthly range-partitioned events table, loading with %s',
  (load) => {
    it('should route each row to its month, with the ledger and the unscored marks as on a plain table', async () => {
      const site = await newSite(db);
      const schema = `writer_part_${Math.random().toString(36).slice(2, 8)}`;
      await db.query(`CREATE SCHEMA ${schema}`);
      // The same columns, keys and indexes as events, partitioned by received_at; a schema of
      // its own shadows public.events only (the ledger and the marks stay the public ones).
      await db.query(
        `CREATE TABLE ${schema}.events (LIKE public.events INCLUDING ALL) PARTITION BY RANGE (received_at)`,
      );
      for (const [month, from, to] of [
        ['2026_10', '2026-10-01', '2026-11-01'],
        ['2026_11', '2026-11-01', '2026-12-01'],
      ])
        await db.query(
          `CREATE TABLE ${schema}.events_${month} PARTITION OF ${schema}.events FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      const on = await usingSchema(db, schema);
      try {
        const october = row(site.siteId, { received_at: '2026-10-31T23:59:59.999Z', properties: { tab: 'a\tb' } });
        const november = [row(site.siteId), row(site.siteId, { received_at: '2026-11-01T00:00:00.000Z' })];
        const out = await insertEvents(on, [october, ...november, october], true, load);
        expect(out.inserted).toBe(3);
        expect((await insertEvents(on, [october, ...november], true, load)).inserted).toBe(0);
        const stored = await on.query<{ part: string; message_id: string; id: number }>(
          `SELECT n.nspname || '.' || c.relname AS part, e.message_id, e.id
         FROM events e JOIN pg_class c ON c.oid = e.tableoid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE e.site_id = $1`,
          [site.siteId],
        );
        expect(stored.map((r) => [r.part, r.message_id]).sort()).toEqual(
          [
            [`${schema}.events_2026_10`, october.message_id],
            ...november.map((r) => [`${schema}.events_2026_11`, r.message_id]),
          ].sort(),
        );
        const marks = await on.query<{ message_id: string; event_id: number }>(
          'SELECT message_id, event_id FROM public.unscored WHERE site_id = $1',
          [site.siteId],
        );
        expect(marks.map((m) => [m.message_id, m.event_id]).sort()).toEqual(
          stored.map((r) => [r.message_id, r.id]).sort(),
        );
        await expectStoredExactly([october, ...november], on);
        const plain = await db.query('SELECT 1 FROM public.events WHERE site_id = $1', [site.siteId]);
        expect(plain).toEqual([]);
      } finally {
        await on.close();
        await db.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    });
  },
);

/**
 * The test database with `schema` first on the search path: another connection pool on
 * PostgreSQL; on the embedded engine (one connection) the same database, reset on close.
 */
async function usingSchema(base: Database, schema: string): Promise<Database> {
  if (base.url) {
    const url = new URL(base.url);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    return openDatabase({ url: url.toString(), max: 2 });
  }
  await base.query(`SET search_path TO ${schema}, public`);
  return { ...base, close: async () => void (await base.query('RESET search_path')) };
}

function byMessageId(a: { message_id: string }, b: { message_id: string }) {
  return a.message_id < b.message_id ? -1 : a.message_id > b.message_id ? 1 : 0;
}

describe('the event writer on the embedded database', () => {
  /** The planner's row count of `events` (its partitions'), 0 when never analysed. */
  const plannedRows = async () =>
    Number(
      (
        await db.query<{ n: number }>(
          `select coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 as n from pg_inherits i
             join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'events'`,
        )
      )[0]?.n,
    );
  const storedRows = async () =>
    Number((await db.query<{ n: number }>('select count(*)::float8 as n from events'))[0]?.n);

  // PostgreSQL's autovacuum keeps the statistics there: the writer leaves them alone.
  it.skipIf(testDatabaseUrl() !== undefined)(
    'should analyse the tables once it stored enough rows since the last analysis (no autovacuum here)',
    async () => {
      const site = await newSite(db);
      const writer = createEventWriter(db);
      // Under the threshold (500 rows): nothing analysed.
      await writer.write(Array.from({ length: 100 }, () => row(site.siteId)));
      await writer.write([row(site.siteId)]);
      expect(await plannedRows()).toBeLessThan(await storedRows());
      // Past it: the next group first brings the statistics up to date.
      await writer.write(Array.from({ length: 500 }, () => row(site.siteId)));
      await writer.write([row(site.siteId)]);
      expect(await plannedRows()).toBeGreaterThanOrEqual((await storedRows()) - 1);
    },
  );
});
