import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
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
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(7424511)`;
    await migratePostgres(drizzlePostgres(sql), { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(7424511)`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
