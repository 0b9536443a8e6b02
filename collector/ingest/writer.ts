import type { Database } from '../db/client.ts';
import { clearMarks } from '../db/unscored.ts';
import { copyText, EVENTS_TARGET } from './copy-rows.ts';
import type { EventRow } from './enrich.ts';

/**
 * A group is stored in one transaction of two statements. First the idempotency ledger
 * takes the (site, messageId) pairs it has not seen; each gets an id from `events`' identity
 * sequence and, with $4 true, its `unscored` mark, so the mark is durable exactly when the
 * event is (cleared once its identity and scores are committed). Then one COPY loads only
 * those rows, with those ids, into `events` (copy-rows.ts: the JSON columns are parsed once,
 * by jsonb's input). Two groups carrying the same message at the same moment serialise on
 * the ledger's key, so each message is stored once; a failure stores nothing.
 */
const CLAIM = `
WITH batch AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS b(site_id, message_id, received_at)
), fresh AS (
  INSERT INTO message_ids (site_id, message_id, received_at)
  SELECT site_id, message_id, received_at FROM batch
  ON CONFLICT DO NOTHING
  RETURNING site_id, message_id, received_at
), claimed AS MATERIALIZED (
  SELECT f.*, nextval((SELECT pg_get_serial_sequence('events', 'id')::regclass)) AS id FROM fresh f
), marked AS (
  INSERT INTO unscored (site_id, message_id, received_at, event_id)
  SELECT site_id, message_id, received_at, id FROM claimed WHERE $4::boolean
  ON CONFLICT DO NOTHING
), erased AS (
  -- Repeats of messages whose events an erasure deleted (their ledger row is tombstoned).
  SELECT b.site_id, b.message_id FROM batch b
  WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.site_id = b.site_id AND f.message_id = b.message_id)
    AND EXISTS (SELECT 1 FROM message_ids m WHERE m.site_id = b.site_id AND m.message_id = b.message_id
                  AND m.received_at = '-infinity')
)
SELECT site_id, message_id, id FROM claimed
UNION ALL SELECT site_id, message_id, NULL FROM erased`;

/** What one insert did: how many rows were new, and which repeats were of erased messages. */
export interface Inserted {
  inserted: number;
  /** `site\u0001messageId` of the repeats whose events were erased: nothing may be derived from them. */
  erased: Set<string>;
}

const rowKey = (siteId: string, messageId: string) => `${siteId}\u0001${messageId}`;

/**
 * Stores rows; answers how many were new (the rest were repeats of stored messageIds) and
 * which repeats were of erased messages. With `mark`, the new rows are also marked unscored.
 */
export async function insertEvents(db: Database, rows: EventRow[], mark = false): Promise<Inserted> {
  if (rows.length === 0) return { inserted: 0, erased: new Set() };
  const unique = uniqueRows(rows);
  return db.transaction(async (tx) => {
    const claimed = await tx.query<{ site_id: string; message_id: string; id: number | null }>(CLAIM, [
      unique.map((r) => r.site_id),
      unique.map((r) => r.message_id),
      unique.map((r) => r.received_at),
      mark,
    ]);
    const ids = new Map<string, number>();
    const erased = new Set<string>();
    for (const c of claimed) {
      const key = rowKey(c.site_id, c.message_id);
      if (c.id === null) erased.add(key);
      else ids.set(key, c.id);
    }
    if (ids.size > 0) {
      const fresh = unique.flatMap((row) => {
        const id = ids.get(rowKey(row.site_id, row.message_id));
        return id === undefined ? [] : [{ row, id }];
      });
      await tx.copyFrom(EVENTS_TARGET, copyText(fresh));
    }
    return { inserted: ids.size, erased };
  });
}

/** Keeps the first row of each (site, messageId): a batch may repeat a message. */
function uniqueRows(rows: EventRow[]): EventRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = rowKey(r.site_id, r.message_id);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface EventWriter {
  /** Resolves once the rows are committed (or were already stored). */
  write(rows: EventRow[]): Promise<void>;
  /** Rows waiting for a flush slot; the ingest route sheds load above a bound. */
  readonly pending: number;
  /** Resolves when nothing is queued or in flight. */
  drain(): Promise<void>;
}

interface Waiting {
  rows: EventRow[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: while `concurrency` statements are in flight, requests that arrive queue
 * and the next free slot stores all of them in one statement. An idle collector therefore
 * writes at once, and a busy one pays one round trip for many requests. Every request is
 * answered only after its rows are committed.
 */
export interface EventWriterOptions {
  /** Statements in flight at once. @default 1 embedded, 4 on PostgreSQL */
  concurrency?: number;
  /** Rows per statement at most. @default 5000 */
  maxRows?: number;
  /**
   * Runs after a group's rows are committed and before its requests are answered (identity
   * and real-time scores), with every row of the group, repeats of stored messages included:
   * a retry after a crash between the two repairs the scores. Repeats of erased messages are
   * left out, so a retry cannot re-create an erased person. A failure fails the requests.
   * With it, the insert marks the new rows `unscored` and the group's marks are deleted once
   * it resolves: a crash or failure in between leaves them for `scoring/recover.ts`.
   */
  afterInsert?: (rows: EventRow[]) => Promise<void>;
}

export function createEventWriter(db: Database, options: EventWriterOptions = {}): EventWriter {
  const concurrency = options.concurrency ?? (db.kind === 'embedded' ? 1 : 4);
  const maxRows = options.maxRows ?? 5000;
  const queue: Waiting[] = [];
  let queuedRows = 0;
  let inFlight = 0;
  let idle: (() => void)[] = [];

  const pump = () => {
    while (inFlight < concurrency && queue.length > 0) {
      const group: Waiting[] = [];
      let n = 0;
      while (queue.length > 0 && (group.length === 0 || n + (queue[0]?.rows.length ?? 0) <= maxRows)) {
        const next = queue.shift() as Waiting;
        group.push(next);
        n += next.rows.length;
      }
      queuedRows -= n;
      inFlight++;
      const rows = group.flatMap((w) => w.rows);
      const after = options.afterInsert;
      insertEvents(db, rows, after !== undefined)
        .then(async ({ erased }) => {
          if (!after) return;
          const live = erased.size === 0 ? rows : rows.filter((r) => !erased.has(rowKey(r.site_id, r.message_id)));
          await after(live);
          // Only now: until this commits, a crash leaves the marks and recovery scores them.
          await clearMarks(db, uniqueRows(rows));
        })
        .then(
          () => settle(group, null),
          (err) => settle(group, err ?? new Error('insert failed')),
        );
    }
  };

  const settle = (group: Waiting[], err: unknown) => {
    inFlight--;
    for (const w of group) err ? w.reject(err) : w.resolve();
    pump();
    if (inFlight === 0 && queue.length === 0) {
      for (const done of idle) done();
      idle = [];
    }
  };

  return {
    write(rows) {
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ rows, resolve, reject });
        queuedRows += rows.length;
        pump();
      });
    },
    get pending() {
      return queuedRows;
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
