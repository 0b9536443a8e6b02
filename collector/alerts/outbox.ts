import type { Database, Queryable } from '../db/client.ts';

/** A rule firing to record (and, when `outcome` is `fired`, to deliver through each action). */
export interface NewFiring {
  /** The webhook id: unique per site, the same on every delivery attempt. */
  id: string;
  ruleId: string;
  subjectKind: 'person' | 'account';
  subjectId: string;
  /** What triggered it; (rule, subject, changeKey) is recorded once, whatever replays it. */
  changeKey: string;
  outcome: 'fired' | 'held_out' | 'capped';
  /** Who it goes to; for a firing routed round-robin, replaced by the rep the statement takes. */
  recipient: string | null;
  /**
   * The rule's reps, when the firing goes to the next of them: its position is taken from
   * the rule's counter (`rules.round_robin_next`) in the firings statement, and the chosen
   * rep becomes its `recipient` (also in its payload).
   */
  roundRobin?: readonly string[];
  payload: Record<string, unknown>;
  firedAt: number;
  /** The rule's actions; ignored unless `outcome` is `fired`. A digest rule passes none. */
  actions: readonly { type: 'webhook' | 'slack'; url: string }[];
}

/** How long the dispatcher keeps trying a delivery before it is dead-lettered (default 24 h). */
export const DEFAULT_GIVE_UP_MS = 24 * 3600_000;

type Wake = () => void;
const wakers = new WeakMap<Database, Set<Wake>>();

/** The dispatcher of `db` in this process hears here that new deliveries were committed. */
export function onOutboxWritten(db: Database, wake: Wake): () => void {
  let set = wakers.get(db);
  if (!set) {
    set = new Set();
    wakers.set(db, set);
  }
  set.add(wake);
  return () => {
    set.delete(wake);
  };
}

/**
 * A firing that counts against the caps (fired or held out): its pair's count goes up by one
 * and its recent firings become `recent`, only if that firing is recorded.
 */
export interface FiringCount {
  firingId: string;
  ruleId: string;
  subjectId: string;
  /** The recent firings a `within` cap keeps, this one included (empty without one). */
  recent: readonly number[];
}

/** A (rule, subject) pair whose goal event was seen: the rule ends for the subject. */
export interface StopPair {
  ruleId: string;
  subjectId: string;
}

/**
 * Records `firings` inside the caller's transaction (the one that stores the change that
 * caused them), with one outbox row per action of each `fired` one, the `counts` of the
 * pairs (`rule_subjects`) whose firing was recorded, and the `stops` of the change: all in
 * one statement, sent with the transaction's COMMIT (`withCommit`: every round trip of a
 * scoring transaction lengthens its writer's lane, and nothing here reads the answer). A
 * firing already recorded for its (rule, subject, change) is skipped with its deliveries and
 * count. Once the transaction commits, this process's dispatcher wakes.
 */
