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
  recipient: string | null;
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
 * Records `firings` inside the caller's transaction (the one that stores the change that
 * caused them), with one outbox row per action of each `fired` one. A firing already
 * recorded for its (rule, subject, change) is skipped with its deliveries. Answers the
 * firings actually recorded. Once the transaction commits, this process's dispatcher wakes.
 */
export async function enqueueFirings(
  tx: Queryable,
  siteId: string,
  firings: readonly NewFiring[],
  giveUpMs = DEFAULT_GIVE_UP_MS,
): Promise<NewFiring[]> {
  if (firings.length === 0) return [];
  const rows = firings.map((f) => ({
    id: f.id,
    rule_id: f.ruleId,
    subject_kind: f.subjectKind,
    subject_id: f.subjectId,
    change_key: f.changeKey,
    outcome: f.outcome,
    recipient: f.recipient,
    payload: f.payload,
    fired_at: new Date(f.firedAt).toISOString(),
  }));
  const inserted = await tx.query<{ id: string }>(
    `insert into firings (site_id, id, rule_id, subject_kind, subject_id, change_key, outcome, recipient, payload, fired_at)
     select $1, r.id, r.rule_id, r.subject_kind, r.subject_id, r.change_key, r.outcome, r.recipient, r.payload, r.fired_at
       from jsonb_to_recordset($2::text::jsonb) as r(id text, rule_id text, subject_kind text, subject_id text,
         change_key text, outcome text, recipient text, payload jsonb, fired_at timestamptz)
     on conflict do nothing
     returning id`,
    [siteId, JSON.stringify(rows)],
  );
  const ids = new Set(inserted.map((r) => r.id));
  const recorded = firings.filter((f) => ids.has(f.id));
  const outbox = recorded
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
  if (outbox.length > 0) {
    await tx.query(
      `insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, give_up_at)
       select $1, r.rule_id, r.firing_id, r.webhook_id, r.kind, r.url, r.give_up_at
         from jsonb_to_recordset($2::text::jsonb) as r(rule_id text, firing_id text, webhook_id text, kind text,
           url text, give_up_at timestamptz)`,
      [siteId, JSON.stringify(outbox)],
    );
    const db = tx.database;
    tx.afterCommit(() => {
      for (const wake of wakers.get(db) ?? []) wake();
    });
  }
  return recorded;
}
