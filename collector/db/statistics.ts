import type { Database } from './client.ts';

/**
 * The planner's statistics on the embedded database. PostgreSQL's autovacuum analyses a
 * table once enough of it changed; the embedded engine runs no autovacuum, so its tables
 * were never analysed and the planner guessed from their size alone: while a site's events
 * grew from 1,000 to 4,000, reading 12 people's events for scoring went from 17 to 72 ms (a
 * scan of the site's month for each group) before the guess flipped to the index at 3 ms.
 * The writer says how many rows it stored; once they reach autovacuum's rule (50 rows plus
 * a tenth of what was there at the last analysis, here at least `minRows`), the next group
 * waits for one ANALYZE. On PostgreSQL it does nothing.
 */
export interface Statistics {
  /** Rows just stored. */
  written(rows: number): void;
  /** Resolves once the statistics are fresh enough for the next group (at once, mostly). */
  ready(): Promise<void>;
}

export function keepStatistics(db: Database, minRows = 500): Statistics {
  if (db.kind !== 'embedded') return { written() {}, ready: () => Promise.resolve() };
  let since = 0;
  // Rows at the last analysis: what this process wrote (the first analysis comes after
  // `minRows` rows; a database opened with old data was analysed when that data came in).
  let total = 0;
  let running: Promise<void> | null = null;
  return {
    written(rows) {
      since += rows;
    },
    ready() {
      if (running) return running;
      if (since < Math.max(minRows, 50 + total / 10)) return Promise.resolve();
      total += since;
      since = 0;
      running = db
        .query('analyze')
        .then(
          () => undefined,
          // Statistics are an optimisation: a failed analysis is tried again after as many rows.
          () => undefined,
        )
        .finally(() => {
          running = null;
        });
      return running;
    },
  };
}
