import type { Queryable } from '../db/client.ts';
import { contactLinesJson } from '../scoring/account-contacts.ts';
import { accountIdByRef } from './account-ref.ts';
import { COOLING_POINTS, type ListParams, RISING_POINTS } from './list-params.ts';

/**
 * The filter and keyset shared by both lists, over a derived table `b` with `id`, `score`,
 * `tier` and `change_7d` (stored with the score: the model's score now minus the score the
 * same events gave 7 days ago). Answers the SQL tail and its parameters, numbered from `first`.
 */
function listTail(p: ListParams, first: number): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const arg = (v: unknown) => {
    params.push(v);
    return `$${first + params.length - 1}`;
  };
  if (p.tier) where.push(`b.tier = ${arg(p.tier)}`);
  if (p.list === 'rising') where.push(`b.change_7d >= ${arg(RISING_POINTS)}`);
  if (p.list === 'cooling') where.push(`b.change_7d <= ${arg(-COOLING_POINTS)}`);
  if (p.after) {
    where.push(`(b.score, b.id) ${p.descending ? '<' : '>'} (${arg(p.after.score)}::int, ${arg(p.after.id)}::text)`);
  }
  const dir = p.descending ? 'desc' : 'asc';
  return {
    sql: `${where.length ? `where ${where.join(' and ')}` : ''} order by b.score ${dir}, b.id ${dir} limit ${arg(p.limit + 1)}`,
    params,
  };
}

export interface PersonListRow {
  id: string;
  user_id: string | null;
  email: string | null;
  account_id: string | null;
  owner: string | null;
  score: number;
  tier: string;
  type: string;
  trend: string;
  change_7d: number;
}

/** One page (plus one row, to tell if there is a next) of a site's people. */
export async function pagePeople(q: Queryable, siteId: string, p: ListParams): Promise<PersonListRow[]> {
  const tail = listTail(p, 2);
  return q.query<PersonListRow>(
    `select * from (
       select p.id, p.user_id, p.email, p.account_id, p.owner, coalesce(s.score, 0)::int as score,
         coalesce(s.tier, 'low') as tier, coalesce(s.type, 'unknown') as type,
         coalesce(s.trend, 'stable') as trend, coalesce(s.change_7d, 0)::int as change_7d
       from persons p left join person_scores s on s.site_id = p.site_id and s.person_id = p.id
       where p.site_id = $1) b ${tail.sql}`,
    [siteId, ...tail.params],
  );
}

export interface AccountListRow {
  id: string;
  group_id: string | null;
  domain: string | null;
  name: string | null;
  owner: string | null;
  score: number;
  tier: string;
  trend: string;
  change_7d: number;
}

/** One page (plus one row) of a site's accounts. */
export async function pageAccounts(q: Queryable, siteId: string, p: ListParams): Promise<AccountListRow[]> {
  const tail = listTail(p, 2);
  return q.query<AccountListRow>(
    `select * from (
       select a.id, a.group_id, a.domain, a.name, a.owner, coalesce(s.score, 0)::int as score,
         coalesce(s.tier, 'low') as tier, coalesce(s.trend, 'stable') as trend,
         coalesce(s.change_7d, 0)::int as change_7d
       from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
       where a.site_id = $1) b ${tail.sql}`,
    [siteId, ...tail.params],
  );
}

export interface AccountDetailRow extends AccountListRow {
  traits: Record<string, unknown>;
  categories: Record<string, number> | null;
  contacts: unknown[] | null;
  explanation: unknown[] | null;
}

/**
 * An account by its id, domain or group id, or by a name it absorbed in a merge (the merged-away
 * account's id, group id or domain), with its score breakdown.
 */
export async function findAccountDetail(q: Queryable, siteId: string, idOrDomain: string) {
  const [row] = await q.query<AccountDetailRow>(
    `select a.id, a.group_id, a.domain, a.name, a.owner, a.traits, coalesce(s.score, 0)::int as score,
       coalesce(s.tier, 'low') as tier, coalesce(s.trend, 'stable') as trend,
       s.categories, ${contactLinesJson('a.site_id', 'a.id')} as contacts, s.explanation, coalesce(s.change_7d, 0)::int as change_7d
     from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
     where a.site_id = $1 and a.id = ${accountIdByRef('$1', '$2')}`,
    [siteId, idOrDomain],
  );
  return row;
}
