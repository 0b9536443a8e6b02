import type { Queryable } from '../db/client.ts';
import type { Claimed } from './message.ts';

/**
 * Auto-disable (README "Webhooks"): an endpoint "keeps failing" when one of its deliveries
 * is dead-lettered (it failed for the whole give-up time, 24 h by default) and nothing was
 * delivered to that URL for the rule since that delivery was created; a 410 Gone is final at
 * once. The rule is turned off (`enabled = false`) with the URL, since when and the last
 * error in `disabled_reason`; its other pending deliveries go dead ("rule disabled").
 */
export async function keepsFailing(db: Queryable, row: Claimed): Promise<boolean> {
  const since = await db.query(
    `select 1 from deliveries
      where site_id = $1 and rule_id = $2 and url = $3 and status = 'delivered' and delivered_at >= $4
      limit 1`,
    [row.siteId, row.ruleId, row.url, row.createdAt],
  );
  return since.length === 0;
}

/** The reason a rule shows once turned off for `row`'s endpoint. */
export function disabledReason(row: Claimed, lastError: string, now: number, gone: boolean): string {
  const at = new Date(now).toISOString();
  const what = `${row.kind === 'slack' ? 'Slack webhook' : 'Webhook'} ${row.url}`;
  return gone
    ? `${what} answered 410 Gone at ${at}; the rule was turned off.`
    : `${what} kept failing from ${row.createdAt.toISOString()} until ${at} (last error: ${lastError}); ` +
        'a delivery was dead-lettered, so the rule was turned off.';
}

/** Turns the rule off (once: a rule already off keeps its reason) and dead-letters its waiting deliveries. */
export async function disableRule(tx: Queryable, row: Claimed, reason: string, now: number): Promise<boolean> {
  const off = await tx.query(
    `update rules set enabled = false, disabled_reason = $3, updated_at = $4
        where site_id = $1 and id = $2 and enabled returning id`,
    [row.siteId, row.ruleId, reason, new Date(now)],
  );
  // Not the ones another process is sending now: they go dead when they come back.
  await tx.query(
    `update deliveries set status = 'dead', last_error = 'rule disabled', locked_until = null
      where site_id = $1 and rule_id = $2 and status = 'pending' and (locked_until is null or locked_until <= $3)`,
    [row.siteId, row.ruleId, new Date(now)],
  );
  return off.length > 0;
}
