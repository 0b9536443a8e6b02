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

/**
 * Every table carries `site_id` and has it first in every primary key, unique index and
 * foreign key, so the schema can be distributed on site id (Citus) without a rewrite
 * (`collector/db/key-shape.test.ts` reads the catalog). The exceptions are the reference tables,
 * small and copied whole to every node: `sites` (it owns the distribution key, `id`, and is
 * found by key on every request) and `link_slugs` (a tracked link found by slug alone).
 */
export const REFERENCE_TABLES = ['sites', 'link_slugs'] as const;

export * from './schema-alerts.ts';
export * from './schema-dashboard.ts';
export * from './schema-scores.ts';

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
    /**
     * Identity verification: the site's server sends HMAC-SHA256(this, userId) as the
     * `user_hash` of an identify. Kept in clear (the collector computes the HMAC); null = none
     * yet (`keys rotate --verification` makes one), so no browser identify is verified.
     */
    verificationSecret: text('verification_secret'),
    /**
     * Events received longer ago than this are deleted (`collector/db/retention.ts`); null = the
     * global setting (`INKLING_RETENTION_DAYS`, default: keep everything). At least
     * `MIN_RETENTION_DAYS`; the shorter of the two applies.
     */
    retentionDays: integer('retention_days'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sites_write_key_idx').on(t.writeKey), uniqueIndex('sites_secret_key_id_idx').on(t.secretKeyId)],
);

/**
 * Raw events, append-only. Range-partitioned by `received_at`, one partition a month plus a
 * DEFAULT one (migration 0008; drizzle cannot declare partitions, so this describes the
 * columns and keys only; `db/partitions.ts` makes the partitions). The primary key leads with
 * (site_id, received_at); idempotency lives in `message_ids` because a unique key on a
 * partitioned table must include the partition column. An index declared here is created on
 * every partition, present and future.
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
    // With the time: scoring reads a person's events within the horizon as a range scan per id.
    index('events_site_anonymous_time_idx').on(t.siteId, t.anonymousId, t.timestamp),
    index('events_site_user_time_idx').on(t.siteId, t.userId, t.timestamp),
    index('events_site_timestamp_idx').on(t.siteId, t.timestamp),
  ],
);

/**
 * One row per (site, messageId) stored within the ledger window (`INKLING_MESSAGE_ID_RETENTION_DAYS`,
 * `collector/db/retention.ts` prunes older rows): the idempotency ledger. Erasure's tombstones
 * (`received_at = -infinity`) are never pruned.
 */
export const messageIds = pgTable(
  'message_ids',
  {
    siteId: text('site_id').notNull(),
    messageId: text('message_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.messageId] }),
    index('message_ids_site_received_idx').on(t.siteId, t.receivedAt),
  ],
);

/**
 * Events stored and not yet through identity and scoring: the insert statement that stores
 * an event writes its mark, and the writer deletes the group's marks once its identity and
 * scores are committed. A crash in between leaves the mark, and `scoring/recover.ts` replays
 * the event (on start and with every periodic rescore). `marked_at` is the database's clock.
 */
export const unscored = pgTable(
  'unscored',
  {
    siteId: text('site_id').notNull(),
    messageId: text('message_id').notNull(),
    /** The event's key in `events`: (site_id, received_at, event_id). */
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    markedAt: timestamp('marked_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.messageId] })],
);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A person: one known user (user_id) or one anonymous visitor not yet identified, with all
 * the anonymous ids in `identities`. Events are never rewritten on a merge: a person's events
 * are found through their user id and anonymous ids.
 */
export const persons = pgTable(
  'persons',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    userId: text('user_id'),
    email: text('email'),
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull().default({}),
    accountId: text('account_id'),
    /** The rep who owns this person (a dashboard user's email): `PUT /v1/people/:id`, or an `owner` trait. */
    owner: text('owner'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    uniqueIndex('persons_site_user_idx').on(t.siteId, t.userId).where(sql`${t.userId} is not null`),
    index('persons_site_account_idx').on(t.siteId, t.accountId),
  ],
);

/** Anonymous id -> person. An anonymous id belongs to one person only. */
export const identities = pgTable(
  'identities',
  {
    siteId: text('site_id').notNull(),
    anonymousId: text('anonymous_id').notNull(),
    personId: text('person_id').notNull(),
    /**
     * False when a browser linked the id to a known user without identity verification: the
     * person's events still include the device's, but public lookups of this id answer from
     * the device's own events, and it counts toward a smaller cap of its own.
     */
    verified: boolean('verified').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.anonymousId] }),
    index('identities_site_person_idx').on(t.siteId, t.personId),
  ],
);

/** A company, from `group` calls (group_id) or a person's work email domain. */
export const accounts = pgTable(
  'accounts',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    groupId: text('group_id'),
    domain: text('domain'),
    name: text('name'),
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull().default({}),
    /** The rep who owns this account (a dashboard user's email): `PUT /v1/accounts/:id`, or an `owner` trait of `group`. */
    owner: text('owner'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    uniqueIndex('accounts_site_group_idx').on(t.siteId, t.groupId).where(sql`${t.groupId} is not null`),
    uniqueIndex('accounts_site_domain_idx').on(t.siteId, t.domain).where(sql`${t.domain} is not null`),
  ],
);

/**
 * Other names of an account that absorbed another (`kind`: the merged-away account's `id`,
 * its `group` id or `domain`), so that an old id still finds the account and a later call
 * naming it joins the survivor.
 */
export const accountAliases = pgTable(
  'account_aliases',
  {
    siteId: text('site_id').notNull(),
    kind: text('kind').notNull(),
    alias: text('alias').notNull(),
    accountId: text('account_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.kind, t.alias] }),
    index('account_aliases_site_account_idx').on(t.siteId, t.accountId),
  ],
);

/** Links the identity graph refused (another known user, junk id, too many ids), for support. */
export const identityConflicts = pgTable(
  'identity_conflicts',
  {
    siteId: text('site_id').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    anonymousId: text('anonymous_id'),
    keptPersonId: text('kept_person_id'),
    refusedUserId: text('refused_user_id'),
    reason: text('reason').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] })],
);

/** A site's scoring model; sites without a row use the default. */
export const siteConfigs = pgTable('site_configs', {
  siteId: text('site_id').primaryKey(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * Tracked links a sales team sends (`POST /v1/links`), keyed by site like every distributed
 * table. `GET /l/:slug` carries no key: `link_slugs` finds the slug's site.
 */
export const links = pgTable(
  'links',
  {
    siteId: text('site_id').notNull(),
    slug: text('slug').notNull(),
    url: text('url').notNull(),
    /** The userId (or email used as userId) the link was sent to; null = not attributed. */
    recipient: text('recipient'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slug] })],
);

/**
 * Slug -> site, for `GET /l/:slug`, which carries no key. Written with the link in one
 * transaction; its primary key keeps slugs unique across sites. A reference table (copied
 * to every node with Citus): small, written rarely, read by key.
 */
export const linkSlugs = pgTable('link_slugs', {
  slug: text('slug').primaryKey(),
  siteId: text('site_id').notNull(),
});

export type Site = typeof sites.$inferSelect;
export type NewSite = typeof sites.$inferInsert;
export type Event = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
export type Person = typeof persons.$inferSelect;
export type Account = typeof accounts.$inferSelect;
export type Link = typeof links.$inferSelect;
