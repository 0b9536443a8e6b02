import type { ScoringConfig } from './config.ts';
import type { Trend } from './types.ts';

/**
 * The trend from a score and the score `trend.windowDays` (14) earlier: rising when it gained
 * at least `trend.threshold` (10) points, declining when it lost as many, stable otherwise.
 * The scoring functions compute both scores from the events, so no stored history is needed.
 * @example trendOf(55, 40, defaultConfig) // 'rising'
 */
export function trendOf(score: number, previousScore: number, config: Pick<ScoringConfig, 'trend'>): Trend {
  const delta = score - previousScore;
  if (delta >= config.trend.threshold) return 'rising';
  if (delta <= -config.trend.threshold) return 'declining';
  return 'stable';
}
