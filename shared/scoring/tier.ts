import type { ScoringConfig } from './config.ts';
import type { Tier } from './types.ts';

/**
 * The tier of a 0-100 score: high from `tiers.high` (70), medium from `tiers.medium` (40),
 * low below.
 * @example tierOf(69, defaultConfig) // 'medium'
 */
export function tierOf(score: number, config: Pick<ScoringConfig, 'tiers'>): Tier {
  if (score >= config.tiers.high) return 'high';
  if (score >= config.tiers.medium) return 'medium';
  return 'low';
}
