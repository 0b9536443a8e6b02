import { rateOf } from './rates.ts';
import type { Rate, SignalLift } from './report.ts';

/**
 * A group smaller than this, or with fewer conversions than `MIN_CONVERTED`, is too small to
 * say anything: the usual rule of thumb for a normal approximation of a proportion
 * (n x p >= 5) with a floor on n, so a lift of one lucky conversion is never reported as real.
 */
export const MIN_GROUP = 30;
export const MIN_CONVERTED = 5;

/** How many observations showed a signal, and how many of those converted. */
export interface SignalCount {
  signal: string;
  label: string;
  category: string;
  n: number;
  converted: number;
}

/** Whether a rate's group is too small to say anything (see MIN_GROUP, MIN_CONVERTED). */
export function tooSmall(rate: Rate): boolean {
  return rate.n < MIN_GROUP || rate.converted < MIN_CONVERTED;
}

/**
 * Each signal's lift over `total` observations (`converted` of them converted): conversion of
 * the observations that showed it against all the others, sorted by lift (largest first, those
 * without a lift last), then by signal id.
 */
export function signalLifts(counts: readonly SignalCount[], total: number, converted: number): SignalLift[] {
  const lifts = counts.map((c): SignalLift => {
    const withIt = rateOf(c.converted, c.n);
    const without = rateOf(converted - c.converted, total - c.n);
    const lift =
      withIt.rate === null || without.rate === null || without.rate === 0 ? null : withIt.rate / without.rate;
    return {
      signal: c.signal,
      label: c.label,
      category: c.category,
      with: withIt,
      without,
      lift,
      tooSmall: tooSmall(withIt) || tooSmall(without),
    };
  });
  return lifts.sort(
    (a, b) =>
      (b.lift ?? Number.NEGATIVE_INFINITY) - (a.lift ?? Number.NEGATIVE_INFINITY) ||
      (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : 0),
  );
}