export async function enqueueFirings(
  tx: Queryable,
  siteId: string,
  firings: readonly NewFiring[],
  giveUpMs = DEFAULT_GIVE_UP_MS,
  counts: readonly FiringCount[] = [],
  stops: readonly StopPair[] = [],
  now = Date.now(),
): Promise<void> {
  if (firings.length === 0) return markStopped(tx, siteId, stops, now);
  // The k-th firing of a rule routed round-robin here takes the rule's position + k.
  const taken = new Map<string, number>();
  const rows = firings.map((f) => {
    let k: number | null = null;
    if (f.roundRobin) {
      k = taken.get(f.ruleId) ?? 0;
      taken.set(f.ruleId, k + 1);
    }
    return {
      id: f.id,
      rule_id: f.ruleId,
      subject_kind: f.subjectKind,
      subject_id: f.subjectId,
      change_key: f.changeKey,
      outcome: f.outcome,
      recipient: f.recipient,
      payload: f.payload,
      fired_at: new Date(f.firedAt).toISOString(),
      rr_reps: f.roundRobin ?? null,
      rr_k: k,
    };
  });
  const outbox = firings
    .filter((f) => f.outcome === 'fired')
    .flatMap((f) =>
      f.actions.map((a) => ({
        rule_id: f.ruleId,
        firing_id: f.id,
        webhook_id: f.id,
        kind: a.type,
        url: a.url,
        give_up_at: new Date(f.firedAt + giveUpMs).toISOString(),
      })),
    );
  const firedAt = new Map(firings.map((f) => [f.id, new Date(f.firedAt).toISOString()]));
  const countRows = counts.map((c) => ({
    firing_id: c.firingId,
    rule_id: c.ruleId,
    subject_id: c.subjectId,
    recent_firings: c.recent,
    updated_at: firedAt.get(c.firingId),
  }));
  // Data-modifying CTEs all run, on the firings this statement really inserted; the outbox
  // rows in the order given (a firing's actions in the rule's order).
  // Round-robin positions: the rules' rows locked in id order (two transactions taking
  // positions of the same rules never deadlock), each counter moved on by its firings here.
  await tx.withCommit(
    `with locked as (
       select id from rules where site_id = $1 and id = any($7::text[]) order by id for update
     ), rr as (
       update rules u set round_robin_next = u.round_robin_next + t.n
         from locked join unnest($7::text[], $8::int[]) as t(rule_id, n) on t.rule_id = locked.id
        where u.site_id = $1 and u.id = locked.id
       returning u.id, u.round_robin_next - t.n as start
     ), r as (
       select r.*, case when r.rr_reps is null then r.recipient
         else r.rr_reps ->> (((coalesce(rr.start, 0) + r.rr_k) % jsonb_array_length(r.rr_reps)
           + jsonb_array_length(r.rr_reps)) % jsonb_array_length(r.rr_reps)) end as chosen
         from jsonb_to_recordset($2::jsonb) as r(id text, rule_id text, subject_kind text, subject_id text,
           change_key text, outcome text, recipient text, payload jsonb, fired_at timestamptz, rr_reps jsonb, rr_k int)
         left join rr on rr.id = r.rule_id
     ), f as (
       insert into firings (site_id, id, rule_id, subject_kind, subject_id, change_key, outcome, recipient, payload, fired_at)
       select $1, r.id, r.rule_id, r.subject_kind, r.subject_id, r.change_key, r.outcome, r.chosen,
           case when r.rr_reps is null then r.payload else jsonb_set(r.payload, '{recipient}', to_jsonb(r.chosen)) end,
           r.fired_at
         from r
       on conflict do nothing
       returning id
     ), d as (
       insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, give_up_at)
       select $1, r.rule_id, r.firing_id, r.webhook_id, r.kind, r.url, r.give_up_at
         from rows from (jsonb_to_recordset($3::jsonb) as (rule_id text, firing_id text, webhook_id text,
           kind text, url text, give_up_at timestamptz)) with ordinality
           as r(rule_id, firing_id, webhook_id, kind, url, give_up_at, n)
         join f on f.id = r.firing_id
        order by r.n
       returning 1
     ), c as (
       insert into rule_subjects (site_id, rule_id, subject_id, fired_count, recent_firings, updated_at)
       select $1, r.rule_id, r.subject_id, 1, r.recent_firings, r.updated_at
         from jsonb_to_recordset($4::jsonb) as r(firing_id text, rule_id text, subject_id text,
           recent_firings jsonb, updated_at timestamptz)
         join f on f.id = r.firing_id
       on conflict (site_id, rule_id, subject_id) do update set fired_count = rule_subjects.fired_count + 1,
         recent_firings = excluded.recent_firings, updated_at = excluded.updated_at
       returning 1
     ), s as (
       ${stopSql('$5', '$6')}
       returning 1
     )
     select count(*) from f`,
    [
      siteId,
      JSON.stringify(rows),
      JSON.stringify(outbox),
      JSON.stringify(countRows),
      JSON.stringify(stops.map((p) => ({ rule_id: p.ruleId, subject_id: p.subjectId }))),
      new Date(now).toISOString(),
      [...taken.keys()],
      [...taken.values()],
    ],
  );
  // A firing skipped as already recorded wakes it for nothing, which costs one empty claim.
  if (outbox.length > 0) {
    const db = tx.database;
    tx.afterCommit(() => {
      for (const wake of wakers.get(db) ?? []) wake();
    });
  }
}

/** Marks the pairs (a JSON array of `{ rule_id, subject_id }`: parameters of the site's statement) stopped at `at`; a stop stays. */
const stopSql = (pairs: string, at: string) =>
  `insert into rule_subjects (site_id, rule_id, subject_id, stopped_at, updated_at)
     select $1, p.rule_id, p.subject_id, ${at}::timestamptz, ${at}::timestamptz
       from jsonb_to_recordset(${pairs}::jsonb) as p(rule_id text, subject_id text)
     on conflict (site_id, rule_id, subject_id) do update set stopped_at = excluded.stopped_at, updated_at = excluded.updated_at
       where rule_subjects.stopped_at is null`;

/** Ends the rules for the subjects (their goal event was seen), when nothing fires with them; with the COMMIT. */
export async function markStopped(
  tx: Queryable,
  siteId: string,
  pairs: readonly StopPair[],
  now: number,
): Promise<void> {
  if (pairs.length === 0) return;
  await tx.withCommit(stopSql('$2', '$3'), [
    siteId,
    JSON.stringify(pairs.map((p) => ({ rule_id: p.ruleId, subject_id: p.subjectId }))),
    new Date(now).toISOString(),
  ]);
}
