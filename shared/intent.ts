import type { IntentType, Tier, Trend } from './scoring/types.ts';

/**
 * What a page may learn about its own visitor: `GET /v1/intent` answers it, the ingest answer
 * carries it, the SDK caches it and hands it to `tier()` callbacks (CONTRACT "Tier lookup").
 * Types and a few constants only: the SDK imports them without adding a byte.
 */
export interface Intent {
  tier: Tier;
  /** 0-100 */
  score: number;
  type: IntentType;
  trend: Trend;
  /** The visitor's account, when the answer may reveal one. */
  account: { tier: Tier; score: number } | null;
}

export const TIERS = ['high', 'medium', 'low'] as const satisfies readonly Tier[];
export const INTENT_TYPES = [
  'buying',
  'partnership',
  'support',
  'job_seeker',
  'unknown',
] as const satisfies readonly IntentType[];
export const TRENDS = ['rising', 'stable', 'declining'] as const satisfies readonly Trend[];

// Every value of each union is listed (a compile error otherwise).
type Lists<A extends readonly string[], U extends string> = [U] extends [A[number]] ? true : never;
true satisfies Lists<typeof TIERS, Tier> & Lists<typeof INTENT_TYPES, IntentType> & Lists<typeof TRENDS, Trend>;

/** The answer for an id nobody knows: the same shape, so the lookup is no oracle. */
export const NEUTRAL_INTENT: Intent = Object.freeze({
  tier: 'low',
  score: 0,
  type: 'unknown',
  trend: 'stable',
  account: null,
});
