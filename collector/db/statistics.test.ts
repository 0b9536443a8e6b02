import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { createEventWriter } from '../ingest/writer.ts';
import type { Database } from './client.ts';
import type { EventRow } from './event-row.ts';

let t: TestDatabase;
let db: Database;
beforeAll(async () => {
  t = await openTestDatabase();
  db = t.db;
});
afterAll(() => t?.close());

let seq = 0;
const row = (siteId: string): EventRow =>
  ({
    site_id: siteId,
    message_id: `stat-${++seq}`,
    type: 'page',
    anonymous_id: `visitor-${seq % 50}`,
    user_id: null,
    timestamp: new Date().toISOString(),
    received_at: new Date().toISOString(),
    properties: {},
    traits: {},
    context: {},
    is_bot: false,
  }) as unknown as EventRow;

/** The planner's row count of `events` (its partitions'), -1 or 0 when never analysed. */
const plannedRows = async () =>
  Number(
    (
      await db.query<{ n: number }>(
        `select coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 as n from pg_inherits i
           join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'events'`,
      )
    )[0]?.n,
  );

describe('the statistics of the embedded database', () => {
  // PostgreSQL's autovacuum keeps its own: there the writer leaves them alone.
  it.skipIf(testDatabaseUrl() !== undefined)(
    'should analyse the tables once the writer stored enough rows since the last analysis',
    async () => {
      const site = await newSite(db);
      const writer = createEventWriter(db);
      expect(await plannedRows()).toBe(0);
      // Under the threshold: nothing analysed.
      await writer.write(Array.from({ length: 100 }, () => row(site.siteId)));
      await writer.write([row(site.siteId)]);
      expect(await plannedRows()).toBe(0);
      // Past it: the next group first brings the statistics up to date.
      await writer.write(Array.from({ length: 500 }, () => row(site.siteId)));
      await writer.write([row(site.siteId)]);
      expect(await plannedRows()).toBeGreaterThanOrEqual(601);
    },
  );
});
