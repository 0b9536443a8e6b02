import { rateOf } from './rates.ts';
import type { Rate } from './report.ts';

/** Fewer observations at and above a threshold than this say nothing about its conversion. */
export const MIN_AT_THRESHOLD = 30;

/**
 * The lowest score threshold (0-100) whose observations at and above it (at least
 * `MIN_AT_THRESHOLD` of them) convert at `target` or more, with that conversion; null when
 * none does. `scores` are integer scores 0-100, `labels` 1 for converted.
 */
export function thresholdFor(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  target: number,
): { threshold: number; conversion: Rate } | null {
  const n = new Array<number>(101).fill(0);
  const converted = new Array<number>(101).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = Math.min(100, Math.max(0, Math.round(scores[i]!)));
    n[s]!++;
    if (labels[i]) converted[s]!++;
  }
  // Cumulative from the top: at[t] = observations scoring t or more.
  const atN = new Array<number>(102).fill(0);
  const atConverted = new Array<number>(102).fill(0);
  for (let t = 100; t >= 0; t--) {
    atN[t] = atN[t + 1]! + n[t]!;
    atConverted[t] = atConverted[t + 1]! + converted[t]!;
  }
  for (let t = 0; t <= 100; t++) {
    if (atN[t]! >= MIN_AT_THRESHOLD && atConverted[t]! / atN[t]! >= target) {
      return { threshold: t, conversion: rateOf(atConverted[t]!, atN[t]!) };
    }
  }
  return null;
}

/** Conversion of the observations scoring `threshold` or more. */
export function rateAtOrAbove(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Rate {
  let n = 0;
  let converted = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! >= threshold) {
      n++;
      if (labels[i]) converted++;
    }
  }
  return rateOf(converted, n);
}

/** How many subjects each tier holds for the given thresholds, from a histogram of current scores. */
export function tierCounts(
  histogram: ReadonlyArray<{ score: number; subjects: number }>,
  thresholds: { high: number; medium: number },
): { high: number; medium: number; low: number } {
  const out = { high: 0, medium: 0, low: 0 };
  for (const { score, subjects } of histogram) {
    if (score >= thresholds.high) out.high += subjects;
    else if (score >= thresholds.medium) out.medium += subjects;
    else out.low += subjects;
  }
  return out;
}
