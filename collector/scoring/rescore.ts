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
  // Scores fall due with time alone, which changes no signal: persons are scored from their
  // stored signals. After a config change (`all`) the signals themselves change: from events.
  const fromStored = !options.all;
  const total = { persons: 0, accounts: 0 };
  for (const kind of ['person', 'account'] as const) {
    const table = kind === 'person' ? 'person_scores' : 'account_scores';
    const idColumn = kind === 'person' ? 'person_id' : 'account_id';
    const source = options.all ? (kind === 'person' ? 'persons' : 'accounts') : table;
    const sourceId = options.all ? 'id' : idColumn;
    // $1 appears either way: an unused parameter has no type to infer.
    const due = options.all ? '$1::timestamptz is not null' : 'next_change_at <= $1::timestamptz';
    let last: [string, string] = ['', ''];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    for (;;) {
      // Keyset order: each round starts after the last subject of the previous one.
      const rows = await db.query<{ site_id: string; id: string }>(
        `select site_id, ${sourceId} as id from ${source}
         where ${due} and ($2::text is null or site_id = $2) and (site_id, ${sourceId}) > ($3, $4)
         order by site_id, ${sourceId} limit ${size}`,
        [new Date(now).toISOString(), options.siteId ?? null, last[0], last[1]],
      );
      if (rows.length === 0) break;
      const subjects = subjectsOf(rows.map((r) => [r.site_id, r.id] as const));
      const round = (
        kind === 'person'
          ? rescoreSubjects(db, configs, subjects, new Map(), now, { withAccounts: false, fromStored })
          : rescoreSubjects(db, configs, new Map(), subjects, now, { withAccounts: false })
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
      const end = rows[rows.length - 1]!;
      last = [end.site_id, end.id];
      if (rows.length < size) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  }
  return total;
}
