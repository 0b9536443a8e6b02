import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { rowKey } from '../db/event-row.ts';
import { keepStatistics } from '../db/statistics.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { type EventLoad, insertEvents, uniqueRows } from './insert.ts';

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
 * Group commit in lanes: each row goes to the lane of its visitor (its user id, else its
 * anonymous id), and each lane stores one group at a time, all the requests' rows that queued for
 * it meanwhile, in one transaction (`insertEvents`), then runs the pipeline on them. An idle
 * collector therefore writes at once, and a busy one pays one commit for many requests.
 * A visitor's messages stay in order in one lane, so two lanes' groups rarely share a person:
 * with groups taken from one queue, every group held the locks of some of the same people as
 * the groups beside it (a batch from a server library names many visitors) and waited for
 * them. Each request is answered once every lane it went to has committed its rows (and
 * scored them); if one fails, the request fails, and its retry stores only what is missing.
 */
export interface EventWriterOptions {
  /** Lanes, each with one group in flight. @default 1 embedded, 4 on PostgreSQL */
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

interface Lane {
  queue: Waiting[];
  busy: boolean;
}

/**
 * The lane of a row's visitor (FNV-1a of the site and the user id, else the anonymous id):
 * the same user, or the same anonymous visitor, the same lane, so their messages are
 * resolved in the order sent (what the cap on a person's anonymous ids counts by).
 */
export function laneOf(row: EventRow, lanes: number): number {
  if (lanes === 1) return 0;
  const key = `${row.site_id}\u0001${row.user_id ?? row.anonymous_id ?? row.message_id}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

export function createEventWriter(db: Database, options: EventWriterOptions = {}): EventWriter {
  const concurrency = options.concurrency ?? (db.kind === 'embedded' ? 1 : 4);
  const maxRows = options.maxRows ?? 5000;
  const lanes: Lane[] = Array.from({ length: concurrency }, () => ({ queue: [], busy: false }));
  let queuedRows = 0;
  let idle: (() => void)[] = [];
  const quiet = () => lanes.every((l) => !l.busy && l.queue.length === 0);
  const statistics = keepStatistics(db);

  const pump = (lane: Lane) => {
    if (lane.busy || lane.queue.length === 0) return;
    const group: Waiting[] = [];
    let n = 0;
    while (lane.queue.length > 0 && (group.length === 0 || n + (lane.queue[0]?.rows.length ?? 0) <= maxRows)) {
      const next = lane.queue.shift() as Waiting;
      group.push(next);
      n += next.rows.length;
    }
    queuedRows -= n;
    lane.busy = true;
    const rows = group.flatMap((w) => w.rows);
    const pipeline = options.pipeline;
    statistics
      .ready()
      .then(() => insertEvents(db, rows, pipeline !== undefined, options.load))
      .then(async ({ inserted, fresh, erased }) => {
        statistics.written(inserted);
        if (!pipeline) return;
        const live = erased.size === 0 ? rows : rows.filter((r) => !erased.has(rowKey(r.site_id, r.message_id)));
        // The marks go with the last scores: until they commit, a crash leaves the marks and
        // recovery scores them.
        await pipeline.run(live, fresh, uniqueRows(rows));
      })
      .then(
        () => settle(lane, group, null),
        (err) => settle(lane, group, err ?? new Error('insert failed')),
      );
  };

  const settle = (lane: Lane, group: Waiting[], err: unknown) => {
    lane.busy = false;
    for (const w of group) err ? w.reject(err) : w.resolve();
    pump(lane);
    if (quiet()) {
      for (const done of idle) done();
      idle = [];
    }
  };

  const enqueue = (lane: Lane, rows: EventRow[]) =>
    new Promise<void>((resolve, reject) => {
      lane.queue.push({ rows, resolve, reject });
      queuedRows += rows.length;
      pump(lane);
    });

  return {
    write(rows) {
      if (rows.length === 0) return Promise.resolve();
      const parts = new Map<number, EventRow[]>();
      for (const row of rows) {
        const i = laneOf(row, concurrency);
        const part = parts.get(i);
        if (part) part.push(row);
        else parts.set(i, [row]);
      }
      return Promise.all([...parts].map(([i, part]) => enqueue(lanes[i] as Lane, part))).then(() => undefined);
    },
    get pending() {
      return queuedRows;
    },
    drain() {
      if (quiet()) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
