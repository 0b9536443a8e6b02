import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Every table carries `site_id` and has it first in every key, so the schema can be
 * distributed on site id (Citus) without a rewrite.
 */

export const sites = pgTable(
  'sites',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Browser origins allowed to send and read (CORS). Empty = any origin. */
    origins: text('origins').array().notNull().default(sql`'{}'::text[]`),
    writeKey: text('write_key').notNull(),
    /** Public, non-secret part of the secret key, used to find the row. */
    secretKeyId: text('secret_key_id').notNull(),
    /** SHA-256 (hex) of the whole secret key; the key itself is never stored. */
    secretKeyHash: text('secret_key_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sites_write_key_idx').on(t.writeKey), uniqueIndex('sites_secret_key_id_idx').on(t.secretKeyId)],
);

/**
 * Raw events, append-only. The primary key leads with (site_id, received_at) so that the
 * table can be range-partitioned by `received_at` without changing any key; idempotency
 * lives in `message_ids` because a unique key on a partitioned table must include the
 * partition column.
 */
export const events = pgTable(
  'events',
  {
    siteId: text('site_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    messageId: text('message_id').notNull(),
    type: text('type').notNull(),
    event: text('event'),
    name: text('name'),
    anonymousId: text('anonymous_id'),
    userId: text('user_id'),
    groupId: text('group_id'),
    previousId: text('previous_id'),
    /** Client time corrected for clock skew (Segment's rule). */
    timestamp: timestamp('timestamp', { withTimezone: true, mode: 'date' }).notNull(),
    originalTimestamp: timestamp('original_timestamp', { withTimezone: true, mode: 'date' }),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull(),
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull(),
    /** The message's context with `ip` replaced by the truncated address. */
    context: jsonb('context').$type<Record<string, unknown>>().notNull(),
    url: text('url'),
    path: text('path'),
    referrer: text('referrer'),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    utmTerm: text('utm_term'),
    utmContent: text('utm_content'),
    browser: text('browser'),
    browserVersion: text('browser_version'),
    os: text('os'),
    osVersion: text('os_version'),
    deviceType: text('device_type'),
    isBot: boolean('is_bot').notNull(),
    /** IPv4 truncated to /24, IPv6 to /48. The full address is never stored. */
    ip: text('ip'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.receivedAt, t.id] }),
    index('events_site_anonymous_idx').on(t.siteId, t.anonymousId),
    index('events_site_user_idx').on(t.siteId, t.userId),
    index('events_site_timestamp_idx').on(t.siteId, t.timestamp),
  ],
);

/** One row per (site, messageId) ever stored: the idempotency ledger. */
export const messageIds = pgTable(
  'message_ids',
  {
    siteId: text('site_id').notNull(),
    messageId: text('message_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.messageId] })],
);

export type Site = typeof sites.$inferSelect;
export type NewSite = typeof sites.$inferInsert;
export type Event = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
