import type { CompiledConfig } from '../../shared/scoring/index.ts';
import { notifyChanged } from '../changes/notices.ts';
import type { Queryable } from '../db/client.ts';
import { deleteContactLines } from '../scoring/account-contacts.ts';
import { rescoreAccountsLocked } from '../scoring/persist.ts';

/**
 * After a person is erased, each account they touched (`accountIds`, locked by the caller)
 * either goes, when only this person made it: no contact remains and no remaining `group`
 * call of another user names its group id; or stays and is rescored without them.
 */
export async function eraseLoneAccounts(
  tx: Queryable,
  siteId: string,
  accountIds: readonly string[],
  model: CompiledConfig,
  now: number,
): Promise<{ erased: string[]; rescored: string[]; history: number }> {
  if (accountIds.length === 0) return { erased: [], rescored: [], history: 0 };
  const gone = await tx.query<{ id: string }>(
    `delete from accounts a where a.site_id = $1 and a.id = any($2::text[])
       and not exists (select 1 from persons p where p.site_id = $1 and p.account_id = a.id)
       and (a.group_id is null or not exists (
         select 1 from events e where e.site_id = $1 and e.type = 'group' and e.group_id = a.group_id))
     returning a.id`,
    [siteId, accountIds],
  );
  const erased = gone.map((a) => a.id);
  let history = 0;
  if (erased.length > 0) {
    await tx.query('delete from account_scores where site_id = $1 and account_id = any($2::text[])', [siteId, erased]);
    await deleteContactLines(tx, siteId, erased);
    // The names a merge left pointing at the account go with it.
    await tx.query('delete from account_aliases where site_id = $1 and account_id = any($2::text[])', [siteId, erased]);
    const rows = await tx.query(
      `delete from score_history where site_id = $1 and subject_kind = 'account' and subject_id = any($2::text[])
       returning 1`,
      [siteId, erased],
    );
    history = rows.length;
    await notifyChanged(tx, siteId, 'account', erased);
  }
  const rescored = accountIds.filter((id) => !erased.includes(id));
  await rescoreAccountsLocked(tx, siteId, rescored, model, now);
  return { erased, rescored, history };
}
