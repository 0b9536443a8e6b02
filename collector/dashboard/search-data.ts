import type { Queryable } from '../db/client.ts';

export interface AccountHit {
  id: string;
  name: string | null;
  domain: string | null;
  score: number;
  tier: string;
}

export interface PersonHit {
  id: string;
  name: string | null;
  email: string | null;
  userId: string | null;
  accountId: string | null;
  score: number;
  tier: string;
}

/** Results per kind. */
export const SEARCH_LIMIT = 25;

/** `q` for `ilike`: its own `%`, `_` and `\` matched literally. */
const contains = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** A site's accounts whose id, group id or domain is `q`, or whose name or domain contains it; best scores first. */
export async function searchAccounts(q: Queryable, siteId: string, text: string): Promise<AccountHit[]> {
  return q.query<AccountHit>(
    `select a.id, a.name, a.domain, coalesce(s.score, 0)::int as score, coalesce(s.tier, 'low') as tier
     from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
     where a.site_id = $1
       and (a.id = $2 or a.group_id = $2 or a.domain = lower($2) or a.name ilike $3 or a.domain ilike $3)
     order by (a.id = $2 or a.domain = lower($2)) desc, coalesce(s.score, 0) desc, a.id
     limit ${SEARCH_LIMIT}`,
    [siteId, text, contains(text)],
  );
}

/**
 * A site's people whose id, user id, email or one of whose anonymous ids is `q`, or whose
 * email or `name` trait contains it; best scores first.
 */
export async function searchPeople(q: Queryable, siteId: string, text: string): Promise<PersonHit[]> {
  return q.query<PersonHit>(
    `select p.id, p.traits->>'name' as name, p.email, p.user_id as "userId", p.account_id as "accountId",
       coalesce(s.score, 0)::int as score, coalesce(s.tier, 'low') as tier
     from persons p left join person_scores s on s.site_id = p.site_id and s.person_id = p.id
     where p.site_id = $1
       and (p.id = $2 or p.user_id = $2 or lower(p.email) = lower($2) or p.email ilike $3 or p.traits->>'name' ilike $3
            or p.id = (select i.person_id from identities i where i.site_id = $1 and i.anonymous_id = $2))
     order by (p.id = $2 or p.user_id = $2) desc, coalesce(s.score, 0) desc, p.id
     limit ${SEARCH_LIMIT}`,
    [siteId, text, contains(text)],
  );
}
