import type { Database } from '../db/client.ts';
import { resolveMessage } from '../identity/resolve.ts';
import { stitchLanding } from '../identity/stitch.ts';
import type { EventRow } from '../ingest/enrich.ts';
import type { ConfigStore } from './config-store.ts';
import { rescoreAccount, rescorePerson } from './persist.ts';

/** Sites -> ids, keyed `site\u0001id`. */
export type Subjects = Set<string>;

const key = (siteId: string, id: string) => `${siteId}\u0001${id}`;
const split = (k: string) => k.split('\u0001') as [string, string];

/**
 * Identity and scores for rows just stored (or already stored: a retry repairs what a crash
 * between insert and scoring left behind). Identity runs message by message in order; then
 * every affected person, and after them every affected account, is recomputed.
 */
export async function scoreRows(db: Database, configs: ConfigStore, rows: readonly EventRow[], now: number) {
  const persons: Subjects = new Set();
  const accounts: Subjects = new Set();
  const seen = new Set<string>();
  for (const row of rows) {
    // Plain events of the same ids resolve alike: one lookup each.
    const plain = row.type !== 'identify' && row.type !== 'group' && row.type !== 'alias';
    const ids = `${row.site_id}\u0001${row.anonymous_id}\u0001${row.user_id}`;
    // A landing through a tracked link can link ids, so it is never skipped as a repeat.
    const landed = plain ? await stitchLanding(db, row) : null;
    if (plain && !landed && seen.has(ids)) continue;
    if (plain) seen.add(ids);
    const r = landed ?? (await resolveMessage(db, row));
    if (r.personId) persons.add(key(r.siteId, r.personId));
    for (const a of r.accounts) accounts.add(key(r.siteId, a));
  }
  await rescoreSubjects(db, configs, persons, accounts, now);
}

/** Rescores persons, then their accounts and `accounts`. */
export async function rescoreSubjects(
  db: Database,
  configs: ConfigStore,
  persons: Subjects,
  accounts: Subjects,
  now: number,
  /** Also rescore the accounts of the persons. @default true */
  withAccounts = true,
) {
  const width = db.kind === 'embedded' ? 1 : 4;
  await inParallel([...persons], width, async (k) => {
    const [siteId, personId] = split(k);
    const done = await rescorePerson(db, siteId, personId, await configs.model(siteId), now);
    if (withAccounts && done?.accountId) accounts.add(key(siteId, done.accountId));
  });
  await inParallel([...accounts], width, async (k) => {
    const [siteId, accountId] = split(k);
    await rescoreAccount(db, siteId, accountId, await configs.model(siteId), now);
  });
}

export { key as subjectKey };

/** Runs `fn` over `items`, at most `width` at a time; the first failure rejects. */
async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
