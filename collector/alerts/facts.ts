import type { CapState } from '../../shared/rules/caps.ts';
import type { RuleEvent } from '../../shared/rules/state.ts';
import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { loadEventsOfAccounts } from '../scoring/events.ts';

/**
 * What the evaluator reads and writes besides the change itself, each one statement for
 * every subject of the change, and only for the rules that need it.
 */

export const toRuleEvent = (e: ScoringEvent): RuleEvent => ({
  id: e.id,
  name: e.event,
  at: e.timestamp,
  properties: e.properties,
});

/**
 * The track events named `names` since `from` of each account's contacts, by account id: a
 * rule reads only the events it counts or stops on, not the contacts' whole window.
 */
export async function loadAccountEvents(
  tx: Queryable,
  siteId: string,
  accountIds: readonly string[],
  from: number,
  names: readonly string[],
): Promise<Map<string, RuleEvent[]>> {
  const events = await loadEventsOfAccounts(tx, siteId, accountIds, from, names);
  return new Map(accountIds.map((id) => [id, (events.get(id) ?? []).map(toRuleEvent)]));
}

export interface RuleSubjectState extends CapState {
  stopped: boolean;
}

const pairKey = (ruleId: string, subjectId: string) => `${ruleId}\u0000${subjectId}`;

export { pairKey };

/** What the evaluator reads for a change's candidate (rule, subject) pairs, in one statement. */
export interface PairFacts {
  /**
   * The stored scores of each `historyIds` subject since `from` and before `now`, oldest
   * first; the score in force at `from` (the last row before it, else 0: history holds every
   * move from a first score of 0) is dated `from`.
   */
  history: Map<string, { at: number; score: number }[]>;
  /**
   * What each pair asked for has recorded: counted firings and whether it stopped (a rule
   * without a cap or a stop condition reads neither, and its pairs are not asked for).
   */
  known: Map<string, RuleSubjectState>;
  /** Each pair's subject's display name and owner. */
  info: Map<string, { name: string | null; owner: string | null }>;
}

export interface FactRow {
  part: 'h' | 's' | 'i';
  a: string;
  b: string | null;
  at: Date | null;
  n: number | null;
  recent: number[] | null;
  stopped: boolean | null;
  name: string | null;
  owner: string | null;
}

/**
 * The score-history windows, the `rule_subjects` rows and the names and owners of a change's
 * pairs, in one round trip: every statement of a scoring transaction lengthens the writer's
 * group, and the writer scores one group at a time. Each subject's history and each pair's
 * row are looked up by primary key (`lateral`, so the planner cannot swap the lookups for a
 * scan of the site's rows: without statistics, or with a small `rule_subjects`, it chose a
 * sequential scan and a hash join, 2-3 ms against 1.4 ms for 12 subjects and 10 rules).
 * The pairs' rows come through `rule_subject_states` (migration 0022) and the names and
 * owners through `subject_labels` (0023), both planned with sequential scans off: a generic
 * plan made while `rule_subjects` or `persons` was small scanned the whole table, for each
 * pair or once, after it grew (15.6 ms for 186 pairs of 62 subjects and 3.6 ms for 62 of
 * 1,935 persons in one read, seen in the rules benchmark, whose server runs no autovacuum
 * to plan again).
 */
export async function loadPairFacts(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  window: FactsWindow,
  /** The subjects whose names and owners to read. */
  subjects: readonly string[],
  /** The pairs whose `rule_subjects` row to read: those of rules with a cap or a stop condition. */
  pairs: readonly { ruleId: string; subjectId: string }[],
): Promise<PairFacts> {
  const st = pairFactsStatement(siteId, kind, window, subjects, pairs);
  return parsePairFacts((await tx.query(st.text, [...st.params])) as unknown as FactRow[], window);
}

/** Whose score history to read, and the window: since `from`, before `now`. */
export interface FactsWindow {
  historyIds: readonly string[];
  from: number;
  now: number;
}

/** The statement of `loadPairFacts` (also sent along with the scores' upsert: evaluator.ts). */
export function pairFactsStatement(
  siteId: string,
  kind: 'person' | 'account',
  window: FactsWindow,
  subjects: readonly string[],
  pairs: readonly { ruleId: string; subjectId: string }[],
): { text: string; params: readonly unknown[] } {
  const { historyIds, from, now } = window;
  return {
    // The row in force is the last before the window by time (`p.at`: a bare `at` would be
    // this select's own constant). The window is bounded on (subject_id, at) together, which only the primary key can
    // serve: a prepared statement's generic plan estimates a range between two parameters at
    // 0.5 % of the rows, and on a site of few subjects took the site's
    // `(site_id, subject_kind, at)` index instead, reading every subject's window for each one
    // (db/prepared.ts).
    text: `select 'h' as part, h.subject_id as a, null::text as b, h.at, h.score as n, null::jsonb as recent,
            null::boolean as stopped, null::text as name, null::text as owner
       from unnest($3::text[]) as subject(id)
       cross join lateral (
         (select subject_id, $4::timestamptz as at, score from score_history p
           where site_id = $1 and subject_kind = $2 and subject_id = subject.id
             and (subject_id, p.at) < (subject.id, $4::timestamptz)
           order by p.at desc, p.id desc limit 1)
         union all
         (select subject_id, at, score from score_history
           where site_id = $1 and subject_kind = $2 and subject_id = subject.id
             and (subject_id, at) >= (subject.id, $4::timestamptz)
             and (subject_id, at) < (subject.id, $5::timestamptz))) as h
     union all
     select 's', s.rule_id, s.subject_id, null, s.fired_count, s.recent_firings, s.stopped, null, null
       from rule_subject_states($1, $6::text[], $7::text[]) as s
     union all
     select 'i', i.id, null, null, null, null, null, i.name, i.owner from subject_labels($1, $2, $8::text[]) as i
     order by part, a, at`,
    params: [
      siteId,
      kind,
      historyIds,
      new Date(from).toISOString(),
      new Date(now).toISOString(),
      pairs.map((p) => p.ruleId),
      pairs.map((p) => p.subjectId),
      subjects,
    ],
  };
}

/** What the rows of `pairFactsStatement` say. */
export function parsePairFacts(rows: readonly FactRow[], { historyIds, from }: FactsWindow): PairFacts {
  const history = new Map<string, { at: number; score: number }[]>();
  for (const id of historyIds) history.set(id, []);
  const known = new Map<string, RuleSubjectState>();
  const names = new Map<string, { name: string | null; owner: string | null }>();
  for (const r of rows) {
    if (r.part === 'h') {
      const list = history.get(r.a) ?? [];
      history.set(r.a, list);
      const at = new Date(r.at as Date).getTime();
      if (list.length === 0 && at > from) list.push({ at: from, score: 0 });
      list.push({ at, score: r.n ?? 0 });
    } else if (r.part === 's') {
      known.set(pairKey(r.a, r.b ?? ''), { count: r.n ?? 0, recent: r.recent ?? [], stopped: r.stopped === true });
    } else {
      names.set(r.a, { name: r.name, owner: r.owner });
    }
  }
  for (const list of history.values()) if (list.length === 0) list.push({ at: from, score: 0 });
  return { history, known, info: names };
}
