import { compileConfig, defaultConfig, parseScoringConfig } from '../../shared/scoring/index.ts';
import type { Logger } from '../log.ts';
import { type Periodic, startPeriodic } from '../periodic.ts';
import type { Database } from './client.ts';
import { DEFAULT_PARTITION, dropPartitionsBefore, ensureEventPartitions } from './partitions.ts';

const DAY_MS = 86_400_000;

/** How many whole days back a scoring model reads events (its horizon, docs/SCORING.md). */
export function horizonDays(config: Parameters<typeof compileConfig>[0]): number {
  return Math.ceil(compileConfig(config).horizonMs / DAY_MS);
}

/**
 * The shortest event retention accepted, globally or for a site: the default model's
 * horizon (312 days: the 90-day window, the 14-day baseline, twice the deal-room window and
 * twice the derived signals' 90-day look-back), so retention never changes a score. Retention
 * goes by `received_at` and scoring by `timestamp`, which is never more than 5 minutes after
 * `received_at` (later ones are replaced by it at ingest), so an event received before the
 * cutoff is also dated before it. A site whose own model reads further back (decay steps up to
 * 3650 days are accepted) keeps its events that long whatever the setting: `applyRetention`
 * never deletes within a site's horizon.
 */
export const MIN_RETENTION_DAYS = horizonDays(defaultConfig);

/**
 * How long the idempotency ledger remembers a messageId. Segment deduplicates within about
 * 24 hours; 30 days also covers a browser that comes back weeks later with its queue.
 */
export const DEFAULT_MESSAGE_ID_RETENTION_DAYS = 30;

/** Rows deleted per statement: each batch is its own short transaction. */
export const RETENTION_BATCH = 5_000;

/** The environment variables (README "Configuration"). */
export const RETENTION_ENV = {
  eventDays: 'INKLING_RETENTION_DAYS',
  messageIdDays: 'INKLING_MESSAGE_ID_RETENTION_DAYS',
} as const;

export interface RetentionSettings {
  /** Events received longer ago are deleted, every site's; null = keep everything. @default null */
  eventDays: number | null;
  /** Ledger rows older than this are pruned (a replay after it is stored again). @default 30 */
  messageIdDays: number;
}

/** Advisory lock key: one process at a time deletes (see `deleteInBatches`). */
export const RETENTION_LOCK = 7424513;

/** Why `days` is refused as an event retention, or undefined when it is fine. */
export function retentionProblem(days: number): string | undefined {
  if (!Number.isSafeInteger(days) || days < MIN_RETENTION_DAYS) {
    return `must be a whole number of days, at least ${MIN_RETENTION_DAYS}: the default scoring model reads events up to ${MIN_RETENTION_DAYS} days old`;
  }
  return undefined;
}

/** The settings from the environment; an unset variable keeps its default, a bad one throws. */
export function readRetentionSettings(env: NodeJS.ProcessEnv = process.env): RetentionSettings {
  const events = env[RETENTION_ENV.eventDays];
  const ledger = env[RETENTION_ENV.messageIdDays];
  const settings: RetentionSettings = { eventDays: null, messageIdDays: DEFAULT_MESSAGE_ID_RETENTION_DAYS };
  if (events !== undefined && events !== '') {
    const problem = retentionProblem(Number(events));
    if (problem) throw new Error(`${RETENTION_ENV.eventDays} ${problem}, got ${JSON.stringify(events)}`);
    settings.eventDays = Number(events);
  }
  if (ledger !== undefined && ledger !== '') {
    const days = Number(ledger);
    if (!Number.isSafeInteger(days) || days < 1) {
      throw new Error(
        `${RETENTION_ENV.messageIdDays} must be a whole number of days, at least 1, got ${JSON.stringify(ledger)}`,
      );
    }
    settings.messageIdDays = days;
  }
  return settings;
}

