import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConditionInput, windowExtreme } from '../../shared/rules/state.ts';
import { type HistoryWindow, windowHistory } from './facts.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 1, 12);

interface Row {
  at: number;
  score: number;
}

const input = (before: number | null, history: readonly Row[]): ConditionInput => ({
  before: before === null ? null : { score: before, tier: 'low' },
  after: { score: 0, tier: 'low' },
  newHits: [],
  hits: [],
  events: [],
  history,
  now: NOW,
  since: 0,
});

/**
 * Every stored row from the earliest window on, with the score in force then dated at its
 * start (else 0), as the facts read answered before it summed the windows up.
 */
function everyRow(rows: readonly Row[], from: number): Row[] {
  const before = rows.filter((r) => r.at < from);
  const within = rows.filter((r) => r.at >= from && r.at < NOW);
  return [{ at: from, score: before.at(-1)?.score ?? 0 }, ...within];
}

/** What the statement answers for one window: the sums of the rows, as SQL's min, max and last. */
function summed(rows: readonly Row[], start: number): HistoryWindow {
  const within = rows.filter((r) => r.at >= start && r.at < NOW).map((r) => r.score);
  return {
    start,
    inForce: rows.filter((r) => r.at < start).at(-1)?.score ?? null,
    lo: within.length > 0 ? Math.min(...within) : null,
    hi: within.length > 0 ? Math.max(...within) : null,
  };
}

describe('windowHistory', () => {
  it("should give each window's lowest and highest score as every stored row does", () => {
    const rows = fc
      .array(fc.record({ ago: fc.integer({ min: 0, max: 10 * 24 * HOUR }), score: fc.integer({ min: 0, max: 100 }) }), {
        maxLength: 40,
      })
      .map((list) => list.map((r) => ({ at: NOW - r.ago, score: r.score })).sort((a, b) => a.at - b.at));
    const spans = fc.uniqueArray(fc.constantFrom(1, 6, 24, 48, 7 * 24, 9 * 24), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(rows, spans, fc.option(fc.integer({ min: 0, max: 100 })), (stored, hours, before) => {
        const starts = hours.map((h) => NOW - h * HOUR);
        const full = input(before, everyRow(stored, Math.min(...starts)));
        const sums = input(before, windowHistory(starts.map((s) => summed(stored, s))));
        for (const start of starts)
          for (const pick of ['min', 'max'] as const)
            expect(windowExtreme(sums, start, pick)).toBe(windowExtreme(full, start, pick));
      }),
      { numRuns: 2000 },
    );
  });

  it('should count 0 as the score in force before a first stored score', () => {
    const start = NOW - 24 * HOUR;
    const history = windowHistory([{ start, inForce: null, lo: 40, hi: 70 }]);
    expect(windowExtreme(input(70, history), start, 'min')).toBe(0);
    expect(windowExtreme(input(70, history), start, 'max')).toBe(70);
  });
});
