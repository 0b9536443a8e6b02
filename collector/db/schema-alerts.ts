import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Alerts and triggers (`POST /v1/rules`). `definition` holds the rule as the API takes it
 * (`when`, `actions`, `cap`, `holdout`, `stopWhen`, `route`, `digest`; see
 * shared/rules/types.ts); `secret` signs its webhooks (`whsec_...`, Standard Webhooks).
 */
export const rules = pgTable(
  'rules',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** `person` or `account`. */
    subject: text('subject').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Why the collector turned the rule off (an endpoint that kept failing); null when a person did or it is on. */
    disabledReason: text('disabled_reason'),
    /** The next index into `route.roundRobin` for an unowned subject. */
    roundRobinNext: integer('round_robin_next').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] })],
);

/**
 * What a rule knows of one subject: how often it fired (frequency caps), and whether the
 * subject reached the rule's stop condition (`stopWhen`), after which it never fires again.
 */
export const ruleSubjects = pgTable(
  'rule_subjects',
  {
    siteId: text('site_id').notNull(),
    ruleId: text('rule_id').notNull(),
    subjectId: text('subject_id').notNull(),
    /** Firings that counted against the caps (delivered or held out, not capped ones). */
    firedCount: integer('fired_count').notNull().default(0),
    /** Epoch ms of the counted firings within the cap's longest window, newest last. */
    recentFirings: jsonb('recent_firings').$type<number[]>().notNull().default([]),
    stoppedAt: ts('stopped_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.ruleId, t.subjectId] })],
);

/**
 * One row per (rule, subject, triggering change): the unique key makes a firing exactly
 * once even when a change is evaluated twice (a retry, a replay after a crash, two
 * collectors). `outcome`: `fired` (delivered through the outbox), `held_out` (the rule's
 * holdout share, recorded only), `capped` (over a frequency cap). `id` is the webhook id
 * (`webhook-id`, the payload's `id`).
 */
export const firings = pgTable(
  'firings',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    ruleId: text('rule_id').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    /** What triggered it, unique per rule and subject (for example `tier:high:<history id>`, `hit:<at>:<signal>`). */
    changeKey: text('change_key').notNull(),
    outcome: text('outcome').notNull(),
    recipient: text('recipient'),
    /** The webhook body (CONTRACT "Webhooks"), as it was when the rule fired. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    firedAt: ts('fired_at').notNull(),
    /** For a digest rule: the delivery that carried this firing (null until it goes out). */
    digestDeliveryId: bigint('digest_delivery_id', { mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    uniqueIndex('firings_change_idx').on(t.siteId, t.ruleId, t.subjectId, t.changeKey),
    index('firings_rule_idx').on(t.siteId, t.ruleId, t.firedAt),
  ],
);

/**
 * The outbox: one row per (firing or digest, action), written in the transaction that fires.
 * A dispatcher in every collector claims due rows (`FOR UPDATE SKIP LOCKED`, then a lease in
 * `locked_until`, so a process killed mid-delivery only delays it) and POSTs them.
 * `status`: `pending` (due at `next_attempt_at`), `delivered`, `dead` (gave up at `give_up_at`).
 */
export const deliveries = pgTable(
  'deliveries',
  {
    siteId: text('site_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    ruleId: text('rule_id').notNull(),
    /** The firing it carries; null for a digest (its firings point at it). */
    firingId: text('firing_id'),
    /** The Standard Webhooks `webhook-id`: the firing id, or the digest's own id. */
    webhookId: text('webhook_id').notNull(),
    /** `webhook` or `slack`. */
    kind: text('kind').notNull(),
    url: text('url').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    giveUpAt: ts('give_up_at').notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    index('deliveries_rule_idx').on(t.siteId, t.ruleId, t.createdAt),
    // Across sites, like next_change_at: the dispatcher looks for due rows of every site.
    index('deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);
