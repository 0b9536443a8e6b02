import type { Database, Queryable } from './client.ts';

/**
 * `events` is range-partitioned by `received_at`, one partition a month (UTC), named
 * `events_YYYY_MM`, plus `events_default` (migration 0008).
 *
 * Why a DEFAULT partition: without one, an insert whose `received_at` no partition covers
 * fails, and the writer's one statement would refuse the whole group (a 503 and retries, or
 * lost events) if the collector had not run its job for months or a clock were wrong. With
 * it, an insert never fails for want of a partition. Its cost is that creating a monthly
 * partition scans it (under lock) for rows of that month: it is kept empty, so the scan is
 * free, and `ensureEventPartitions` moves any row that lands there into its month.
 */
export const DEFAULT_PARTITION = 'events_default';

/** Partitions are made for the current month and this many after it. */
export const MONTHS_AHEAD = 3;

/**
 * How long partition maintenance waits for its lock on `events` before giving up until the
 * next run: creating or dropping a partition needs a lock that waits for running reads of
 * `events` (a long export), and every insert would queue behind the waiting lock.
 */
export const PARTITION_LOCK_TIMEOUT = '2s';

/** Advisory lock key: one process at a time changes the partitions. */
const PARTITION_LOCK = 7424512;

const NAME = /^events_(\d{4})_(\d{2})$/;

/** The first instant of `at`'s month, UTC. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The first instant of the month `n` months after `month`'s (n may be negative). */
export function addMonths(month: Date, n: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + n, 1));
}

/** `events_2026_11` for November 2026. */
export function partitionName(month: Date): string {
  return `events_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month a monthly partition's name covers, or undefined for another name. */
export function partitionMonth(name: string): Date | undefined {
  const m = NAME.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : undefined;
}

/** The months that must have a partition at `now`: this one and the next `ahead`. */
export function monthsAhead(now: Date, ahead = MONTHS_AHEAD): Date[] {
  return Array.from({ length: ahead + 1 }, (_, n) => addMonths(monthStart(now), n));
}

/** The monthly partitions of `events` that exist, by name, oldest first. */
export async function listEventPartitions(db: Queryable): Promise<{ name: string; month: Date }[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'events'::regclass`,
  );
  return rows
    .map((r) => ({ name: r.name, month: partitionMonth(r.name) }))
    .filter((p): p is { name: string; month: Date } => p.month !== undefined)
    .sort((a, b) => a.month.getTime() - b.month.getTime());
}

/**
 * Makes the partitions of the current month and the next `ahead`, and of every month that
 * has rows in the DEFAULT partition (moving them in, ids kept). Safe to run from several
 * collectors at once (one advisory lock); answers the partitions it created.
 */
export async function ensureEventPartitions(db: Database, now: Date, ahead = MONTHS_AHEAD): Promise<string[]> {
  const existing = new Set((await listEventPartitions(db)).map((p) => p.name));
  const strays = await db.query<{ month: Date }>(
    `select distinct date_trunc('month', received_at, 'UTC') as month from ${DEFAULT_PARTITION}`,
  );
  const wanted = new Map<string, Date>();
  for (const month of [...monthsAhead(now, ahead), ...strays.map((s) => s.month)]) {
    wanted.set(partitionName(month), month);
  }
  const created: string[] = [];
  for (const [name, month] of wanted) {
    if (existing.has(name)) continue;
    if (await unlessLockBusy(() => createPartition(db, month))) created.push(name);
  }
  return created;
}

/**
 * Runs `change`, answering false instead of failing when its lock on `events` did not come
 * within `PARTITION_LOCK_TIMEOUT` (a long read holds the table): the next run tries again.
 */
async function unlessLockBusy(change: () => Promise<boolean>): Promise<boolean> {
  try {
    return await change();
  } catch (err) {
    if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
    throw err;
  }
}

/** SQLSTATE of a `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * One month's partition, in one transaction: rows of that month in the DEFAULT partition are
 * moved out first (PostgreSQL refuses a partition whose rows sit in the default), then put
 * back through the parent into the new partition. False when another process made it.
 */
async function createPartition(db: Database, month: Date): Promise<boolean> {
  const name = partitionName(month);
  // Literals, not parameters: DDL takes none. Both are ISO dates this function made.
  const from = `'${month.toISOString()}'`;
  const to = `'${addMonths(month, 1).toISOString()}'`;
  return db.transaction(async (tx) => {
    await tx.query(`set local lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`);
    await tx.query('select pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
    const [found] = await tx.query<{ made: boolean }>('select to_regclass($1) is not null as made', [name]);
    if (found?.made) return false;
    const range = `received_at >= ${from} and received_at < ${to}`;
    const [stray] = await tx.query(`select 1 from ${DEFAULT_PARTITION} where ${range} limit 1`);
    if (stray) {
      await tx.query(
        `create temporary table inkling_moving on commit drop as select * from ${DEFAULT_PARTITION} where ${range}`,
      );
      await tx.query(`delete from ${DEFAULT_PARTITION} where ${range}`);
    }
    await tx.query(`create table ${name} partition of events for values from (${from}) to (${to})`);
    if (stray) await tx.query('insert into events overriding system value select * from inkling_moving');
    return true;
  });
}

/**
 * Drops the monthly partitions whose whole month ended before `cutoff` (one transaction each,
 * under the same lock as their creation); answers their names. One whose lock did not come in
 * time is left for the next run.
 */
export async function dropPartitionsBefore(db: Database, cutoff: Date): Promise<string[]> {
  const dropped: string[] = [];
  for (const p of await listEventPartitions(db)) {
    if (addMonths(p.month, 1).getTime() > cutoff.getTime()) break;
    const done = await unlessLockBusy(() =>
      db.transaction(async (tx) => {
        await tx.query(`set local lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`);
        await tx.query('select pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
        await tx.query(`drop table if exists ${p.name}`);
        return true;
      }),
    );
    if (done) dropped.push(p.name);
  }
  return dropped;
}
