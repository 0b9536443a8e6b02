import type { Tier } from '../scoring/types.ts';
import { wilsonInterval } from '../wilson.ts';
import type { Rate, TierRates } from './report.ts';

/** `converted` of `n` as a rate with its Wilson 95 % interval (rate and interval null when n is 0). */
export function rateOf(converted: number, n: number): Rate {
  return { n, converted, rate: n > 0 ? converted / n : null, interval: wilsonInterval(converted, n) };
}

/** One observation's tier and whether it converted: what conversion by tier counts. */
export interface TierObservation {
  tier: Tier;
  converted: boolean;
}

/** Conversion of the observations in each tier. */
export function tierRates(observations: Iterable<TierObservation>): TierRates {
  const n = { high: 0, medium: 0, low: 0 };
  const converted = { high: 0, medium: 0, low: 0 };
  for (const o of observations) {
    n[o.tier]++;
    if (o.converted) converted[o.tier]++;
  }
  return {
    high: rateOf(converted.high, n.high),
    medium: rateOf(converted.medium, n.medium),
    low: rateOf(converted.low, n.low),
  };
}
