import {
  type AccountContact,
  type AccountScoreResult,
  type CompiledConfig,
  type ScoreResult,
  scoreAccount,
  scorePerson,
} from '../../shared/scoring/index.ts';
import { notifyChanged } from '../changes/notices.ts';
import type { Database, Queryable } from '../db/client.ts';
import { loadEventsOfPersons } from './events.ts';

/**
 * Scores are recomputed from all of a subject's events and stored under the subject's lock:
 * never incremented, so a retried batch cannot count twice, and of two concurrent requests
 * the second to take the lock sees both requests' events. Work is set-based: one
 * transaction per call locks every subject, loads every event in one query, and writes
 * every score and history row in one statement each, so a group of a thousand people costs
 * the same handful of round trips as one person.
 */

/** Subjects per transaction: bounds the advisory locks one transaction holds. */
const SUBJECTS_PER_TRANSACTION = 250;

/**
 * Takes the advisory locks of `ids` (`hashtext(site:id)`, the key every writer of a score
 * uses) in ascending key order, so two transactions locking overlapping sets never deadlock.
 */
export async function lockSubjects(tx: Queryable, siteId: string, ids: readonly string[]): Promise<void> {
  await tx.query(
    `select pg_advisory_xact_lock(k) from (
       select distinct hashtext($1 || ':' || id) as k from unnest($2::text[]) as id order by k) as keys`,
    [siteId, ids],
  );
}

/**
 * Recomputes and stores the scores of `personIds` (one site). A person that no longer
 * exists (merged away, erased) loses its score row. Answers the accounts of the persons, to
 * rescore next.
 */
export async function rescorePersons(
  db: Database,
  siteId: string,
  personIds: Iterable<string>,
  model: CompiledConfig,
  now: number,
): Promise<string[]> {
  const accounts = new Set<string>();
  for (const ids of chunks(personIds)) {
    await db.transaction(async (tx) => {
      await lockSubjects(tx, siteId, ids);
      const persons = await tx.query<{ id: string; account_id: string | null }>(
        'select id, account_id from persons where site_id = $1 and id = any($2::text[])',
        [siteId, ids],
      );
      const found = new Set(persons.map((p) => p.id));
      const gone = ids.filter((id) => !found.has(id));
      if (gone.length > 0) {
        await tx.query('delete from person_scores where site_id = $1 and person_id = any($2::text[])', [siteId, gone]);
        await notifyChanged(tx, siteId, 'person', gone);
      }
      const events = await loadEventsOfPersons(tx, siteId, [...found]);
      const results = persons.map((p) => ({ id: p.id, r: scorePerson(events.get(p.id) ?? [], model, now) }));
      await storeScores(tx, siteId, 'person', results, now);
      for (const p of persons) if (p.account_id) accounts.add(p.account_id);
    });
  }
  return [...accounts];
}

/** Recomputes and stores the scores of `accountIds` (one site) from all of their contacts' events. */
export async function rescoreAccounts(
  db: Database,
  siteId: string,
  accountIds: Iterable<string>,
  model: CompiledConfig,
  now: number,
): Promise<void> {
  for (const ids of chunks(accountIds)) {
    await db.transaction(async (tx) => {
      await lockSubjects(tx, siteId, ids);
      await rescoreAccountsLocked(tx, siteId, ids, model, now);
    });
  }
}

/**
 * `rescoreAccounts` inside the caller's transaction, which already holds the accounts' locks
 * (erasure rescores a shared account in the transaction that removes the contact).
 */
export async function rescoreAccountsLocked(
  tx: Queryable,
  siteId: string,
  ids: readonly string[],
  model: CompiledConfig,
  now: number,
): Promise<void> {
  const existing = await tx.query<{ id: string }>(
    'select id from accounts where site_id = $1 and id = any($2::text[])',
    [siteId, ids],
  );
  const found = new Set(existing.map((a) => a.id));
  const gone = ids.filter((id) => !found.has(id));
  if (gone.length > 0) {
    await tx.query('delete from account_scores where site_id = $1 and account_id = any($2::text[])', [siteId, gone]);
    await notifyChanged(tx, siteId, 'account', gone);
  }
  const people = await tx.query<{ id: string; account_id: string }>(
    'select id, account_id from persons where site_id = $1 and account_id = any($2::text[]) order by id',
    [siteId, [...found]],
  );
  const events = await loadEventsOfPersons(
    tx,
    siteId,
    people.map((p) => p.id),
  );
  const contacts = new Map<string, AccountContact[]>();
  for (const id of found) contacts.set(id, []);
  for (const p of people) contacts.get(p.account_id)?.push({ personId: p.id, events: events.get(p.id) ?? [] });
  const results = [...contacts].map(([id, c]) => ({ id, r: scoreAccount(c, model, now) }));
  await storeScores(tx, siteId, 'account', results, now);
}

