import { type TierObservation, tierRates } from './rates.ts';
import type { TierConversion } from './report.ts';

/** An observation at a weekly snapshot (epoch ms), in a tier, converted or not. */
export interface WeeklyObservation extends TierObservation {
  week: number;
}

/**
 * Conversion by tier, overall and for each snapshot in `weeks` (oldest first; a week without
 * observations still has its line, with empty rates), so drift shows.
 */
export function conversionByTier(observations: readonly WeeklyObservation[], weeks: readonly number[]): TierConversion {
  const byWeek = new Map<number, WeeklyObservation[]>(weeks.map((w) => [w, []]));
  for (const o of observations) byWeek.get(o.week)?.push(o);
  return {
    overall: tierRates(observations),
    byWeek: [...weeks]
      .sort((a, b) => a - b)
      .map((w) => ({ week: new Date(w).toISOString(), ...tierRates(byWeek.get(w) ?? []) })),
  };
}
