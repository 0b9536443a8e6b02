import { afterAll, beforeAll } from 'vitest';
import { type Collector, createCollector } from '../../collector/app.ts';
import type { Database } from '../../collector/db/client.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';
import { TEST_LIMITS } from './server.ts';

export interface TestCollector {
  db: Database;
  collector: Collector;
}

/**
 * A test file's database (see `openTestDatabase`) and one collector on it, with no rescore
 * timer (tests run `rescore` themselves): opened before the file's tests, drained and closed
 * after them. `ready` receives both once they are open.
 */
export function useTestCollector(ready: (env: TestCollector) => void): void {
  let t: TestDatabase | undefined;
  let collector: Collector | undefined;
  beforeAll(async () => {
    t = await openTestDatabase();
    collector = createCollector({ db: t.db, rescoreIntervalMs: 0, limits: TEST_LIMITS });
    ready({ db: t.db, collector });
  });
  afterAll(async () => {
    await collector?.drain();
    await t?.close();
  });
}
