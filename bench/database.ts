import postgres from 'postgres';
import { type Database, openDatabase } from '../collector/db/client.ts';
import { migrateDatabase } from '../collector/db/migrate.ts';

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/inkling_bench';

/**
 * Drops and recreates the bench database (through the `postgres` maintenance database
 * of the same server), then migrates it. Every run starts from empty tables.
 */
export async function createBenchDatabase(url: string): Promise<Database> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || !name.includes('bench')) {
    throw new Error(`refusing to drop database "${name}": a bench database name must contain "bench"`);
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  // Seeding a million rows is one statement: no per-statement limit here.
  const db = await openDatabase({ url, max: 16, queryTimeoutMs: 0 });
  await migrateDatabase(db);
  return db;
}

/** Empties the event and intent tables and flushes dirty pages, so that each phase starts alike. */
export async function resetEvents(db: Database): Promise<void> {
  await db.query(
    'TRUNCATE events, message_ids, persons, identities, accounts, identity_conflicts, person_scores, account_scores, score_history',
  );
  await db.query('CHECKPOINT');
}

/** Stored events, distinct messageIds, and rows whose JSON columns are not objects (0 unless a bug). */
export async function countEvents(db: Database): Promise<{ rows: number; distinct: number; malformed: number }> {
  const [row] = await db.query<{ rows: string; distinct: string; malformed: string }>(
    `SELECT count(*) AS rows, count(DISTINCT message_id) AS distinct,
       count(*) FILTER (WHERE jsonb_typeof(context) <> 'object' OR jsonb_typeof(properties) <> 'object'
         OR jsonb_typeof(traits) <> 'object') AS malformed
     FROM events`,
  );
  return { rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct ?? 0), malformed: Number(row?.malformed ?? 0) };
}

/** What identity resolution and scoring produced (all 0 with scoring off). */
export async function countDerived(
  db: Database,
): Promise<{ persons: number; identified: number; accounts: number; personScores: number; accountScores: number }> {
  const [row] = await db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM persons) AS persons,
       (SELECT count(*) FROM persons WHERE user_id IS NOT NULL) AS identified,
       (SELECT count(*) FROM accounts) AS accounts,
       (SELECT count(*) FROM person_scores) AS person_scores,
       (SELECT count(*) FROM account_scores) AS account_scores`,
  );
  return {
    persons: Number(row?.persons ?? 0),
    identified: Number(row?.identified ?? 0),
    accounts: Number(row?.accounts ?? 0),
    personScores: Number(row?.person_scores ?? 0),
    accountScores: Number(row?.account_scores ?? 0),
  };
}
