import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { clearMarks } from '../db/unscored.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { type EventLoad, insertEvents, rowKey, uniqueRows } from './insert.ts';

// The statements live in insert.ts; callers that store rows without group commit import them from here too.
export { type Inserted, insertEvents } from './insert.ts';

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
 * Group commit: while `concurrency` groups are in flight, requests that arrive queue and the
 * next free slot stores all of them in one transaction (`insertEvents`). An idle collector
 * therefore writes at once, and a busy one pays one commit for many requests. Every request
 * is answered only after its rows are committed.
 */
export interface EventWriterOptions {
  /** Groups in flight at once. @default 1 embedded, 4 on PostgreSQL */
  concurrency?: number;
  /** Rows per group at most. @default 5000 */
  maxRows?: number;
  /** How groups reach `events` (`insert.ts`). @default 'copy' on PostgreSQL, 'json' embedded */
  load?: EventLoad;
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
      insertEvents(db, rows, pipeline !== undefined, options.load)
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
