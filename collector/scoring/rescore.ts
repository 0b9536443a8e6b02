import { subjectsOf } from '../changes/subjects.ts';
import type { Database } from '../db/client.ts';
import type { ConfigStore } from './config-store.ts';
import { rescoreSubjects } from './rescore-subjects.ts';

export interface RescoreOptions {
  /** The instant to score at (epoch ms). @default Date.now() */
  now?: number;
  /** Only this site. */
  siteId?: string;
  /** Every person and account, not only those due (after a config change). */
  all?: boolean;
  /** Subjects per round. @default 500 */
  batchSize?: number;
  /**
   * Rounds in flight at once (each its own transactions on disjoint subjects), so that one
   * round's scoring overlaps the next rounds' reads and writes in PostgreSQL. @default 4
   * (1 on the embedded database: one connection, nothing to overlap)
   */
  concurrency?: number;
}

export interface RescoreResult {
  persons: number;
  accounts: number;
}

/**
 * Recomputes the scores that are due (`next_change_at <= now`): between those instants a
 * stored score is exact, because the decay is a step function. With `all`, every score of
 * the site (or of every site) is recomputed. Works in rounds of `batchSize` taken in keyset
 * order, up to `concurrency` of them in flight: rounds hold disjoint subjects and each
 * transaction locks its own in ascending order, so they cannot deadlock. Persons first, then
 * accounts (which read the persons' stored signals).
 */
export async function rescore(
  db: Database,
  configs: ConfigStore,
  options: RescoreOptions = {},
): Promise<RescoreResult> {
  const now = options.now ?? Date.now();
  const size = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? (db.kind === 'embedded' ? 1 : 4);
  const all = options.all === true;
  // Scores fall due with time alone, which changes no signal: persons are scored from their
  // stored signals. After a config change (`all`) the signals themselves change: from events.
  const fromStored = !all;
  const total = { persons: 0, accounts: 0 };
  for (const kind of ['person', 'account'] as const) {
    let cursor: Cursor = null;
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    for (;;) {
      const { rows, next } = await nextRound(db, kind, all, now, options.siteId ?? null, cursor, size);
      cursor = next;
      if (rows.length === 0) break;
      const subjects = subjectsOf(rows.map((r) => [r.site_id, r.id] as const));
      const round = (
        kind === 'person'
          ? rescoreSubjects(db, configs, subjects, new Map(), now, {
              withAccounts: false,
              fromStored,
              recoverable: !all,
            })
          : rescoreSubjects(db, configs, new Map(), subjects, now, { withAccounts: false, recoverable: !all })
      ).then(
        () => {
          total[kind === 'person' ? 'persons' : 'accounts'] += rows.length;
        },
        (err) => {
          failure ??= err;
        },
      );
      inFlight.add(round);
      void round.finally(() => inFlight.delete(round));
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) break;
      if (rows.length < size) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  }
  return total;
}

/** Where the previous round ended: its last row's sort key (text, compared exactly); null before the first. */
type Cursor = readonly string[] | null;

/**
 * The next round's subjects in keyset order, each round after the previous one's last. With
 * `all`, every subject in key order; else those due (`next_change_at <= now`), by that time
 * then key (the `(next_change_at, site_id, id)` index: each round reads only its own rows,
 * however many are due, and a subject rescored moves past `now`, out of the rounds).
 */
async function nextRound(
  db: Database,
  kind: 'person' | 'account',
  all: boolean,
  now: number,
  siteId: string | null,
  cursor: Cursor,
  size: number,
): Promise<{ rows: { site_id: string; id: string }[]; next: Cursor }> {
  const id = kind === 'person' ? 'person_id' : 'account_id';
  if (all) {
    const source = kind === 'person' ? 'persons' : 'accounts';
    const rows = await db.query<{ site_id: string; id: string }>(
      `select site_id, id from ${source}
       where ($1::text is null or site_id = $1) and (site_id, id) > ($2, $3)
       order by site_id, id limit ${size}`,
      [siteId, cursor?.[0] ?? '', cursor?.[1] ?? ''],
    );
    const end = rows[rows.length - 1];
    return { rows, next: end ? [end.site_id, end.id] : cursor };
  }
  const table = kind === 'person' ? 'person_scores' : 'account_scores';
  const rows = await db.transaction(async (tx) => {
    // The index's order, never a sort: the planner cannot estimate how many rows the keyset
    // condition leaves, and when it guessed few it read every remaining due row and sorted
    // them for each round (a bitmap scan: each round's cost grew with the rounds left).
    await tx.query('set local enable_sort = off');
    await tx.query('set local enable_bitmapscan = off');
    return tx.query<{ site_id: string; id: string; at: string }>(
      `select site_id, ${id} as id, next_change_at::text as at from ${table}
       where next_change_at <= $1::timestamptz and ($2::text is null or site_id = $2)
         and (next_change_at, site_id, ${id}) > ($3::timestamptz, $4, $5)
       order by next_change_at, site_id, ${id} limit ${size}`,
      [new Date(now).toISOString(), siteId, cursor?.[0] ?? '-infinity', cursor?.[1] ?? '', cursor?.[2] ?? ''],
    );
  });
  const end = rows[rows.length - 1];
  return { rows, next: end ? [end.at, end.site_id, end.id] : cursor };
}
