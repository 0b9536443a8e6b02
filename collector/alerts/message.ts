import { Webhook } from 'standardwebhooks';
import { digestPayload } from '../../shared/rules/digest.ts';
import { slackDigest, slackMessage } from '../../shared/rules/slack.ts';
import type { RuleDefinition, RuleSubject, WebhookPayload } from '../../shared/rules/types.ts';
import type { Queryable } from '../db/client.ts';

/** A claimed outbox row (`deliveries`). */
export interface Claimed {
  siteId: string;
  id: number;
  ruleId: string;
  /** Null for a digest. */
  firingId: string | null;
  webhookId: string;
  kind: 'webhook' | 'slack';
  url: string;
  attempts: number;
  giveUpAt: Date;
  createdAt: Date;
  /** The rule as claimed with the row; null when it is deleted. */
  rule: ClaimedRule | null;
  /** The firing's payload as claimed with the row; null for a digest or an erased firing. */
  firing: {
    payload: WebhookPayload;
    subjectKind: RuleSubject;
    /** The Slack member id of the dashboard user the firing is for (its recipient, else the owner). */
    recipientSlackId: string | null;
  } | null;
}

export type Request = { send: true; body: string; headers: Record<string, string> } | { send: false; reason: string };

export interface ClaimedRule {
  enabled: boolean;
  secret: string;
  name: string;
  subject: RuleSubject;
  definition: Partial<RuleDefinition>;
}

/**
 * What to POST for `row` at `now`: the firing's stored payload (or the digest of its
 * firings) as JSON, signed per Standard Webhooks with the rule's secret; for Slack, the
 * Block Kit message. Not sent (`send: false`) when the rule is gone or off, or the firing
 * was erased. The body is the same on every attempt; the timestamp and signature are the
 * attempt's.
 */
export async function buildRequest(db: Queryable, row: Claimed, publicUrl: string, now: number): Promise<Request> {
  const { rule, firing } = row;
  if (!rule) return { send: false, reason: 'rule deleted' };
  if (!rule.enabled) return { send: false, reason: 'rule disabled' };
  let body: unknown;
  if (row.firingId !== null) {
    if (!firing) return { send: false, reason: 'firing erased' };
    body =
      row.kind === 'slack'
        ? slackMessage(firing.payload, firing.subjectKind, publicUrl, firing.recipientSlackId)
        : firing.payload;
  } else {
    const firings = await db.query<{ payload: WebhookPayload }>(
      `select f.payload from firings f
         join deliveries d on d.site_id = f.site_id and d.id = f.digest_delivery_id
        where d.site_id = $1 and d.webhook_id = $2
        order by f.fired_at, f.id`,
      [row.siteId, row.webhookId],
    );
    if (firings.length === 0) return { send: false, reason: 'firings erased' };
    const every = rule.definition.digest?.every ?? '';
    const digest = digestPayload(
      row.webhookId,
      { id: row.ruleId, name: rule.name, subject: rule.subject, when: rule.definition.when },
      every,
      firings.map((f) => f.payload),
    );
    body = row.kind === 'slack' ? slackDigest(digest, rule.subject, publicUrl) : digest;
  }
  const json = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Inkling-Webhooks/1' };
  if (row.kind === 'webhook') {
    let signature: string;
    try {
      signature = new Webhook(rule.secret).sign(row.webhookId, new Date(now), json);
    } catch {
      return { send: false, reason: 'the rule secret cannot sign (not whsec_ base64)' };
    }
    headers['webhook-id'] = row.webhookId;
    headers['webhook-timestamp'] = String(Math.floor(now / 1000));
    headers['webhook-signature'] = signature;
  }
  return { send: true, body: json, headers };
}
