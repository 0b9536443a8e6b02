import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../collector/db/client.ts';
import { createSite } from '../../collector/sites.ts';
import { testDatabaseUrl } from './database-url.ts';

export interface TestDatabase {
  db: Database;
  close(): Promise<void>;
}

/**
 * One database per test file: the real PostgreSQL when a URL is set (tests isolate by
 * creating their own sites), else a private copy of the migrated embedded template.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  if (url) {
    const db = await openDatabase({ url, max: 5 });
    return { db, close: () => db.close() };
  }
  const template = inject('pgliteTemplate');
  if (!template) throw new Error('no embedded template: is test/global-setup.ts configured?');
  const dir = mkdtempSync(join(tmpdir(), 'inkling-test-'));
  cpSync(template, dir, { recursive: true });
  const db = await openDatabase({ dataDir: dir });
  return {
    db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `openTestDatabase` with a scratch table `table` (k text, v `valueType`), keyed as every
 * table is, site first (key-shape.test.ts may run beside it on the same database); closing
 * drops it.
 */
export async function openProbeDatabase(table: string, valueType: 'text' | 'jsonb'): Promise<TestDatabase> {
  const t = await openTestDatabase();
  await t.db.query(
    `create table if not exists ${table} (site_id text not null default 's', k text, v ${valueType},
       primary key (site_id, k))`,
  );
  return {
    db: t.db,
    async close() {
      await t.db.query(`drop table if exists ${table}`);
      await t.close();
    },
  };
}

/** A fresh site with its keys, so each test sees only its own data. */
export async function newSite(db: Database, origins: string[] = []) {
  return createSite(db, `test ${Math.random().toString(36).slice(2, 8)}`, origins);
}
