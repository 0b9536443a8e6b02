import type { Queryable } from '../db/client.ts';

/**
 * SQL for the id of the account a Sales API reference names, with `site` and `ref` the
 * placeholders of the site id and the reference: its id, else its domain, else its group id,
 * else a name it absorbed in a merge (the merged-away account's id, group id or domain).
 * One index lookup each; the first that matches wins.
 */
export const accountIdByRef = (site: string, ref: string) => `(
  select n.id from (
    select id, 0 as rank from accounts where site_id = ${site} and id = ${ref}
    union all select id, 1 from accounts where site_id = ${site} and domain = lower(${ref})
    union all select id, 2 from accounts where site_id = ${site} and group_id = ${ref}
    union all select account_id, 3 from account_aliases where site_id = ${site} and kind in ('id', 'group') and alias = ${ref}
    union all select account_id, 3 from account_aliases where site_id = ${site} and kind = 'domain' and alias = lower(${ref})
  ) n order by n.rank limit 1)`;

/** The id of the account `ref` names on the site (see `accountIdByRef`), or undefined. */
export async function findAccountId(q: Queryable, siteId: string, ref: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string | null }>(`select ${accountIdByRef('$1', '$2')} as id`, [siteId, ref]);
  return row?.id ?? undefined;
}
