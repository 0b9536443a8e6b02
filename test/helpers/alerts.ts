import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { enqueueFirings, type NewFiring } from '../../collector/alerts/outbox.ts';
import type { Database } from '../../collector/db/client.ts';
import type { RuleAction, RuleDefinition, WebhookPayload } from '../../shared/rules/types.ts';
import { newSite } from './db.ts';
import { openFreshDatabase } from './fresh-database.ts';

/**
 * A migrated database of the test file's own (a new database on the tests' PostgreSQL, or an
 * in-memory embedded one): every collector's dispatcher looks at every site's outbox, so a
 * delivery test must not share its database with other files' collectors.
 */
export function useDeliveryDatabase(): { readonly db: Database; readonly siteId: string } {
  let db: Database | undefined;
  let siteId = '';
  let close = async () => {};
  beforeAll(async () => {
    const fresh = await openFreshDatabase();
    await fresh.migrate();
    db = fresh.db;
    close = fresh.close;
    siteId = (await newSite(fresh.db)).siteId;
  }, 120_000);
  afterAll(() => close());
  return {
    get db() {
      return db as Database;
    },
    get siteId() {
      return siteId;
    },
  };
}

/** A signing secret as the rules API makes them (`whsec_` + base64 of 24 random bytes). */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export interface TestRule {
  id: string;
  name: string;
  secret: string;
  actions: RuleAction[];
}

let ruleSeq = 0;

/** A `rules` row, as the rules API would store it. */
export async function insertRule(
  db: Database,
  siteId: string,
  actions: RuleAction[],
  extra: Partial<RuleDefinition> = {},
): Promise<TestRule> {
  const id = `rul_test${++ruleSeq}_${randomBytes(4).toString('hex')}`;
  const secret = newSecret();
  const definition: RuleDefinition = {
    name: `Account turns High ${ruleSeq}`,
    subject: 'account',
    when: { type: 'threshold', tier: 'high' },
    actions,
    ...extra,
  };
  await db.query(
    'insert into rules (site_id, id, name, subject, definition, secret) values ($1, $2, $3, $4, $5::text::jsonb, $6)',
    [siteId, id, definition.name, definition.subject, JSON.stringify(definition), secret],
  );
  return { id, name: definition.name, secret, actions };
}

let firingSeq = 0;

/** A firing's webhook body (CONTRACT "Webhooks") for account `accountId`. */
export function payloadFor(rule: TestRule, id: string, accountId: string, firedAt: number): WebhookPayload {
  return {
    id,
    rule: { id: rule.id, name: rule.name },
    firedAt: new Date(firedAt).toISOString(),
    account: {
      id: accountId,
      name: `Account ${accountId}`,
      score: 81,
      tier: 'high',
      previousTier: 'medium',
      owner: null,
    },
    recipient: 'ann@acme.test',
    reason: 'crossed into High',
    signals: [
      { signal: 'Pricing page', points: 15 },
      { signal: 'Demo requested', points: 30 },
    ],
  };
}

/**
 * Records `count` firings of `rule` (one per account) with `enqueueFirings`, in one
 * transaction, as the rules evaluation does; a digest rule's get no deliveries.
 */
export async function fire(
  db: Database,
  siteId: string,
  rule: TestRule,
  count = 1,
  options: { giveUpMs?: number; digest?: boolean; firedAt?: number } = {},
): Promise<NewFiring[]> {
  const firedAt = options.firedAt ?? Date.now();
  const firings: NewFiring[] = Array.from({ length: count }, () => {
    const n = ++firingSeq;
    const id = `fir_${n}_${randomBytes(6).toString('hex')}`;
    const accountId = `acc_${n}`;
    return {
      id,
      ruleId: rule.id,
      subjectKind: 'account',
      subjectId: accountId,
      changeKey: `tier:high:${n}`,
      outcome: 'fired',
      recipient: 'ann@acme.test',
      payload: payloadFor(rule, id, accountId, firedAt) as unknown as Record<string, unknown>,
      firedAt,
      actions: options.digest ? [] : rule.actions,
    };
  });
  await db.transaction((tx) => enqueueFirings(tx, siteId, firings, options.giveUpMs));
  return firings;
}

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  kind: string;
}

export async function deliveriesOf(db: Database, siteId: string, ruleId: string): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    `select id, webhook_id, status, attempts, last_status, last_error, next_attempt_at, kind
       from deliveries where site_id = $1 and rule_id = $2 order by id`,
    [siteId, ruleId],
  );
}
