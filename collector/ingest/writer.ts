import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { clearMarks } from '../db/unscored.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';

/**
 * One set-based statement stores a whole batch: the idempotency ledger takes the
 * (site, messageId) pairs it has not seen, and only those rows reach `events`. Two
 * requests carrying the same batch at the same moment serialise on the ledger's key, so
 * each message is stored once; a failure stores nothing (one statement, one transaction).
 * With $2 true the same statement marks every stored event `unscored`, so the mark is
 * durable exactly when the event is (cleared once its identity and scores are committed).
 */
const INSERT_BATCH = `
WITH batch AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS b(
    site_id text, message_id text, type text, event text, name text,
    anonymous_id text, user_id text, group_id text, previous_id text,
    "timestamp" timestamptz, original_timestamp timestamptz, sent_at timestamptz,
    received_at timestamptz, properties jsonb, traits jsonb, context jsonb,
    url text, path text, referrer text, utm_source text, utm_medium text,
    utm_campaign text, utm_term text, utm_content text, browser text,
    browser_version text, os text, os_version text, device_type text,
    is_bot boolean, ip text)
), fresh AS (
  INSERT INTO message_ids (site_id, message_id, received_at)
  SELECT site_id, message_id, received_at FROM batch
  ON CONFLICT DO NOTHING
  RETURNING site_id, message_id
), erased AS (
  -- Repeats of messages whose events an erasure deleted (their ledger row is tombstoned).
  SELECT b.site_id, b.message_id FROM batch b
  WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.site_id = b.site_id AND f.message_id = b.message_id)
    AND EXISTS (SELECT 1 FROM message_ids m WHERE m.site_id = b.site_id AND m.message_id = b.message_id
                  AND m.received_at = '-infinity')
), stored AS (
INSERT INTO events (
  site_id, message_id, type, event, name, anonymous_id, user_id, group_id, previous_id,
  "timestamp", original_timestamp, sent_at, received_at, properties, traits, context,
  url, path, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
  browser, browser_version, os, os_version, device_type, is_bot, ip)
SELECT
  b.site_id, b.message_id, b.type, b.event, b.name, b.anonymous_id, b.user_id, b.group_id,
  b.previous_id, b."timestamp", b.original_timestamp, b.sent_at, b.received_at,
  b.properties, b.traits, b.context, b.url, b.path, b.referrer, b.utm_source, b.utm_medium,
  b.utm_campaign, b.utm_term, b.utm_content, b.browser, b.browser_version, b.os,
  b.os_version, b.device_type, b.is_bot, b.ip
FROM batch b JOIN fresh f USING (site_id, message_id)
RETURNING site_id, message_id, received_at, id
), marked AS (
  INSERT INTO unscored (site_id, message_id, received_at, event_id)
  SELECT site_id, message_id, received_at, id FROM stored WHERE $2::boolean
  ON CONFLICT DO NOTHING
)
SELECT site_id, message_id, false AS erased FROM stored
UNION ALL SELECT site_id, message_id, true FROM erased`;

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
  const out = await db.query<{ site_id: string; message_id: string; erased: boolean }>(INSERT_BATCH, [
    JSON.stringify(uniqueRows(rows)),
    mark,
  ]);
  const erased = new Set(out.filter((r) => r.erased).map((r) => rowKey(r.site_id, r.message_id)));
  return { inserted: out.length - erased.size, erased };
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
   * Identity and real-time scores: runs after a group's rows are committed and before its
   * requests are answered, with every row of the group, repeats of stored messages included:
   * a retry after a crash between the two repairs the scores. Repeats of erased messages are
   * left out, so a retry cannot re-create an erased person. A failure fails the requests.
   * With it, the insert marks the new rows `unscored` and the group's marks are deleted once
   * it resolves: a crash or failure in between leaves them for `pipeline/recover.ts`.
   * Without it, events are only stored.
   */
  pipeline?: Pipeline;
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
      const pipeline = options.pipeline;
      insertEvents(db, rows, pipeline !== undefined)
        .then(async ({ erased }) => {
          if (!pipeline) return;
          const live = erased.size === 0 ? rows : rows.filter((r) => !erased.has(rowKey(r.site_id, r.message_id)));
          await pipeline.run(live);
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
