import type { AccountScoreResult, ContactSignals, PackedHit, ScoreResult, Tier } from '../../shared/scoring/index.ts';
import { notifyChanged } from '../changes/notices.ts';
import { type AlongAnswers, announceScores, readsAlong, type ScoresStored, type StoredHit } from '../changes/stored.ts';
import type { Queryable } from '../db/client.ts';
import type { StoredFold } from './fresh-events.ts';

/**
 * Storing what `persist.ts` computed: the score rows (rewritten only when a stored field
 * changes), a history row for each move, and the announcement of the change in the same
 * transaction (`changes/stored.ts`).
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export type Scored =
  | {
      id: string;
      r: ScoreResult;
      hits: PackedHit[];
      kept: readonly StoredHit[];
      model: string;
      /** Where the derivation stands now (`person-plan.ts`); null: none stored. */
      fold: StoredFold | null;
    }
  | {
      id: string;
      r: AccountScoreResult;
      contacts: readonly ContactSignals[];
      beforeHits: () => (readonly unknown[])[] | null;
    };

/**
 * The stored row as it was, with its hits (a person's stored text, an account's from its
 * breakdown lines) gathered when first read.
 */
function beforeOf(row: { score: number; tier: Tier; hits: string | null } | undefined, scored: Scored) {
  if (!row) return null;
  let hits: (readonly unknown[])[] | null | undefined;
  return {
    score: row.score,
    tier: row.tier,
    get hits(): (readonly unknown[])[] | null {
      if (hits === undefined)
        hits = 'beforeHits' in scored ? scored.beforeHits() : row.hits === null ? null : JSON.parse(row.hits);
      return hits ?? null;
    },
  };
}

const PERSON_UPSERT = `insert into person_scores
    (site_id, person_id, score, tier, type, trend, change_7d, points, explanation, categories, next_change_at, updated_at,
      hits, model, fold)
  select $1, r.id, r.score, r.tier, r.type, r.trend, r.change_7d, r.points, r.explanation, r.categories, r.next_change_at,
      $3::timestamptz, r.hits, r.model, r.fold
    from jsonb_to_recordset($2::jsonb) as r(id text, score int, tier text, type text, trend text, change_7d int,
      points double precision, explanation jsonb, categories jsonb, next_change_at timestamptz, hits json, model text,
      fold json)
  on conflict (site_id, person_id) do update set score = excluded.score, tier = excluded.tier, type = excluded.type,
    trend = excluded.trend, change_7d = excluded.change_7d, points = excluded.points, explanation = excluded.explanation,
    categories = excluded.categories, next_change_at = excluded.next_change_at, updated_at = excluded.updated_at,
    hits = excluded.hits, model = excluded.model, fold = excluded.fold
  where (person_scores.score, person_scores.tier, person_scores.type, person_scores.trend, person_scores.change_7d,
      person_scores.points, person_scores.explanation, person_scores.categories, person_scores.next_change_at,
      person_scores.hits::text, person_scores.model, person_scores.fold::text)
    is distinct from (excluded.score, excluded.tier, excluded.type, excluded.trend, excluded.change_7d, excluded.points,
      excluded.explanation, excluded.categories, excluded.next_change_at, excluded.hits::text, excluded.model,
      excluded.fold::text)`;

/**
 * The anonymous ids of the persons scored for the first time (no row `before`), answered by
 * the upsert's statement as rows of their own (`anon` set): no round trip of their own.
 */
const FIRST_ANONYMOUS_IDS = `union all
     select i.person_id, null, null, null, i.anonymous_id
       from unnest($4::text[]) as k(id)
       join identities i on i.site_id = $1 and i.person_id = k.id
      where not exists (select 1 from before b where b.id = k.id)`;

/** The breakdown by contact is not in the row: `account_contacts` (see ./account-contacts.ts). */
const ACCOUNT_UPSERT = `insert into account_scores
    (site_id, account_id, score, tier, trend, change_7d, points, explanation, categories, next_change_at, updated_at)
  select $1, r.id, r.score, r.tier, r.trend, r.change_7d, r.points, r.explanation, r.categories, r.next_change_at,
      $3::timestamptz
    from jsonb_to_recordset($2::jsonb) as r(id text, score int, tier text, trend text, change_7d int,
      points double precision, explanation jsonb, categories jsonb, next_change_at timestamptz)
  on conflict (site_id, account_id) do update set score = excluded.score, tier = excluded.tier, trend = excluded.trend,
    change_7d = excluded.change_7d, points = excluded.points, explanation = excluded.explanation, categories = excluded.categories,
    next_change_at = excluded.next_change_at, updated_at = excluded.updated_at
  where (account_scores.score, account_scores.tier, account_scores.trend, account_scores.change_7d, account_scores.points,
      account_scores.explanation, account_scores.categories, account_scores.next_change_at)
    is distinct from (excluded.score, excluded.tier, excluded.trend, excluded.change_7d, excluded.points,
      excluded.explanation, excluded.categories, excluded.next_change_at)`;

