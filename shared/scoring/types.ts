/**
 * The scoring model's value types. Everything here is plain data: the core functions take
 * events, a config and an instant, and answer with these shapes; nothing reads a clock.
 */

/** The Segment call types the collector stores. */
export type EventType = 'track' | 'page' | 'identify' | 'group' | 'alias' | 'screen';

/**
 * One stored event, as the scoring core reads it. The collector's `events` row maps onto it
 * one to one (`timestamp` is the skew-corrected client time, in epoch milliseconds).
 */
export interface ScoringEvent {
  /** Stable id (the row id or messageId): the tie-breaker for events at the same millisecond. */
  id: string;
  type: EventType;
  /** The track event name (`Email Opened`), null for other types. */
  event: string | null;
  /** The page or screen name, null for other types. */
  name: string | null;
  /** The page path (`/pricing`); when null, the path of `url` or `properties.path` is used. */
  path: string | null;
  url: string | null;
  properties: Record<string, unknown>;
  /** Epoch milliseconds. */
  timestamp: number;
  anonymousId: string | null;
  userId: string | null;
  /** Known crawlers are stored but never scored. */
  isBot: boolean;
}

/** How strongly a signal indicates intent; mapped to points by `config.levels`. */
export type Level = 'low' | 'medium' | 'high' | 'very_high' | 'negative';

/** What a signal says about the person's purpose. `neutral` counts for the score but not for the type. */
export type IntentClass = 'buying' | 'partnership' | 'support' | 'job_seeker' | 'neutral';

/** A person's dominant purpose, as served by the tier lookup and the Sales API. */
export type IntentType = 'buying' | 'partnership' | 'support' | 'job_seeker' | 'unknown';

export type Tier = 'high' | 'medium' | 'low';

export type Trend = 'rising' | 'stable' | 'declining';

/** What one event counts as, or what a derived rule produced. */
export interface Signal {
  /** The signal id from the catalogue (`pricing_page`). */
  signal: string;
  label: string;
  category: string;
  level: Level;
  /** The signal's intent; for `Chat Message` it comes from the message text when a keyword matches. */
  intent: IntentClass;
  /** Points of one fresh occurrence: level points x the intent factor. */
  points: number;
}

/** A signal at an instant: one categorized event or one derived signal. */
export interface SignalHit extends Signal {
  /** Epoch milliseconds: the event's time, or the moment a derived signal became true. */
  at: number;
  /** The event that produced it; for a derived signal, the event that completed it. */
  eventId: string;
  derived: boolean;
}

/** One line of an explanation: a signal's share of the score. */
export interface Contribution {
  signal: string;
  label: string;
  category: string;
  level: Level;
  /** Occurrences inside the recency window. */
  count: number;
  /** Points after recency, frequency and (for positive points) diversity; rounded to 0.1. */
  points: number;
  /** ISO time of the earliest occurrence counted (for a derived signal: when it became true). */
  firstAt: string;
  /** ISO time of the latest occurrence counted. */
  lastAt: string;
}

/** A person's score at an instant. Every field is exact until `nextChangeAt`. */
export interface ScoreResult {
  /** 0-100, an integer. */
  score: number;
  tier: Tier;
  type: IntentType;
  trend: Trend;
  /** Points before the saturating curve (never below 0); rounded to 0.1. */
  points: number;
  /** The score `trend.windowDays` ago, the baseline of `trend`. */
  previousScore: number;
  /**
   * `score` minus the score the same events gave 7 days ago (only events dated up to then,
   * aged as of then): what the rising (>= +20) and cooling (<= -15) lists filter on.
   */
  change7d: number;
  /** The top contributing signals, by absolute points, largest first. */
  explanation: Contribution[];
  /** Points per category (only categories with points), keys sorted. */
  categories: Record<string, number>;
  /** Signals inside the recency window. */
  signalCount: number;
  /**
   * The earliest instant (epoch ms) after `now` at which the result can change as signals
   * age (or a future-dated event starts to count); null when nothing will ever change it.
   * Store it and rescore then.
   */
  nextChangeAt: number | null;
}

/** One person of an account, with the events that count for them (identity already resolved). */
export interface AccountContact {
  personId: string;
  events: readonly ScoringEvent[];
}

/** A contact's line in an account's breakdown. */
export interface ContactContribution {
  personId: string;
  /** The contact's own person score (what `scorePerson` answers for them). */
  score: number;
  tier: Tier;
  type: IntentType;
  /** The contact's share of the account's points, rounded to 0.1. */
  points: number;
  /** Whether the contact counts towards the breadth multiplier. */
  engaged: boolean;
}

/** An account's contribution line: a signal summed across its contacts. */
export interface AccountContribution extends Contribution {
  /** How many contacts have this signal (0 for account-level signals). */
  contacts: number;
}

/** An account's score at an instant. Every field is exact until `nextChangeAt`. */
export interface AccountScoreResult {
  score: number;
  tier: Tier;
  trend: Trend;
  points: number;
  previousScore: number;
  /** As for a person: the account score now minus the account score 7 days ago. */
  change7d: number;
  /** Contacts with their share, by points descending then person id. */
  contacts: ContactContribution[];
  /** Points per category, keys sorted. */
  categories: Record<string, number>;
  explanation: AccountContribution[];
  engagedContacts: number;
  nextChangeAt: number | null;
}
