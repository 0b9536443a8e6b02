import {
  type AccountScoreResult,
  type CompiledConfig,
  type ScoreResult,
  scoreAccount,
  scorePerson,
} from '../../shared/scoring/index.ts';
import type { Database, Queryable } from '../db/client.ts';
import { listAnonymousIds } from '../identity/persons.ts';
import { loadPersonEvents } from './events.ts';

/**
 * Recomputes a person's score from all of their events and stores it, under a per-person
 * lock: never incremented, so a retried batch cannot count twice, and of two concurrent
 * requests the second to take the lock sees both requests' events. Answers the person's
 * account (to rescore next), or null when the person no longer exists (merged away).
 */
export async function rescorePerson(
  db: Database,
  siteId: string,
  personId: string,
  model: CompiledConfig,
  now: number,
): Promise<{ accountId: string | null } | null> {
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext($1 || ':' || $2))`, [siteId, personId]);
    const [person] = await tx.query<{ user_id: string | null; account_id: string | null }>(
      'select user_id, account_id from persons where site_id = $1 and id = $2',
      [siteId, personId],
    );
    if (!person) {
      await tx.query('delete from person_scores where site_id = $1 and person_id = $2', [siteId, personId]);
      return null;
    }
    const events = await loadPersonEvents(tx, siteId, {
      userId: person.user_id,
      anonymousIds: await listAnonymousIds(tx, siteId, personId),
    });
    await storePersonScore(tx, siteId, personId, scorePerson(events, model, now), now);
    return { accountId: person.account_id };
  });
}

/** Recomputes an account's score from all of its contacts' events and stores it. */
export async function rescoreAccount(
  db: Database,
  siteId: string,
  accountId: string,
  model: CompiledConfig,
  now: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext($1 || ':' || $2))`, [siteId, accountId]);
    const [exists] = await tx.query('select 1 from accounts where site_id = $1 and id = $2', [siteId, accountId]);
    if (!exists) {
      await tx.query('delete from account_scores where site_id = $1 and account_id = $2', [siteId, accountId]);
      return;
    }
    const people = await tx.query<{ id: string; user_id: string | null }>(
      'select id, user_id from persons where site_id = $1 and account_id = $2 order by id',
      [siteId, accountId],
    );
    const contacts = [];
    for (const p of people) {
      const anonymousIds = await listAnonymousIds(tx, siteId, p.id);
      contacts.push({
        personId: p.id,
        events: await loadPersonEvents(tx, siteId, { userId: p.user_id, anonymousIds }),
      });
    }
    await storeAccountScore(tx, siteId, accountId, scoreAccount(contacts, model, now), now);
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function storePersonScore(tx: Queryable, siteId: string, personId: string, r: ScoreResult, now: number) {
  const [before] = await tx.query<{ score: number; tier: string }>(
    'select score, tier from person_scores where site_id = $1 and person_id = $2',
    [siteId, personId],
  );
  await tx.query(
    `insert into person_scores (site_id, person_id, score, tier, type, trend, points, explanation, categories, next_change_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10::timestamptz, $11::timestamptz)
     on conflict (site_id, person_id) do update set score = excluded.score, tier = excluded.tier, type = excluded.type,
       trend = excluded.trend, points = excluded.points, explanation = excluded.explanation,
       categories = excluded.categories, next_change_at = excluded.next_change_at, updated_at = excluded.updated_at`,
    [
      siteId,
      personId,
      r.score,
      r.tier,
      r.type,
      r.trend,
      r.points,
      JSON.stringify(r.explanation),
      JSON.stringify(r.categories),
      iso(r.nextChangeAt),
      iso(now),
    ],
  );
  await recordChange(tx, siteId, 'person', personId, before, r, now);
}

async function storeAccountScore(tx: Queryable, siteId: string, accountId: string, r: AccountScoreResult, now: number) {
  const [before] = await tx.query<{ score: number; tier: string }>(
    'select score, tier from account_scores where site_id = $1 and account_id = $2',
    [siteId, accountId],
  );
  await tx.query(
    `insert into account_scores (site_id, account_id, score, tier, trend, points, explanation, categories, contacts, next_change_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb, $9::text::jsonb, $10::timestamptz, $11::timestamptz)
     on conflict (site_id, account_id) do update set score = excluded.score, tier = excluded.tier, trend = excluded.trend,
       points = excluded.points, explanation = excluded.explanation, categories = excluded.categories,
       contacts = excluded.contacts, next_change_at = excluded.next_change_at, updated_at = excluded.updated_at`,
    [
      siteId,
      accountId,
      r.score,
      r.tier,
      r.trend,
      r.points,
      JSON.stringify(r.explanation),
      JSON.stringify(r.categories),
      JSON.stringify(r.contacts),
      iso(r.nextChangeAt),
      iso(now),
    ],
  );
  await recordChange(tx, siteId, 'account', accountId, before, r, now);
}

/**
 * A history row when the score or tier changed. A first score of 0 is no change (a new
 * visitor starts at 0, low), so history holds only movements.
 */
async function recordChange(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  id: string,
  before: { score: number; tier: string } | undefined,
  r: { score: number; tier: string },
  now: number,
) {
  const was = before ?? { score: 0, tier: 'low' };
  if (was.score === r.score && was.tier === r.tier) return;
  await tx.query(
    'insert into score_history (site_id, subject_kind, subject_id, at, score, tier) values ($1, $2, $3, $4::timestamptz, $5, $6)',
    [siteId, kind, id, iso(now), r.score, r.tier],
  );
}
