import { addSubjects, type Subjects } from '../changes/subjects.ts';
import type { Database } from '../db/client.ts';
import type { ConfigStore } from './config-store.ts';
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
  /** Also rescore the accounts of the persons. @default true */
  withAccounts = true,
  /** The names of the track events that arrived, by site (see `ScoresStored.arrived`); none: unknown. */
  arrived?: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<void> {
  const toAccounts: Subjects = new Map([...accounts].map(([siteId, ids]) => [siteId, new Set(ids)]));
  for (const [siteId, ids] of persons) {
    const theirs = await rescorePersons(db, siteId, ids, await configs.model(siteId), now, arrived?.get(siteId));
    if (withAccounts) addSubjects(toAccounts, siteId, theirs);
  }
  for (const [siteId, ids] of toAccounts) {
    await rescoreAccounts(db, siteId, ids, await configs.model(siteId), now, arrived?.get(siteId));
  }
}
