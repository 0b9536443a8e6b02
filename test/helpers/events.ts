import type { Database } from '../../collector/db/client.ts';

export interface BulkEvents {
  count: number;
  /** Row ids are `firstId`, `firstId + 1`, ...: pick them across a power of ten to catch text-vs-number ordering. */
  firstId: number;
  /** Every event's timestamp (and received time): they all tie. */
  timestamp: string;
  anonymousId: string;
  /** messageIds are `${prefix}${n}`. */
  prefix: string;
}

/**
 * Stores `count` page views of one visitor in one set-based statement, for tests that need
 * tens of thousands of events (the ingest route would take minutes). The row ids are given
 * (`overriding system value`): they are far from the identity sequence's and belong to the
 * test's own site, whose keyset (site, timestamp, id) stays unique.
 */
export async function insertEvents(db: Database, siteId: string, e: BulkEvents): Promise<string[]> {
  await db.query(
    `insert into events (site_id, received_at, id, message_id, type, anonymous_id, "timestamp",
       properties, traits, context, url, path, is_bot)
     overriding system value
     select $1, $2::timestamptz, $3::int8 + g, $4 || g, 'page', $5, $2::timestamptz,
       jsonb_build_object('path', '/bulk/' || g), '{}'::jsonb, '{}'::jsonb,
       'https://bulk.example/bulk/' || g, '/bulk/' || g, false
     from generate_series(0, $6::int - 1) as g`,
    [siteId, e.timestamp, e.firstId, e.prefix, e.anonymousId, e.count],
  );
  return Array.from({ length: e.count }, (_, n) => `${e.prefix}${n}`);
}