/** The instant `days` days before `now`. */
export function cutoffOf(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/**
 * The retention of each site that has a shorter one than the global setting (the global one
 * drops whole partitions for every site).
 */
export function siteCutoffs(
  sites: { id: string; retentionDays: number | null }[],
  global: number | null,
  now: Date,
): { siteId: string; cutoff: Date }[] {
  return sites
    .filter((s) => s.retentionDays !== null && (global === null || s.retentionDays < global))
    .map((s) => ({ siteId: s.id, cutoff: cutoffOf(now, s.retentionDays as number) }));
}

export interface RetentionResult {
  /** Monthly partitions dropped (global retention). */
  droppedPartitions: string[];
  /** Events deleted row by row (per-site retention, and old rows of the DEFAULT partition). */
  deletedEvents: number;
  /** Ledger rows pruned. */
  prunedMessageIds: number;
}

/**
 * Applies the retention settings at `now`: global retention drops the monthly partitions
 * whose whole month is older than it (so up to a month more is kept) and deletes older rows
 * of the DEFAULT partition; a site's shorter retention deletes that site's older events; the
 * ledger loses its rows older than its window, never erasure's tombstones. Deletes run in
 * batches of `batch` rows, each its own transaction.
 */
export async function applyRetention(
  db: Database,
  settings: RetentionSettings,
  now: Date,
  batch = RETENTION_BATCH,
): Promise<RetentionResult> {
  const result: RetentionResult = { droppedPartitions: [], deletedEvents: 0, prunedMessageIds: 0 };
  const horizons = await siteHorizonDays(db);
  const longest = Math.max(MIN_RETENTION_DAYS, ...horizons.values());
  if (settings.eventDays !== null) {
    // Whole partitions hold every site's rows: never drop within the longest horizon.
    const cutoff = cutoffOf(now, Math.max(settings.eventDays, longest));
    result.droppedPartitions = await dropPartitionsBefore(db, cutoff);
    result.deletedEvents += await deleteInBatches(
      db,
      `delete from ${DEFAULT_PARTITION} where (site_id, received_at, id) in (
         select site_id, received_at, id from ${DEFAULT_PARTITION} where received_at < $1 limit $2)`,
      [cutoff],
      batch,
    );
  }
  const sites = await db.query<{ id: string; retention_days: number | null }>(
    'select id, retention_days from sites order by id',
  );
  const perSite = siteCutoffs(
    sites.map((s) => ({
      id: s.id,
      retentionDays:
        s.retention_days === null ? null : Math.max(s.retention_days, horizons.get(s.id) ?? MIN_RETENTION_DAYS),
    })),
    settings.eventDays,
    now,
  );
  for (const { siteId, cutoff } of perSite) {
    result.deletedEvents += await deleteInBatches(
      db,
      `delete from events where (site_id, received_at, id) in (
         select site_id, received_at, id from events where site_id = $1 and received_at < $2 limit $3)`,
      [siteId, cutoff],
      batch,
    );
  }
  const ledgerCutoff = cutoffOf(now, settings.messageIdDays);
  for (const { id } of sites) {
    result.prunedMessageIds += await deleteInBatches(
      db,
      // Tombstones (-infinity) stay: an erased message must never be stored again.
      `delete from message_ids where (site_id, message_id) in (
         select site_id, message_id from message_ids
         where site_id = $1 and received_at > '-infinity' and received_at < $2 limit $3)`,
      [id, ledgerCutoff],
      batch,
    );
  }
  return result;
}

/** The horizon in days of every site whose stored model differs from the default. */
async function siteHorizonDays(db: Database): Promise<Map<string, number>> {
  const rows = await db.query<{ site_id: string; config: unknown }>('select site_id, config from site_configs');
  const out = new Map<string, number>();
  for (const r of rows) {
    const parsed = parseScoringConfig(r.config);
    if (parsed.ok) out.set(r.site_id, horizonDays(parsed.config));
  }
  return out;
}

/**
 * Runs `statement` (its last parameter is the batch size) until it deletes fewer than `batch`
 * rows; answers how many it deleted. Each batch takes the retention lock if free: when another
 * collector holds it, that one is at work, and this one leaves the rest of this delete to its
 * next run (two deleting the same rows would only waste work).
 */
async function deleteInBatches(db: Database, statement: string, params: unknown[], batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.transaction(async (tx) => {
      const [lock] = await tx.query<{ got: boolean }>('select pg_try_advisory_xact_lock($1) as got', [RETENTION_LOCK]);
      if (!lock?.got) return -1;
      const rows = await tx.query(`${statement} returning 1`, [...params, batch]);
      return rows.length;
    });
    if (deleted < 0) return total;
    total += deleted;
    if (deleted < batch) return total;
  }
}

export type MaintenanceTimer = Periodic;

/**
 * Runs maintenance now and then every `intervalMs` (unref'd): makes the partitions ahead, then
 * applies retention. Each step runs even when the other fails; failures are logged and
 * retried on the next run.
 */
export function startMaintenanceTimer(
  db: Database,
  settings: RetentionSettings,
  log: Logger,
  intervalMs = 3_600_000,
): MaintenanceTimer {
  return startPeriodic(() => runMaintenance(db, settings, log), intervalMs, true);
}

/** One maintenance run (also on collector start): partitions ahead, then retention. */
export async function runMaintenance(db: Database, settings: RetentionSettings, log: Logger): Promise<void> {
  const now = new Date();
  try {
    const created = await ensureEventPartitions(db, now);
    if (created.length) log.info('event partitions created', { created });
  } catch (err) {
    log.error('making event partitions failed', { err });
  }
  try {
    const done = await applyRetention(db, settings, now);
    if (done.droppedPartitions.length || done.deletedEvents || done.prunedMessageIds)
      log.info('retention', { ...done });
  } catch (err) {
    log.error('retention failed', { err });
  }
}
