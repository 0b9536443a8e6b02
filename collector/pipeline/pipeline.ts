import type { Database } from '../db/client.ts';
import { type EventRow, rowKey } from '../db/event-row.ts';
import { clearMarks, type MarkKey } from '../db/unscored.ts';
import { resolveBatch } from '../identity/batch.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { rescoreSubjects } from '../scoring/rescore-subjects.ts';

/**
 * What runs on a group of stored rows: identity, then scores. Each step's transactions
 * announce what they change (`changes/notices.ts`): PostgreSQL tells the other processes
 * after each commit, and this process's subscribers (the intent cache) hear it right after
 * each commit, so by the time `run` resolves every lookup here sees the new scores.
 */
export interface Pipeline {
  /**
   * Identity and scores for rows just stored (or already stored: a retry repairs what a
   * crash between insert and scoring left behind). `fresh`: the keys (`rowKey`) of the rows
   * this group stored now, whose persons may have them folded on their stored derivation
   * instead of reading their events (`PersonScoring.group`); none: every person's events
   * are read. `marks`: the `unscored` marks to delete with the last scores (none: no marks).
   * Resolves once all of it is committed.
   */
  run(rows: readonly EventRow[], fresh?: ReadonlySet<string>, marks?: readonly MarkKey[]): Promise<void>;
}

export interface PipelineOptions {
  /**
   * Test only: runs before each group, after its insert has committed, to simulate a crash
   * (or a failure, when it throws) between the two.
   */
  beforeRun?: () => void;
}

export function createPipeline(db: Database, configs: ConfigStore, options: PipelineOptions = {}): Pipeline {
  return {
    async run(rows, fresh, marks) {
      options.beforeRun?.();
      await processRows(db, configs, rows, Date.now(), fresh, marks);
    },
  };
}

/**
 * The identity graph first (see `resolveBatch`), then every person it touched, and after them
 * every affected account, recomputed at `now`. The `marks` of the rows are deleted in the
 * transaction that commits the last scores (alone if none does): a crash before it leaves
 * them all for recovery, and it costs no round trip of its own.
 */
export async function processRows(
  db: Database,
  configs: ConfigStore,
  rows: readonly EventRow[],
  now: number,
  fresh?: ReadonlySet<string>,
  marks: readonly MarkKey[] = [],
): Promise<void> {
  const { persons, accounts } = await resolveBatch(db, rows);
  // The track events that arrived, by site, for the rules that count events: scoring finds
  // them among each person's events (`ScoresStored.arrived`).
  const arrived = new Map<string, Set<string>>();
  for (const row of rows) {
    const ids = arrived.get(row.site_id) ?? new Set<string>();
    arrived.set(row.site_id, ids);
    if (row.type === 'track' && row.event !== null) ids.add(row.message_id);
  }
  const isNew = (r: EventRow) => fresh?.has(rowKey(r.site_id, r.message_id)) === true;
  const group = fresh && { stored: rows.filter(isNew), repeated: rows.filter((r) => !isNew(r)) };
  await rescoreSubjects(db, configs, persons, accounts, now, {
    arrived,
    group,
    lastly: marks.length > 0 ? (q) => clearMarks(q, marks) : undefined,
    // The marks stay until the last of these commits: a lost one is scored again.
    recoverable: marks.length > 0,
  });
}
