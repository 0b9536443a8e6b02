import type { Queryable } from '../db/client.ts';
import { listAnonymousIds, type PersonRow } from '../identity/persons.ts';

/** A person as `GET /v1/people/:id` answers it: ids, traits, account and score. */
export async function describePerson(db: Queryable, siteId: string, person: PersonRow) {
  const [score] = await db.query<Record<string, unknown>>(
    `select score, tier, type, trend, change_7d, explanation, next_change_at
     from person_scores where site_id = $1 and person_id = $2`,
    [siteId, person.id],
  );
  const [account] = person.account_id
    ? await db.query<Record<string, unknown>>(
        `select a.id, a.group_id, a.domain, a.name, a.owner, s.score, s.tier, s.trend, s.change_7d
         from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
         where a.site_id = $1 and a.id = $2`,
        [siteId, person.account_id],
      )
    : [];
  return {
    id: person.id,
    userId: person.user_id,
    anonymousIds: await listAnonymousIds(db, siteId, person.id),
    email: person.email,
    traits: person.traits,
    owner: person.owner ?? null,
    account: account
      ? {
          id: account.id,
          groupId: account.group_id,
          domain: account.domain,
          name: account.name,
          owner: account.owner ?? null,
          score: account.score ?? 0,
          tier: account.tier ?? 'low',
          trend: account.trend ?? 'stable',
          change7d: account.change_7d ?? 0,
        }
      : null,
    score: score?.score ?? 0,
    tier: score?.tier ?? 'low',
    type: score?.type ?? 'unknown',
    trend: score?.trend ?? 'stable',
    change7d: score?.change_7d ?? 0,
    explanation: score?.explanation ?? [],
    nextChangeAt: score?.next_change_at ?? null,
  };
}
