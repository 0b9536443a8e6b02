import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import type { Database } from '../collector/db/client.ts';
import type { EventRow } from '../collector/db/event-row.ts';
import { createEventWriter } from '../collector/ingest/writer.ts';

/**
 * What the collector is measured against, on the same rows it stored: PostgreSQL's COPY
 * (the ceiling), the collector's own writer without HTTP (how much of the cost is the
 * database statement), and one INSERT per row (the naive way).
 */

/** The enriched columns, in table order; `id` is GENERATED ALWAYS and left out. */
export const EVENT_COLUMNS = [
  'site_id',
  'received_at',
  'message_id',
  'type',
  'event',
  'name',
  'anonymous_id',
  'user_id',
  'group_id',
  'previous_id',
  'timestamp',
  'original_timestamp',
  'sent_at',
  'properties',
  'traits',
  'context',
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
  'is_bot',
  'ip',
] as const satisfies readonly (keyof EventRow)[];

const COLUMN_LIST = EVENT_COLUMNS.map((c) => `"${c}"`).join(', ');
const TIME_COLUMNS = new Set(['received_at', 'timestamp', 'original_timestamp', 'sent_at']);
const JSON_COLUMNS = new Set(['properties', 'traits', 'context']);

export interface StoredRows {
  /** The rows in COPY text format, as PostgreSQL wrote them. */
  copyText: Buffer[];
  /** The same rows as the collector's writer takes them. */
  rows: EventRow[];
}

/**
 * Reads back what the collector stored, in insertion order. Two connections: once a
 * `COPY TO STDOUT` stream has applied backpressure, postgres.js leaves its socket paused,
 * and a later query on the same connection waits forever (seen with 100,000 rows).
 */
export async function readStoredRows(url: string): Promise<StoredRows> {
  const copyText: Buffer[] = [];
  const forCopy = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const out = await forCopy.unsafe(`COPY (SELECT ${COLUMN_LIST} FROM events ORDER BY id) TO STDOUT`).readable();
    for await (const chunk of out) copyText.push(chunk as Buffer);
  } finally {
    await forCopy.end({ timeout: 5 });
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const raw = await sql.unsafe(`SELECT ${COLUMN_LIST} FROM events ORDER BY id`);
    const rows = raw.map((r) => {
      const row: Record<string, unknown> = { ...r };
      for (const c of TIME_COLUMNS) row[c] = row[c] instanceof Date ? (row[c] as Date).toISOString() : row[c];
      return row as unknown as EventRow;
    });
    return { copyText, rows };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One COPY ... FROM STDIN of every row; answers the elapsed milliseconds. */
export async function copyRows(url: string, copyText: Buffer[]): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`SELECT 1`; // connect before the clock starts
    const start = performance.now();
    const sink = (await sql.unsafe(`COPY events (${COLUMN_LIST}) FROM STDIN`).writable()) as Writable;
    await pipeline(async function* () {
      yield* copyText;
    }, sink);
    return performance.now() - start;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The collector's writer (group commit, set-based statement, idempotency ledger) fed
 * directly: `clients` callers each writing `batchSize` rows at a time, as the HTTP route
 * would, but with no HTTP, parsing, validation or enrichment. Answers elapsed ms.
 */
export async function writeRowsDirectly(
  db: Database,
  rows: EventRow[],
  options: { clients: number; batchSize: number },
): Promise<number> {
  const writer = createEventWriter(db);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < rows.length) {
        const from = next;
        next += options.batchSize;
        await writer.write(rows.slice(from, from + options.batchSize));
      }
    }),
  );
  await writer.drain();
  return performance.now() - start;
}

/** One prepared single-row INSERT per row (autocommit), from `clients` connections. */
export async function insertRowByRow(url: string, rows: EventRow[], clients: number): Promise<number> {
  const sql = postgres(url, { max: clients, onnotice: () => {} });
  const placeholders = EVENT_COLUMNS.map((c, i) => {
    if (TIME_COLUMNS.has(c)) return `$${i + 1}::timestamptz`;
    if (JSON_COLUMNS.has(c)) return `$${i + 1}::jsonb`;
    return `$${i + 1}`;
  });
  const text = `INSERT INTO events (${COLUMN_LIST}) VALUES (${placeholders.join(', ')})`;
  // postgres.js serialises a parameter the server types as jsonb with JSON.stringify itself.
  const params = (r: EventRow) => EVENT_COLUMNS.map((c) => r[c]) as never[];
  try {
    await Promise.all(Array.from({ length: clients }, () => sql`SELECT 1`));
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < rows.length) {
          const row = rows[next++] as EventRow;
          await sql.unsafe(text, params(row), { prepare: true });
        }
      }),
    );
    return performance.now() - start;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