function* chunks(ids: Iterable<string>): Generator<string[]> {
  const all = [...new Set(ids)].sort();
  for (let i = 0; i < all.length; i += SUBJECTS_PER_TRANSACTION) yield all.slice(i, i + SUBJECTS_PER_TRANSACTION);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Scored = { id: string; r: ScoreResult } | { id: string; r: AccountScoreResult };

const PERSON_UPSERT = `insert into person_scores
    (site_id, person_id, score, tier, type, trend, change_7d, points, explanation, categories, next_change_at, updated_at)
  select $1, r.id, r.score, r.tier, r.type, r.trend, r.change_7d, r.points, r.explanation, r.categories, r.next_change_at,
      $3::timestamptz
    from jsonb_to_recordset($2::text::jsonb) as r(id text, score int, tier text, type text, trend text, change_7d int,
      points double precision, explanation jsonb, categories jsonb, next_change_at timestamptz)
  on conflict (site_id, person_id) do update set score = excluded.score, tier = excluded.tier, type = excluded.type,
    trend = excluded.trend, change_7d = excluded.change_7d, points = excluded.points, explanation = excluded.explanation,
    categories = excluded.categories, next_change_at = excluded.next_change_at, updated_at = excluded.updated_at`;

const ACCOUNT_UPSERT = `insert into account_scores
    (site_id, account_id, score, tier, trend, change_7d, points, explanation, categories, contacts, next_change_at, updated_at)
  select $1, r.id, r.score, r.tier, r.trend, r.change_7d, r.points, r.explanation, r.categories, r.contacts,
      r.next_change_at, $3::timestamptz
    from jsonb_to_recordset($2::text::jsonb) as r(id text, score int, tier text, trend text, change_7d int,
      points double precision, explanation jsonb, categories jsonb, contacts jsonb, next_change_at timestamptz)
  on conflict (site_id, account_id) do update set score = excluded.score, tier = excluded.tier, trend = excluded.trend,
    change_7d = excluded.change_7d, points = excluded.points, explanation = excluded.explanation, categories = excluded.categories,
    contacts = excluded.contacts, next_change_at = excluded.next_change_at, updated_at = excluded.updated_at`;

/**
 * Writes the scores and, for each score or tier that moved, a history row. A first score of
 * 0 is no change (a new visitor starts at 0, low), so history holds only movements.
 */
async function storeScores(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  results: readonly Scored[],
  now: number,
): Promise<void> {
  if (results.length === 0) return;
  const [table, idColumn] = kind === 'person' ? ['person_scores', 'person_id'] : ['account_scores', 'account_id'];
  const before = await tx.query<{ id: string; score: number; tier: string }>(
    `select ${idColumn} as id, score, tier from ${table} where site_id = $1 and ${idColumn} = any($2::text[])`,
    [siteId, results.map((s) => s.id)],
  );
  const was = new Map(before.map((b) => [b.id, b]));
  const rows = results.map(({ id, r }) => ({
    id,
    score: r.score,
    tier: r.tier,
    type: 'type' in r ? r.type : undefined,
    trend: r.trend,
    change_7d: r.change7d,
    points: r.points,
    explanation: r.explanation,
    categories: r.categories,
    contacts: 'contacts' in r ? r.contacts : undefined,
    next_change_at: iso(r.nextChangeAt),
  }));
  const at = iso(now);
  await tx.query(kind === 'person' ? PERSON_UPSERT : ACCOUNT_UPSERT, [siteId, JSON.stringify(rows), at]);
  // Every stored subject, moved or not: type, trend and the account's tier also reach lookups.
  await notifyChanged(
    tx,
    siteId,
    kind,
    rows.map((r) => r.id),
  );
  const moved = rows.filter((s) => {
    const b = was.get(s.id) ?? { score: 0, tier: 'low' };
    return b.score !== s.score || b.tier !== s.tier;
  });
  // A person's first score: the lookups of their anonymous ids stop being the neutral answer.
  const first = kind === 'person' ? rows.filter((r) => !was.has(r.id)).map((r) => r.id) : [];
  if (first.length > 0) {
    const anons = await tx.query<{ anonymous_id: string }>(
      'select anonymous_id from identities where site_id = $1 and person_id = any($2::text[])',
      [siteId, first],
    );
    await notifyChanged(
      tx,
      siteId,
      'anonymous',
      anons.map((a) => a.anonymous_id),
    );
  }
  if (moved.length === 0) return;
  await tx.query(
    `insert into score_history (site_id, subject_kind, subject_id, at, score, tier)
     select $1, $2, r.id, $4::timestamptz, r.score, r.tier
       from jsonb_to_recordset($3::text::jsonb) as r(id text, score int, tier text)`,
    [siteId, kind, JSON.stringify(moved.map(({ id, score, tier }) => ({ id, score, tier }))), at],
  );
}
