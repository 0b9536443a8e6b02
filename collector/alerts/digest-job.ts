import { nanoid } from 'nanoid';
import { digestPeriodMs } from '../../shared/rules/digest.ts';
import type { RuleAction } from '../../shared/rules/types.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { type Periodic, startPeriodic } from '../periodic.ts';

/** The most firings one digest carries; the rest go in the next one. */
export const DIGEST_MAX_FIRINGS = 1000;

interface DigestRule {
  site_id: string;
  id: string;
  every: string;
  actions: RuleAction[] | null;
}

/**
 * For each enabled digest rule whose oldest undelivered firing is at least one period old,
 * and whose last digest went out at least one period ago: one outbox row per action carrying
 * every such firing (`firings.digest_delivery_id` points at the first row; the rows share one
 * `webhook-id`). The rule's row is locked (`FOR UPDATE SKIP LOCKED`) while this runs, so with
 * several collectors each digest is made once. Answers the digests made.
 */
export async function makeDueDigests(db: Database, now: number, giveUpMs: number, wake?: () => void): Promise<number> {
  const rules = await db.query<DigestRule>(
    `select site_id, id, definition->'digest'->>'every' as every, definition->'actions' as actions
       from rules where enabled and definition->'digest'->>'every' is not null`,
  );
  let made = 0;
  for (const rule of rules) {
    const period = digestPeriodMs(rule.every);
    const actions = (rule.actions ?? []).filter((a) => a.type === 'webhook' || a.type === 'slack');
    if (period === null || actions.length === 0) continue;
    if (await makeDigest(db, rule, actions, period, now, giveUpMs)) {
      made++;
    }
  }
  if (made > 0) wake?.();
  return made;
}

async function makeDigest(
  db: Database,
  rule: DigestRule,
  actions: RuleAction[],
  period: number,
  now: number,
  giveUpMs: number,
): Promise<boolean> {
  const before = new Date(now - period);
  return db.transaction(async (tx) => {
    const mine = await tx.query(
      'select 1 from rules where site_id = $1 and id = $2 and enabled for update skip locked',
      [rule.site_id, rule.id],
    );
    if (mine.length === 0) return false;
    const [recent] = await tx.query(
      `select 1 from deliveries where site_id = $1 and rule_id = $2 and firing_id is null and created_at > $3 limit 1`,
      [rule.site_id, rule.id, before],
    );
    if (recent) return false;
    const waiting = await tx.query<{ id: string; fired_at: Date }>(
      `select id, fired_at from firings
        where site_id = $1 and rule_id = $2 and outcome = 'fired' and digest_delivery_id is null
        order by fired_at, id limit $3`,
      [rule.site_id, rule.id, DIGEST_MAX_FIRINGS],
    );
    const oldest = waiting[0];
    if (!oldest || new Date(oldest.fired_at).getTime() > before.getTime()) return false;
    const webhookId = `dg_${nanoid(16)}`;
    const rows = actions.map((a) => ({ kind: a.type, url: a.url }));
    const inserted = await tx.query<{ id: number }>(
      // Due at once (next_attempt_at's default); made at `now` for the once-per-period check.
      `insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, give_up_at, created_at)
       select $1, $2, null, $3, r.kind, r.url, $5, $4
         from jsonb_to_recordset($6::jsonb) as r(kind text, url text)
       returning id`,
      [rule.site_id, rule.id, webhookId, new Date(now), new Date(now + giveUpMs), JSON.stringify(rows)],
    );
    const first = Math.min(...inserted.map((r) => r.id));
    await tx.query('update firings set digest_delivery_id = $3 where site_id = $1 and id = any($2::text[])', [
      rule.site_id,
      waiting.map((f) => f.id),
      first,
    ]);
    return true;
  });
}

/** Every `intervalMs` (unref'd), makes the due digests and wakes the dispatcher for them. */
export function startDigestJob(
  db: Database,
  log: Logger,
  intervalMs: number,
  giveUpMs: number,
  wake: () => void,
): Periodic {
  return startPeriodic(async () => {
    try {
      const made = await makeDueDigests(db, Date.now(), giveUpMs, wake);
      if (made > 0) log.info('digests made', { made });
    } catch (err) {
      log.error('making digests failed', { err });
    }
  }, intervalMs);
}
