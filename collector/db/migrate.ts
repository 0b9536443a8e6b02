import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Database } from './client.ts';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Applies the committed drizzle-kit migrations. On PostgreSQL an advisory lock makes
 * it safe for several collectors starting at once against one server.
 */
export async function migrateDatabase(db: Database): Promise<void> {
  if (db.pglite) {
    await migratePglite(drizzlePglite(db.pglite), { migrationsFolder });
    return;
  }
  if (!db.url) throw new Error('migrateDatabase: no connection URL');
  // One connection, so the session-level advisory lock covers every migration statement.
  const client = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7424511)');
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(7424511)').catch(() => {});
    await client.end().catch(() => {});
  }
}
