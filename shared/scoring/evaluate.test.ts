import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from './evaluate.ts';

describe('isoTime', () => {
  it('writes what toISOString writes, for any instant', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 253_402_300_799_999 }),
          fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
          fc.double({ min: -1e13, max: 1e13, noNaN: true }),
        ),
        (ms) => {
          expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('gets the edges of a day, of a leap year and of year 10000 right', () => {
    const edges = [
      0,
      86_399_999,
      86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 10, 30, 8, 5, 7, 9),
      253_402_300_799_999,
      253_402_300_800_000,
      -1,
    ];
    for (const ms of edges) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(isoTime(Date.UTC(2026, 10, 30, 8, 5, 7, 9))).toBe('2026-11-30T08:05:07.009Z');
  });
});
