import type { CapState } from '../../shared/rules/caps.ts';
import type { RuleEvent } from '../../shared/rules/state.ts';
import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { loadEventsOfPersons } from '../scoring/events.ts';

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
 * The stored scores of each subject since `from` and before `now`, oldest first; the score in
 * force at `from` (the last row before it, else 0: history holds every move from a first
 * score of 0) is dated `from`.
 */
export async function loadHistory(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  ids: readonly string[],
  from: number,
  now: number,
): Promise<Map<string, { at: number; score: number }[]>> {
  const rows = await tx.query<{ subject_id: string; at: Date; score: number }>(
    `select subject_id, at, score from (
       select distinct on (subject_id) subject_id, $4::timestamptz as at, score, 0 as part from score_history
        where site_id = $1 and subject_kind = $2 and subject_id = any($3::text[]) and at < $4::timestamptz
        order by subject_id, at desc, id desc) as opening
     union all
     select subject_id, at, score from score_history
      where site_id = $1 and subject_kind = $2 and subject_id = any($3::text[])
        and at >= $4::timestamptz and at < $5::timestamptz
     order by subject_id, at`,
    [siteId, kind, ids, new Date(from).toISOString(), new Date(now).toISOString()],
  );
  const out = new Map<string, { at: number; score: number }[]>();
  for (const id of ids) out.set(id, []);
  for (const r of rows) {
    const list = out.get(r.subject_id) ?? [];
    out.set(r.subject_id, list);
    if (list.length === 0 && r.at.getTime() > from) list.push({ at: from, score: 0 });
    list.push({ at: r.at.getTime(), score: r.score });
  }
  for (const list of out.values()) if (list.length === 0) list.push({ at: from, score: 0 });
  return out;
}

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
  const contacts = await tx.query<{ id: string; account_id: string }>(
    'select id, account_id from persons where site_id = $1 and account_id = any($2::text[])',
    [siteId, accountIds],
  );
  const events = await loadEventsOfPersons(
    tx,
    siteId,
    contacts.map((c) => c.id),
    from,
    names,
  );
  const out = new Map<string, RuleEvent[]>(accountIds.map((id) => [id, []]));
  for (const c of contacts) for (const e of events.get(c.id) ?? []) out.get(c.account_id)?.push(toRuleEvent(e));
  return out;
}

export interface RuleSubjectState extends CapState {
  stopped: boolean;
}

const pairKey = (ruleId: string, subjectId: string) => `${ruleId}\u0000${subjectId}`;

export { pairKey };

/** What each (rule, subject) pair has recorded: counted firings and whether it stopped. */
export async function loadRuleSubjects(
  tx: Queryable,
  siteId: string,
  pairs: readonly { ruleId: string; subjectId: string }[],
): Promise<Map<string, RuleSubjectState>> {
  const rows = await tx.query<{
    rule_id: string;
    subject_id: string;
    fired_count: number;
    recent_firings: number[];
    stopped: boolean;
  }>(
    `select s.rule_id, s.subject_id, s.fired_count, s.recent_firings, s.stopped_at is not null as stopped
       from rule_subjects s
       join unnest($2::text[], $3::text[]) as p(rule_id, subject_id)
         on s.rule_id = p.rule_id and s.subject_id = p.subject_id
      where s.site_id = $1`,
    [siteId, pairs.map((p) => p.ruleId), pairs.map((p) => p.subjectId)],
  );
  return new Map(
    rows.map((r) => [
      pairKey(r.rule_id, r.subject_id),
      { count: r.fired_count, recent: r.recent_firings, stopped: r.stopped },
    ]),
  );
}

/** Ends the rules for the subjects (their goal event was seen). */
export async function markStopped(
  tx: Queryable,
  siteId: string,
  pairs: readonly { ruleId: string; subjectId: string }[],
  now: number,
): Promise<void> {
  if (pairs.length === 0) return;
  await tx.query(
    `insert into rule_subjects (site_id, rule_id, subject_id, stopped_at, updated_at)
     select $1, p.rule_id, p.subject_id, $4::timestamptz, $4::timestamptz
       from unnest($2::text[], $3::text[]) as p(rule_id, subject_id)
     on conflict (site_id, rule_id, subject_id) do update set stopped_at = excluded.stopped_at, updated_at = excluded.updated_at
       where rule_subjects.stopped_at is null`,
    [siteId, pairs.map((p) => p.ruleId), pairs.map((p) => p.subjectId), new Date(now).toISOString()],
  );
}

/** Each subject's display name and owner. */
export async function loadSubjectInfo(
  tx: Queryable,
  siteId: string,
  kind: 'person' | 'account',
  ids: readonly string[],
): Promise<Map<string, { name: string | null; owner: string | null }>> {
  const sql =
    kind === 'person'
      ? `select id, coalesce(traits->>'name', email, user_id) as name, owner from persons
          where site_id = $1 and id = any($2::text[])`
      : `select id, coalesce(name, domain, group_id) as name, owner from accounts
          where site_id = $1 and id = any($2::text[])`;
  const rows = await tx.query<{ id: string; name: string | null; owner: string | null }>(sql, [siteId, ids]);
  return new Map(rows.map((r) => [r.id, { name: r.name, owner: r.owner }]));
}

/**
 * Takes `n` consecutive round-robin positions of the rule (the row lock orders concurrent
 * takers, so two firings never get the same rep by racing); answers the first.
 */
export async function takeRoundRobin(tx: Queryable, siteId: string, ruleId: string, n: number): Promise<number> {
  const [row] = await tx.query<{ next: number }>(
    `update rules set round_robin_next = round_robin_next + $3 where site_id = $1 and id = $2
     returning round_robin_next - $3 as next`,
    [siteId, ruleId, n],
  );
  return row?.next ?? 0;
}
