import { notifyChanged } from '../changes/notices.ts';
import type { Queryable } from '../db/client.ts';

export interface AccountRow {
  id: string;
  group_id: string | null;
  domain: string | null;
  name: string | null;
  traits: Record<string, unknown>;
  owner: string | null;
}

const COLUMNS = 'a.id, a.group_id, a.domain, a.name, a.traits, a.owner';

/**
 * The account a group id or a domain names: its own `group_id`/`domain`, else an alias left by
 * a merge. Call under the site's identity lock.
 */
export async function findAccountBy(
  q: Queryable,
  siteId: string,
  kind: 'group' | 'domain',
  value: string,
): Promise<AccountRow | undefined> {
  const column = kind === 'group' ? 'group_id' : 'domain';
  const [row] = await q.query<AccountRow>(
    `select ${COLUMNS}, 0 as via from accounts a where a.site_id = $1 and a.${column} = $2
     union all
     select ${COLUMNS}, 1 from account_aliases x join accounts a on a.site_id = x.site_id and a.id = x.account_id
      where x.site_id = $1 and x.kind = $3 and x.alias = $2
     order by via limit 1`,
    [siteId, value, kind],
  );
  return row;
}

/**
 * The account `personId` is in when it is a work email's domain account that no group has
 * named yet (`findOrCreateDomainAccount`), else undefined. Call under the site's identity lock.
 */
export async function findEmailDomainAccountOf(
  q: Queryable,
  siteId: string,
  personId: string,
): Promise<(AccountRow & { domain: string }) | undefined> {
  const [row] = await q.query<AccountRow & { domain: string }>(
    `select ${COLUMNS} from persons p join accounts a on a.site_id = p.site_id and a.id = p.account_id
      where p.site_id = $1 and p.id = $2 and a.group_id is null and a.domain is not null`,
    [siteId, personId],
  );
  return row;
}

/** Records `alias` (of `kind`) as another name of `accountId`; the newest merge wins. */
export async function addAccountAlias(
  q: Queryable,
  siteId: string,
  kind: 'id' | 'group' | 'domain',
  alias: string,
  accountId: string,
) {
  await q.query(
    `insert into account_aliases (site_id, kind, alias, account_id) values ($1, $2, $3, $4)
     on conflict (site_id, kind, alias) do update set account_id = excluded.account_id`,
    [siteId, kind, alias, accountId],
  );
}

/**
 * Merges account `from` into `into` (one company under two accounts), as persons are merged:
 * contacts and score history move, `from`'s score row and account row go, `into` takes the
 * group id and domain it lacks (and `from`'s name over a name that is only its domain), and
 * every name of `from` (id, group id, domain, its own aliases) becomes an alias of `into`.
 * `into` keeps its owner, else takes `from`'s.
 * The caller rescores `into` (and `from`, whose score row is then confirmed gone). Call under
 * the site's identity lock.
 */
export async function mergeAccounts(tx: Queryable, siteId: string, from: AccountRow, into: AccountRow) {
  // The scoring locks of both accounts (the key scoring/persist.ts `lockSubjects` takes; the
  // identity layer may not import scoring): a concurrent rescore cannot write `from`'s score
  // or history back after it moved. Identity lock first, then these: no path takes them the
  // other way round.
  await tx.query(
    `select pg_advisory_xact_lock(k) from (
       select distinct hashtext($1 || ':' || id) as k from unnest($2::text[]) as id order by k) as keys`,
    [siteId, [from.id, into.id]],
  );
  await tx.query('update persons set account_id = $3, updated_at = now() where site_id = $1 and account_id = $2', [
    siteId,
    from.id,
    into.id,
  ]);
  await tx.query(
    `update score_history set subject_id = $3 where site_id = $1 and subject_kind = 'account' and subject_id = $2`,
    [siteId, from.id, into.id],
  );
  await tx.query('delete from account_scores where site_id = $1 and account_id = $2', [siteId, from.id]);
  // Its breakdown by contact (the contacts moved: `into`'s rescore writes their lines there).
  await tx.query('delete from account_contacts where site_id = $1 and account_id = $2', [siteId, from.id]);
  await tx.query('delete from accounts where site_id = $1 and id = $2', [siteId, from.id]);
  // Only now: the unique group id and domain indexes still held them on `from` until its delete.
  const [kept] = await tx.query<{ group_id: string | null; domain: string | null }>(
    `update accounts set group_id = coalesce(group_id, $3), domain = coalesce(domain, $4),
       name = case when name is null or name = domain then coalesce($5, name) else name end,
       traits = $6::jsonb || traits, owner = coalesce(owner, $7), updated_at = now()
     where site_id = $1 and id = $2 returning group_id, domain`,
    [siteId, into.id, from.group_id, from.domain, from.name, JSON.stringify(from.traits ?? {}), from.owner ?? null],
  );
  await tx.query('update account_aliases set account_id = $3 where site_id = $1 and account_id = $2', [
    siteId,
    from.id,
    into.id,
  ]);
  await addAccountAlias(tx, siteId, 'id', from.id, into.id);
  if (from.group_id && kept?.group_id !== from.group_id) {
    await addAccountAlias(tx, siteId, 'group', from.group_id, into.id);
  }
  if (from.domain && kept?.domain !== from.domain) await addAccountAlias(tx, siteId, 'domain', from.domain, into.id);
  await notifyChanged(tx, siteId, 'account', [from.id, into.id]);
}
