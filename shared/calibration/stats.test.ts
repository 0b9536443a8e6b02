import { describe, expect, it } from 'vitest';
import { conversionByTier } from './by-tier.ts';
import { signalLifts } from './lift.ts';
import { fitLogistic, type SparseRows } from './logistic.ts';
import { auc, topDecile } from './ranking.ts';
import { rateOf } from './rates.ts';
import { rateAtOrAbove, thresholdFor, tierCounts } from './thresholds.ts';

/** Rows of one binary feature: `groups` of [x, n, converted]. */
function oneFeature(groups: [x: number, n: number, converted: number][]): SparseRows {
  const index: number[] = [];
  const value: number[] = [];
  const offsets = [0];
  const labels: number[] = [];
  for (const [x, n, converted] of groups) {
    for (let i = 0; i < n; i++) {
      if (x !== 0) {
        index.push(0);
        value.push(x);
      }
      offsets.push(index.length);
      labels.push(i < converted ? 1 : 0);
    }
  }
  return {
    features: 1,
    offsets: Int32Array.from(offsets),
    index: Int32Array.from(index),
    value: Float64Array.from(value),
    labels: Uint8Array.from(labels),
  };
}

describe('rates', () => {
  it('should give 5 of 10 the rate 0.5 and its Wilson interval, and 0 of 0 no rate', () => {
    const r = rateOf(5, 10);
    expect(r.rate).toBe(0.5);
    expect(r.interval?.low).toBeCloseTo(0.2366, 4);
    expect(r.interval?.high).toBeCloseTo(0.7634, 4);
    expect(rateOf(0, 0)).toEqual({ n: 0, converted: 0, rate: null, interval: null });
  });

  it('should count conversion per tier overall and per week, with a line for an empty week', () => {
    const week = Date.UTC(2026, 0, 5);
    const next = week + 7 * 86_400_000;
    const report = conversionByTier(
      [
        { week, tier: 'high', converted: true },
        { week, tier: 'high', converted: false },
        { week: next, tier: 'low', converted: false },
      ],
      [week, next, next + 7 * 86_400_000],
    );
    expect(report.overall.high).toMatchObject({ n: 2, converted: 1, rate: 0.5 });
    expect(report.overall.low).toMatchObject({ n: 1, converted: 0, rate: 0 });
    expect(report.byWeek.map((w) => [w.week, w.high.n, w.low.n])).toEqual([
      ['2026-01-05T00:00:00.000Z', 2, 0],
      ['2026-01-12T00:00:00.000Z', 0, 1],
      ['2026-01-19T00:00:00.000Z', 0, 0],
    ]);
  });
});

describe('signal lift', () => {
  it('should compare with against without, and flag a group under 30 or under 5 conversions', () => {
    const lifts = signalLifts(
      [
        { signal: 'pricing_page', label: 'Pricing', category: 'web', n: 100, converted: 30 },
        { signal: 'careers_page', label: 'Careers', category: 'web', n: 40, converted: 2 },
        { signal: 'rare', label: 'Rare', category: 'web', n: 10, converted: 5 },
      ],
      400,
      60,
    );
    expect(lifts.map((l) => l.signal)).toEqual(['rare', 'pricing_page', 'careers_page']);
    const pricing = lifts.find((l) => l.signal === 'pricing_page')!;
    expect(pricing.with.rate).toBe(0.3);
    expect(pricing.without).toMatchObject({ n: 300, converted: 30, rate: 0.1 });
    expect(pricing.lift).toBeCloseTo(3, 10);
    expect(pricing.tooSmall).toBe(false);
    expect(lifts.find((l) => l.signal === 'careers_page')!.tooSmall).toBe(true); // 2 conversions
    expect(lifts.find((l) => l.signal === 'rare')!.tooSmall).toBe(true); // n = 10
  });
});

