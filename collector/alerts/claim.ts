import type { RuleDefinition, RuleSubject, WebhookPayload } from '../../shared/rules/types.ts';
import type { Queryable } from '../db/client.ts';
import type { Claimed } from './message.ts';

interface Row {
  site_id: string;
  id: number;
  rule_id: string;
  firing_id: string | null;
  webhook_id: string;
  kind: 'webhook' | 'slack';
  url: string;
  attempts: number;
  give_up_at: Date;
  created_at: Date;
  rule_enabled: boolean | null;
  rule_secret: string | null;
  rule_name: string | null;
  rule_subject: RuleSubject | null;
  rule_definition: Partial<RuleDefinition> | null;
  firing_payload: WebhookPayload | null;
  firing_subject_kind: RuleSubject | null;
  recipient_slack_id: string | null;
}

/**
 * Claims up to `limit` due pending deliveries for this process until `now + leaseMs`: rows
 * another process is claiming at the same moment are skipped (`FOR UPDATE SKIP LOCKED`), and
 * a claimed row stays out of every other claim until its lease ends, so no two processes
 * send it at once, and a process that dies with it only delays it. Each row comes with its
 * rule and its firing's payload, read in the same statement (null when gone), so a batch
 * costs one round trip to prepare, not two per row.
 */
export async function claimDue(db: Queryable, now: number, leaseMs: number, limit: number): Promise<Claimed[]> {
  const at = new Date(now);
  const rows = await db.query<Row>(
    `with due as (
       select site_id, id, rule_id, firing_id from deliveries
        where status = 'pending' and next_attempt_at <= $1 and (locked_until is null or locked_until <= $1)
        order by next_attempt_at
        limit $3
        for update skip locked)
     update deliveries d set locked_until = $2
       from due
       left join rules r on r.site_id = due.site_id and r.id = due.rule_id
       left join firings f on f.site_id = due.site_id and f.id = due.firing_id
       left join dashboard_users u on u.site_id = due.site_id
         and u.email = lower(coalesce(f.recipient, f.payload -> f.subject_kind ->> 'owner'))
      where d.site_id = due.site_id and d.id = due.id
     returning d.site_id, d.id, d.rule_id, d.firing_id, d.webhook_id, d.kind, d.url, d.attempts, d.give_up_at, d.created_at,
       r.enabled as rule_enabled, r.secret as rule_secret, r.name as rule_name, r.subject as rule_subject,
       r.definition as rule_definition, f.payload as firing_payload, f.subject_kind as firing_subject_kind,
       u.slack_member_id as recipient_slack_id`,
    [at, new Date(now + leaseMs), limit],
  );
  return rows.map((r) => ({
    siteId: r.site_id,
    id: r.id,
    ruleId: r.rule_id,
    firingId: r.firing_id,
    webhookId: r.webhook_id,
    kind: r.kind,
    url: r.url,
    attempts: r.attempts,
    giveUpAt: new Date(r.give_up_at),
    createdAt: new Date(r.created_at),
    rule:
      r.rule_enabled === null
        ? null
        : {
            enabled: r.rule_enabled,
            secret: r.rule_secret ?? '',
            name: r.rule_name ?? '',
            subject: r.rule_subject ?? 'person',
            definition: r.rule_definition ?? {},
          },
    firing:
      r.firing_payload === null
        ? null
        : {
            payload: r.firing_payload,
            subjectKind: r.firing_subject_kind ?? 'person',
            recipientSlackId: r.recipient_slack_id,
          },
  }));
}

/** When the next pending delivery comes due (its lease counted), or null when none waits. */
export async function nextDueAt(db: Queryable): Promise<number | null> {
  const [row] = await db.query<{ at: Date | null }>(
    `select min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) as at
       from deliveries where status = 'pending'`,
  );
  return row?.at ? new Date(row.at).getTime() : null;
}

/**
 * The embedded database is one process's (db/lock.ts): every lease left in it is a dead
 * process's, released at start so its deliveries go out at once.
 */
export async function releaseLeases(db: Queryable): Promise<number> {
  const rows = await db.query(
    `update deliveries set locked_until = null where status = 'pending' and locked_until is not null returning id`,
  );
  return rows.length;
}
