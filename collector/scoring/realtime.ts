import type { Database } from '../db/client.ts';
import { resolveBatch } from '../identity/batch.ts';
import type { EventRow } from '../ingest/enrich.ts';
import type { ConfigStore } from './config-store.ts';
import type { ScoreChange } from './notify.ts';
import { rescoreAccounts, rescorePersons } from './persist.ts';

/** Sites -> ids, keyed `site\u0001id`. */
export type Subjects = Set<string>;

const key = (siteId: string, id: string) => `${siteId}\u0001${id}`;
const split = (k: string) => k.split('\u0001') as [string, string];

/**
 * Identity and scores for rows just stored (or already stored: a retry repairs what a crash
 * between insert and scoring left behind): the identity graph first (see `resolveBatch`),
 * then every affected person, and after them every affected account, is recomputed.
 */
export async function scoreRows(
  db: Database,
  configs: ConfigStore,
  rows: readonly EventRow[],
  now: number,
): Promise<ScoreChange[]> {
  const { persons, accounts, removed } = await resolveBatch(db, rows);
  // resolveBatch keys its maps as subjects are keyed here.
  const changes = await rescoreSubjects(db, configs, new Set(persons.keys()), new Set(accounts.keys()), now);
  for (const [siteId, ids] of bySite(new Set(removed.keys()))) changes.push({ site: siteId, kind: 'person', ids });
  // Their lookups may have been the neutral answer until now.
  const anons = new Set(rows.filter((r) => r.anonymous_id).map((r) => key(r.site_id, r.anonymous_id as string)));
  for (const [siteId, ids] of bySite(anons)) changes.push({ site: siteId, kind: 'anonymous', ids });
  return changes;
}

/**
 * Rescores persons, then their accounts and `accounts`, site by site, set-based. Answers
 * every subject rescored (all committed by then).
 */
export async function rescoreSubjects(
  db: Database,
  configs: ConfigStore,
  persons: Subjects,
  accounts: Subjects,
  now: number,
  /** Also rescore the accounts of the persons. @default true */
  withAccounts = true,
): Promise<ScoreChange[]> {
  const changes: ScoreChange[] = [];
  const personsBySite = bySite(persons);
  const accountsBySite = bySite(accounts);
  for (const [siteId, ids] of personsBySite) {
    const theirs = await rescorePersons(db, siteId, ids, await configs.model(siteId), now);
    changes.push({ site: siteId, kind: 'person', ids });
    if (!withAccounts) continue;
    const all = accountsBySite.get(siteId) ?? [];
    accountsBySite.set(siteId, [...new Set([...all, ...theirs])]);
  }
  for (const [siteId, ids] of accountsBySite) {
    await rescoreAccounts(db, siteId, ids, await configs.model(siteId), now);
    changes.push({ site: siteId, kind: 'account', ids });
  }
  return changes;
}

function bySite(subjects: Subjects): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of subjects) {
    const [siteId, id] = split(k);
    const list = out.get(siteId);
    if (list) list.push(id);
    else out.set(siteId, [id]);
  }
  return out;
}

export { key as subjectKey };
