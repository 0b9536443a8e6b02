import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../collector/db/client.ts';
import { migrateDatabase } from '../collector/db/migrate.ts';
import { testDatabaseUrl } from './helpers/database-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated embedded data folder that each test file copies (when no URL is set). */
    pgliteTemplate: string;
  }
}

/**
 * Migrates the test database once. On PostgreSQL that is the server named by
 * TEST_DATABASE_URL / DATABASE_URL (unreachable = the run fails); otherwise an embedded
 * template folder that every test file copies, because creating PGlite takes seconds and
 * reopening a copy well under one.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const url = testDatabaseUrl();
  if (url) {
    const db = await openDatabase({ url, max: 1 });
    try {
      await migrateDatabase(db);
    } finally {
      await db.close();
    }
    project.provide('pgliteTemplate', '');
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'inkling-template-'));
  const db = await openDatabase({ dataDir: dir });
  await migrateDatabase(db);
  await db.close();
  project.provide('pgliteTemplate', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
