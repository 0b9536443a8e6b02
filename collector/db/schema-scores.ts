import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One stored signal of a person (`person_scores.hits`): epoch ms, signal id, intent, derived. */
export type StoredHit = [at: number, signal: string, intent: string, derived: 0 | 1];

/**
 * The stored scores (what scoring writes, collector/scoring/): a person's and an account's
 * current score, an account's breakdown by contact, and the history of moves.
 */

/** A person's current score, exact until `next_change_at`. */
export const personScores = pgTable(
  'person_scores',
  {
    siteId: text('site_id').notNull(),
    personId: text('person_id').notNull(),
    score: integer('score').notNull(),
    tier: text('tier').notNull(),
    type: text('type').notNull(),
    trend: text('trend').notNull(),
    /** The score minus the score the same events gave 7 days earlier (the rising/cooling lists). */
    change7d: integer('change_7d').notNull().default(0),
    points: doublePrecision('points').notNull(),
    explanation: jsonb('explanation').$type<unknown[]>().notNull(),
    categories: jsonb('categories').$type<Record<string, number>>().notNull(),
    nextChangeAt: ts('next_change_at'),
    updatedAt: ts('updated_at').notNull(),
    /**
     * The person's signals that can still count (`hitsKept`: for their account, and for their
     * own score at any later instant), as `[at (epoch ms), signal, intent, derived (0|1)]`
     * tuples: an account is rolled up from its contacts' rows, and the periodic rescore scores
     * a person from theirs, not from events. Null for a person scored before this column: a
     * roll-up derives those from events.
     * `json`, not `jsonb`: the text is kept as written, so reading it back is a copy (the
     * roll-up of a 400-contact account spent 2 ms in PostgreSQL printing `jsonb` numbers), and
     * comparisons are of that text, which one writer (`jsonb_to_recordset`) always spells alike.
     */
    hits: json('hits').$type<StoredHit[]>(),
    /**
     * Which scoring model derived `hits` (`scoring/model-key.ts`): the periodic rescore scores
     * a person from `hits` alone when it is the site's current model, from their events
     * otherwise. Null before this column.
     */
    model: text('model'),
    /**
     * Where the derivation of the person's signals stands after their events so far, and whose
     * events those were (`scoring/fresh-events.ts`): a group of new events is folded on it
     * instead of reading the person's events again. Written with `hits`, under `model`.
     */
    fold: json('fold').$type<{ ids: string; fold: unknown }>(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.personId] }),
    // The periodic rescore's rounds: the due scores in (time, key) order (`scoring/rescore.ts`).
    index('person_scores_next_change_idx').on(t.nextChangeAt, t.siteId, t.personId),
    index('person_scores_site_score_idx').on(t.siteId, t.score),
    index('person_scores_site_change_idx').on(t.siteId, t.change7d),
  ],
);

/** An account's current score with its breakdown by category (by contact: `account_contacts`). */
export const accountScores = pgTable(
  'account_scores',
  {
    siteId: text('site_id').notNull(),
    accountId: text('account_id').notNull(),
    score: integer('score').notNull(),
    tier: text('tier').notNull(),
    trend: text('trend').notNull(),
    /** As for a person: the account score minus the account score 7 days earlier. */
    change7d: integer('change_7d').notNull().default(0),
    points: doublePrecision('points').notNull(),
    explanation: jsonb('explanation').$type<unknown[]>().notNull(),
    categories: jsonb('categories').$type<Record<string, number>>().notNull(),
    nextChangeAt: ts('next_change_at'),
    updatedAt: ts('updated_at').notNull(),
    /**
     * Which breakdown (`account_contacts` lines) the account has: a fresh random token each
     * time a roll-up changes its lines, so a collector that holds the lines of that token
     * (scoring/contacts-memo.ts) reads back only the contacts that differ from them.
     */
    linesVersion: text('lines_version').notNull().default(sql`gen_random_uuid()::text`),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.accountId] }),
    index('account_scores_next_change_idx').on(t.nextChangeAt, t.siteId, t.accountId),
    // In the dashboard's order (score descending, then id): its High list reads 15 entries, not every tie.
    index('account_scores_site_score_idx').on(t.siteId, t.score.desc().nullsFirst(), t.accountId),
    // The dashboard's tier counts: an index-only scan, not the wide rows (explanations, signals).
    index('account_scores_site_tier_idx').on(t.siteId, t.tier),
    index('account_scores_site_change_idx').on(t.siteId, t.change7d),
  ],
);

/**
 * An account score's breakdown by contact: one row per contact, as of the account's last
 * rescore (its `contacts` lines: the contact's own score, tier and type, their points in the
 * account and whether they are engaged). A rescore writes only the lines that changed, so
 * one event of one contact of a large account rewrites one line, not the whole breakdown.
 */
export const accountContacts = pgTable(
  'account_contacts',
  {
    siteId: text('site_id').notNull(),
    accountId: text('account_id').notNull(),
    personId: text('person_id').notNull(),
    score: integer('score').notNull(),
    tier: text('tier').notNull(),
    type: text('type').notNull(),
    points: doublePrecision('points').notNull(),
    engaged: boolean('engaged').notNull(),
    /**
     * The contact's signals (`person_scores.hits`) as this roll-up took them: the account's
     * signals before its next change, which the alerts compare it with. Null on lines
     * migrated from the old breakdown column. `json`, like `person_scores.hits`.
     */
    hits: json('hits').$type<unknown[]>(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.accountId, t.personId] })],
);

/** One row per change of a score or tier, at write time (for alerts and charts; lists and trends come from the model). */
export const scoreHistory = pgTable(
  'score_history',
  {
    siteId: text('site_id').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    at: ts('at').notNull(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    score: integer('score').notNull(),
    tier: text('tier').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.subjectKind, t.subjectId, t.at, t.id] }),
    // The dashboard's charts over the last 30 or 90 days (average score, time to high intent).
    index('score_history_site_kind_at_idx').on(t.siteId, t.subjectKind, t.at),
  ],
);