describe('fitLogistic', () => {
  it('should find the log odds ratio of a binary feature when unpenalised', () => {
    const fit = fitLogistic(
      oneFeature([
        [1, 100, 30],
        [0, 100, 10],
      ]),
      { lambda: 0 },
    );
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(Math.log(10 / 90), 6);
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(30 / 70 / (10 / 90)), 6);
  });

  it('should shrink the coefficient towards 0 as the penalty grows, and give the same answer twice', () => {
    const rows = oneFeature([
      [1, 100, 30],
      [0, 100, 10],
    ]);
    const free = fitLogistic(rows, { lambda: 0 }).coefficients[0]!;
    const some = fitLogistic(rows, { lambda: 10 }).coefficients[0]!;
    const lots = fitLogistic(rows, { lambda: 1000 }).coefficients[0]!;
    expect(some).toBeLessThan(free);
    expect(lots).toBeLessThan(some);
    expect(lots).toBeGreaterThan(0);
    expect(fitLogistic(rows, { lambda: 10 }).coefficients).toEqual(fitLogistic(rows, { lambda: 10 }).coefficients);
  });

  it('should stay finite on a perfectly separated sample thanks to the penalty', () => {
    const fit = fitLogistic(
      oneFeature([
        [1, 50, 50],
        [0, 50, 0],
      ]),
      { lambda: 1 },
    );
    expect(Number.isFinite(fit.coefficients[0]!)).toBe(true);
    expect(fit.coefficients[0]).toBeGreaterThan(3);
  });
});

describe('ranking', () => {
  it('should answer 1 for a perfect ranking, 0.25 for a poor one, 0.5 for ties, null for one class', () => {
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([1, 2, 3, 4], [1, 0, 1, 0])).toBe(0.25);
    expect(auc([1, 1], [0, 1])).toBe(0.5);
    expect(auc([1, 2], [1, 1])).toBeNull();
  });

  it('should take the top 10 % by score, ties in observation order', () => {
    const scores = Array.from({ length: 20 }, (_, i) => i);
    const labels = scores.map((s) => (s >= 19 ? 1 : 0));
    expect(topDecile(scores, labels)).toMatchObject({ n: 2, converted: 1, rate: 0.5 });
    expect(topDecile([5, 5, 5], [0, 1, 1])).toMatchObject({ n: 1, converted: 0 });
  });
});

describe('thresholds', () => {
  // Scores 0..99, one observation each, the ones at 60 or more converted.
  const scores = Array.from({ length: 100 }, (_, i) => i);
  const labels = scores.map((s) => (s >= 60 ? 1 : 0));

  it('should pick the lowest threshold whose conversion at and above reaches the target', () => {
    // At and above t: (100 - max(t, 60)) converted of 100 - t; 0.5 first reached at t = 20.
    expect(thresholdFor(scores, labels, 0.5)).toMatchObject({ threshold: 20, conversion: { n: 80, converted: 40 } });
    expect(thresholdFor(scores, labels, 0.8)?.threshold).toBe(50);
  });

  it('should answer null when no threshold with 30 observations reaches the target', () => {
    // Only the top 30 observations (70..99) qualify at t = 70, all converted: 1.0 reachable there.
    expect(thresholdFor(scores, labels, 1)?.threshold).toBe(60);
    expect(
      thresholdFor(
        scores,
        scores.map(() => 0),
        0.1,
      ),
    ).toBeNull();
  });

  it('should give the conversion at and above any threshold', () => {
    expect(rateAtOrAbove(scores, labels, 90)).toMatchObject({ n: 10, converted: 10 });
    expect(rateAtOrAbove(scores, labels, 50)).toMatchObject({ n: 50, converted: 40 });
  });

  it('should count subjects per tier for thresholds', () => {
    const histogram = [
      { score: 10, subjects: 5 },
      { score: 45, subjects: 3 },
      { score: 80, subjects: 2 },
    ];
    expect(tierCounts(histogram, { high: 70, medium: 40 })).toEqual({ high: 2, medium: 3, low: 5 });
    expect(tierCounts(histogram, { high: 40, medium: 5 })).toEqual({ high: 5, medium: 5, low: 0 });
  });
});
