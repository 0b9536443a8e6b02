import { afterAll, beforeAll } from 'vitest';
import { type Collector, createCollector } from '../../collector/app.ts';
import { type Database, openDatabase } from '../../collector/db/client.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';
import { TEST_LIMITS } from './server.ts';

export interface TwoCollectors {
  /** The test file's database (the first collector's). */
  readonly t: TestDatabase;
  /** The second collector's database: its own pool on PostgreSQL, the same one embedded. */
  readonly second: Database;
  /** Collector `i % 2`. */
  at(i: number): Collector;
  readonly collectors: readonly Collector[];
}

/**
 * Two collectors on one database for the test file, as two processes behind a load balancer:
 * on PostgreSQL each has its own connection pool; the embedded engine has one connection,
 * shared. No periodic rescore, no rate limits.
 */
export function useTwoCollectors(): TwoCollectors {
  let t: TestDatabase | undefined;
  let second: Database | undefined;
  let collectors: Collector[] = [];
  beforeAll(async () => {
    t = await openTestDatabase();
    second = t.db.url ? await openDatabase({ url: t.db.url, max: 5 }) : t.db;
    collectors = [t.db, second].map((db) => createCollector({ db, rescoreIntervalMs: 0, limits: TEST_LIMITS }));
  });
  afterAll(async () => {
    for (const c of collectors) await c.drain();
    if (second && second !== t?.db) await second.close();
    await t?.close();
  });
  return {
    get t() {
      return t as TestDatabase;
    },
    get second() {
      return second as Database;
    },
    at: (i) => collectors[i % 2] as Collector,
    get collectors() {
      return collectors;
    },
  };
}
