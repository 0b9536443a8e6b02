import { answerOutcome, type Backoff, nextStep, retryAfterMs } from '../../shared/rules/retry.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { disabledReason, disableRule, keepsFailing } from './disable.ts';
import type { Claimed } from './message.ts';
import type { Answer } from './send.ts';

/**
 * Records the 2xx answers of a batch of attempts in one statement: each row delivered with
 * its status (only a row still pending is changed).
 */
export async function recordDelivered(
  db: Database,
  delivered: readonly { row: Claimed; status: number }[],
  now: number,
): Promise<void> {
  if (delivered.length === 0) return;
  await db.query(
    `update deliveries d set status = 'delivered', attempts = d.attempts + 1, last_status = a.status, last_error = null,
            delivered_at = $4, locked_until = null
       from unnest($1::text[], $2::bigint[], $3::int[]) as a(site_id, id, status)
      where d.site_id = a.site_id and d.id = a.id and d.status = 'pending'`,
    [delivered.map((d) => d.row.siteId), delivered.map((d) => d.row.id), delivered.map((d) => d.status), new Date(now)],
  );
}

/**
 * Records one attempt's answer on its outbox row: delivered (2xx), retried later (backoff or
 * `Retry-After`), or dead (gave up at `give_up_at`, or 410 Gone), turning the rule off when
 * its endpoint keeps failing (disable.ts). Only a row still pending is changed.
 */
export async function recordAnswer(
  db: Database,
  row: Claimed,
  answer: Answer,
  now: number,
  backoff: Backoff,
  random: number,
  log: Logger,
): Promise<void> {
  const at = new Date(now);
  const where = `where site_id = $1 and id = $2 and status = 'pending'`;
  const outcome = answer.status === null ? 'retry' : answerOutcome(answer.status);
  if (outcome === 'delivered') {
    await db.query(
      `update deliveries set status = 'delivered', attempts = attempts + 1, last_status = $3, last_error = null,
              delivered_at = $4, locked_until = null ${where}`,
      [row.siteId, row.id, answer.status, at],
    );
    return;
  }
  const error = answer.error ?? 'failed';
  const step =
    outcome === 'gone'
      ? ({ status: 'dead' } as const)
      : nextStep(row.attempts + 1, now, row.giveUpAt.getTime(), backoff, random, retryAfterMs(answer.retryAfter, now));
  if (step.status === 'pending') {
    await db.query(
      `update deliveries set attempts = attempts + 1, last_status = $3, last_error = $4, next_attempt_at = $5,
              locked_until = null ${where}`,
      [row.siteId, row.id, answer.status, error, new Date(step.nextAttemptAt)],
    );
    return;
  }
  // Dead-lettered, and the rule turned off when its endpoint keeps failing, at once.
  const gone = outcome === 'gone';
  const disabled = await db.transaction(async (tx) => {
    const dead = await tx.query(
      `update deliveries set status = 'dead', attempts = attempts + 1, last_status = $3, last_error = $4,
              locked_until = null ${where} returning id`,
      [row.siteId, row.id, answer.status, error],
    );
    if (dead.length === 0 || !(gone || (await keepsFailing(tx, row)))) return false;
    return disableRule(tx, row, disabledReason(row, error, now, gone), now);
  });
  log.warn('delivery dead-lettered', { site: row.siteId, rule: row.ruleId, url: row.url, error });
  if (disabled)
    log.warn('rule turned off: its endpoint keeps failing', { site: row.siteId, rule: row.ruleId, url: row.url });
}

/** A row that is not sent (its rule is gone or off, its firing erased) goes dead with the reason. */
export async function recordDropped(db: Database, row: Claimed, reason: string): Promise<void> {
  await db.query(
    `update deliveries set status = 'dead', last_error = $3, locked_until = null
      where site_id = $1 and id = $2 and status = 'pending'`,
    [row.siteId, row.id, reason],
  );
}

/** An attempt cut short by the collector stopping: the row is free again at once, no attempt counted. */
export async function releaseRow(db: Database, row: Claimed): Promise<void> {
  await db.query(`update deliveries set locked_until = null where site_id = $1 and id = $2 and status = 'pending'`, [
    row.siteId,
    row.id,
  ]);
}
