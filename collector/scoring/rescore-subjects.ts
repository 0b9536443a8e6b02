import { addSubjects, type Subjects } from '../changes/subjects.ts';
import type { Database, Queryable } from '../db/client.ts';
import type { ConfigStore } from './config-store.ts';
import type { GroupRows } from './fresh-events.ts';
import { rescoreAccounts, rescorePersons } from './persist.ts';

/**
 * Rescores persons, then their accounts and `accounts`, site by site, set-based; every
 * transaction announces what it changed (`changes/notices.ts`). Resolves once all of it is
 * committed.
 */
export async function rescoreSubjects(
  db: Database,
  configs: ConfigStore,
  persons: Subjects,
  accounts: Subjects,
  now: number,
  options: {
    /** Also rescore the accounts of the persons. @default true */
    withAccounts?: boolean;
    /**
     * The message ids of the track events that arrived, by site (see `ScoresStored.arrived`);
     * none: unknown.
     */
    arrived?: ReadonlyMap<string, ReadonlySet<string>>;
    /** Persons from their stored signals where the current model derived them (`PersonScoring`). */
    fromStored?: boolean;
    /** Ingest's group of rows, of any site (`PersonScoring.group`). */
    group?: GroupRows;
    /**
     * Runs in the last transaction, before it commits (on the database alone when there is
     * no account to rescore): what must commit with the last scores.
     */
    lastly?: (q: Queryable) => Promise<void>;
    /**
     * Every score stored here is computed again if its commit is lost in a crash (ingest's,
     * whose marks `lastly` deletes; the periodic rescore's, still due): see persist.ts
     * `RECOVERABLE`.
     */
    recoverable?: boolean;
  } = {},
): Promise<void> {
  const { withAccounts = true, arrived, fromStored, group, lastly, recoverable } = options;
  const toAccounts: Subjects = new Map([...accounts].map(([siteId, ids]) => [siteId, new Set(ids)]));
  const accountsArrived = new Map<string, Map<string, Set<string>>>();
  for (const [siteId, ids] of persons) {
    const model = await configs.model(siteId);
    const theirs = await rescorePersons(db, siteId, ids, model, now, {
      arrivedIds: arrived && (arrived.get(siteId) ?? new Set()),
      fromStored,
      recoverable,
      group: group && {
        stored: group.stored.filter((r) => r.site_id === siteId),
        repeated: group.repeated.filter((r) => r.site_id === siteId),
      },
    });
    if (withAccounts) addSubjects(toAccounts, siteId, theirs.accounts);
    accountsArrived.set(siteId, theirs.arrived);
  }
  const sites = [...toAccounts].filter(([, ids]) => ids.size > 0);
  for (const [i, [siteId, ids]] of sites.entries()) {
    const theirs = arrived && (accountsArrived.get(siteId) ?? new Map());
    const last = i === sites.length - 1 ? lastly : undefined;
    await rescoreAccounts(db, siteId, ids, await configs.model(siteId), now, theirs, last, recoverable);
  }
  if (sites.length === 0) await lastly?.(db);
}
