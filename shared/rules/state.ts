import type { Tier } from './types.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const RANK: Record<Tier, number> = { low: 0, medium: 1, high: 2 };
/** low < medium < high. */
export const tierRank = (tier: Tier): number => RANK[tier];

/** A subject's stored score and tier. */
export interface ScoreState {
  score: number;
  tier: Tier;
}

/** A signal hit as the conditions see it (an account's carry the contact's `personId`). */
export interface RuleHit {
  signal: string;
  points: number;
  /** Epoch ms of the event that made it. */
  at: number;
  personId?: string;
}

/** One of the subject's events (an account's: its contacts'). */
export interface RuleEvent {
  id: string;
  /** The track event's name (null for pages and the like). */
  name: string | null;
  at: number;
  properties: Record<string, unknown>;
}

/**
 * Everything a condition may look at: the subject's state before and after one stored
 * change, what that change brought, and what the database knows around it.
 */
export interface ConditionInput {
  /** Null for a first score (then the subject was at 0, low). */
  before: ScoreState | null;
  after: ScoreState;
  /** The signal hits this change added (after minus before). */
  newHits: readonly RuleHit[];
  /** Every hit the subject has now (behavior by signal). */
  hits: readonly RuleHit[];
  /** The subject's events, covering at least the rule's `days` (behavior by event). */
  events: readonly RuleEvent[];
  /**
   * The stored scores of the rule's window before this change (spike, cooling by points),
   * oldest first; the score in force when the window opened is dated at its start.
   */
  history: readonly { at: number; score: number }[];
  /** When the change is stored (epoch ms). */
  now: number;
  /** When the rule was created: what happened before it never fires it. */
  since: number;
}

/** A condition that holds: the change that triggered it, why, and the signals behind it. */
export interface Fire {
  /** Identifies the triggering change: the same change evaluated twice gives the same key. */
  changeKey: string;
  reason: string;
  signals: { signal: string; points: number; at?: string }[];
}

export const beforeOf = (input: ConditionInput): ScoreState => input.before ?? { score: 0, tier: 'low' };

/**
 * The lowest or highest score of the window from `from` to now: the scores stored within it,
 * the one in force when it opened (the last stored before it), and the score before this
 * change. The history may reach further back than this window (it is read once for the
 * longest window of a subject's rules), so the same change gives the same answer whichever
 * other rules were looked at with it.
 */
export function windowExtreme(input: ConditionInput, from: number, pick: 'min' | 'max'): number {
  const scores = [beforeOf(input).score];
  let inForce: number | undefined;
  for (const h of input.history) {
    if (h.at >= from) scores.push(h.score);
    else inForce = h.score;
  }
  if (inForce !== undefined) scores.push(inForce);
  return pick === 'min' ? Math.min(...scores) : Math.max(...scores);
}

export const isoOf = (ms: number) => new Date(ms).toISOString();