/**
 * Writes the scores and, for each score or tier that moved, a history row. A row whose
 * stored fields would all stay the same (`next_change_at` and the stored signals included)
 * is not rewritten: `updated_at` is when the stored result last changed, not when it was
 * last recomputed (a rescore after a config change that moves nobody writes nothing).
 * Notices still go out for every subject recomputed. A first score of
 * 0 is no change (a new visitor starts at 0, low), so history holds only movements.
 */
export async function storeScores(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  results: readonly Scored[],
  now: number,
  change: Pick<ScoresStored, 'events' | 'arrived'> = {},
): Promise<void> {
  if (results.length === 0) return;
  const [table, idColumn] = kind === 'person' ? ['person_scores', 'person_id'] : ['account_scores', 'account_id'];
  const rows = results.map((scored) => {
    const { id, r } = scored;
    return {
      id,
      score: r.score,
      tier: r.tier,
      type: 'type' in r ? r.type : undefined,
      trend: r.trend,
      change_7d: r.change7d,
      points: r.points,
      explanation: r.explanation,
      categories: r.categories,
      next_change_at: iso(r.nextChangeAt),
      hits: 'hits' in scored ? scored.hits : undefined,
      model: 'model' in scored ? scored.model : undefined,
      fold: 'fold' in scored ? scored.fold : undefined,
    };
  });
  const at = iso(now);
  // One statement: the rows as they were (every part of a WITH sees the snapshot from before
  // the upsert), and the upsert. Each row by its key (`lateral`): with statistics older than
  // the table's growth the planner read the site's whole index instead (a rescore of 20,000
  // people scanned every row of the site for each 250).
  // A person's stored signals as text, parsed only if a rule compares them (`beforeOf`).
  const upsert = {
    text: `with before as (
       select b.id, b.score, b.tier, b.hits from unnest($4::text[]) as k(id)
        cross join lateral (
          select ${idColumn} as id, score, tier, ${kind === 'person' ? 'hits::text' : 'null::text'} as hits from ${table}
           where site_id = $1 and ${idColumn} = k.id limit 1) as b),
     upsert as (${kind === 'person' ? PERSON_UPSERT : ACCOUNT_UPSERT})
     select id, score, tier, hits, null::text as anon from before
     ${kind === 'person' ? FIRST_ANONYMOUS_IDS : ''}`,
    params: [siteId, JSON.stringify(rows), at, rows.map((r) => r.id)],
  };
  // What the handlers of stored scores read about these subjects (the rules' facts) travels
  // with the upsert: one round trip for both.
  const along = await readsAlong(tx, { site: siteId, kind, now, ids: rows.map((r) => r.id) });
  type Before = { id: string; score: number; tier: Tier; hits: string | null; anon: string | null };
  let before: Before[];
  let answers: AlongAnswers | undefined;
  if (along.statements.length === 0) before = await tx.query<Before>(upsert.text, upsert.params);
  else {
    const [first, ...rest] = await tx.queryEach([upsert, ...along.statements]);
    before = first as Before[];
    answers = along.answers(rest);
  }
  const was = new Map<string, Before>();
  const anons: string[] = [];
  for (const b of before) {
    if (b.anon === null) was.set(b.id, b);
    else anons.push(b.anon);
  }
  const moved = rows.filter((s) => {
    const b = was.get(s.id) ?? { score: 0, tier: 'low' };
    return b.score !== s.score || b.tier !== s.tier;
  });
  // A person's first score: the lookups of their anonymous ids stop being the neutral answer.
  if (anons.length > 0) await notifyChanged(tx, siteId, 'anonymous', anons);
  // With the transaction's next statement or its COMMIT (`later`): nothing reads it back here.
  if (moved.length > 0) {
    await tx.later(
      `insert into score_history (site_id, subject_kind, subject_id, at, score, tier)
       select $1, $2, r.id, $4::timestamptz, r.score, r.tier
         from jsonb_to_recordset($3::jsonb) as r(id text, score int, tier text)`,
      [siteId, kind, JSON.stringify(moved.map(({ id, score, tier }) => ({ id, score, tier }))), at],
    );
  }
  // Every stored subject, moved or not: type, trend and the account's tier also reach lookups,
  // and rules look at what each one's change brought (in this transaction).
  await announceScores(
    tx,
    {
      site: siteId,
      kind,
      now,
      ...change,
      subjects: results.map((scored) => ({
        id: scored.id,
        // An account's hits as of its last roll-up are its breakdown lines' (`account_contacts`).
        before: beforeOf(was.get(scored.id), scored),
        after: { score: scored.r.score, tier: scored.r.tier, explanation: scored.r.explanation },
        contacts: 'kept' in scored ? [{ personId: scored.id, hits: scored.kept }] : scored.contacts,
      })),
    },
    answers,
  );
}
