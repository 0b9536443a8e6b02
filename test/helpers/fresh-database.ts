import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { type Database, openDatabase } from '../../collector/db/client.ts';
import { migrationsFolder } from '../../collector/db/migrate.ts';
import { testDatabaseUrl } from './database-url.ts';

export interface FreshDatabase {
  db: Database;
  /** Applies the committed migrations, the first `count` only when given. */
  migrate(count?: number): Promise<void>;
  /** Closes it and removes it. */
  close(): Promise<void>;
}

/**
 * An empty database of the test's own, for tests that change what every site shares (the
 * partitions, global retention, migrations): a new database on the tests' PostgreSQL server,
 * or an in-memory embedded one. Not migrated: call `migrate`.
 */
export async function openFreshDatabase(): Promise<FreshDatabase> {
  const url = testDatabaseUrl();
  const folders: string[] = [];
  let drop = async () => {};
  let db: Database;
  if (url) {
    const name = `inkling_fresh_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await onServer(url, `create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    db = await openDatabase({ url: target.toString(), max: 3 });
    drop = () => onServer(url, `drop database if exists ${name} with (force)`);
  } else {
    db = await openDatabase({ dataDir: 'memory://' });
  }
  return {
    db,
    async migrate(count) {
      const folder = count === undefined ? migrationsFolder : firstMigrations(count);
      if (folder !== migrationsFolder) folders.push(folder);
      if (db.pglite) {
        await migratePglite(drizzlePglite(db.pglite), { migrationsFolder: folder });
        return;
      }
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder });
      } finally {
        await client.end();
      }
    },
    async close() {
      await db.close();
      await drop();
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    },
  };
}

/** A copy of the migrations folder whose journal lists only the first `count` migrations. */
function firstMigrations(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'inkling-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
