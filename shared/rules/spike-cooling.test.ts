import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cooling } from './cooling.ts';
import { inputOf } from './fixtures.ts';
import { spike } from './spike.ts';
import { DAY_MS, HOUR_MS } from './state.ts';

const now = Date.UTC(2026, 0, 10);

describe('spike', () => {
  it('should compare with the lowest score of the window and fire on the change that first reaches the rise', () => {
    const history = [
      { at: now - 40 * HOUR_MS, score: 2 },
      { at: now - 30 * HOUR_MS, score: 8 },
      { at: now - 20 * HOUR_MS, score: 10 },
      { at: now - HOUR_MS, score: 25 },
    ];
    const when = { type: 'spike', points: 20 } as const;
    // The 8 was in force when the 24 h window opened; the 2 no longer was: the low is 8.
    const input = inputOf({ history, now, before: { score: 25, tier: 'low' } });
    expect(spike(when, { ...input, after: { score: 27, tier: 'low' } })).toBeNull();
    expect(spike(when, { ...input, after: { score: 28, tier: 'low' } })?.reason).toBe(
      'score rose 20 points within 24h (8 -> 28)',
    );
    // Already 20 up before this change: no second firing.
    expect(spike(when, { ...input, before: { score: 28, tier: 'low' }, after: { score: 35, tier: 'low' } })).toBeNull();
    // Over 48 h the low is 2, and the score was already 23 up.
    expect(spike({ ...when, hours: 48 }, { ...input, after: { score: 30, tier: 'low' } })).toBeNull();
  });

  it('should answer the same whether the history reaches back to its own window or to a longer one', () => {
    // The subject was at 5 from 30 h ago, then 10 from 20 h ago, then 25.
    const when = { type: 'spike', points: 21 } as const;
    const change = { now, before: { score: 25, tier: 'low' as const }, after: { score: 26, tier: 'low' as const } };
    // Read for this rule's 24 h: the score in force at its start is dated there.
    const own = [
      { at: now - 24 * HOUR_MS, score: 5 },
      { at: now - 20 * HOUR_MS, score: 10 },
      { at: now - HOUR_MS, score: 25 },
    ];
    // Read for a 7-day cooling rule of the same subject in the same change.
    const longer = [
      { at: now - 7 * DAY_MS, score: 0 },
      { at: now - 30 * HOUR_MS, score: 5 },
      { at: now - 20 * HOUR_MS, score: 10 },
      { at: now - HOUR_MS, score: 25 },
    ];
    const fired = spike(when, inputOf({ ...change, history: own }));
    expect(fired?.reason).toBe('score rose 21 points within 24h (5 -> 26)');
    expect(spike(when, inputOf({ ...change, history: longer }))).toEqual(fired);
  });

  it('should never fire when the score does not rise (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (a, drop, points) => {
          const after = Math.max(0, a - drop);
          expect(
            spike(
              { type: 'spike', points },
              inputOf({ before: { score: a, tier: 'low' }, after: { score: after, tier: 'low' } }),
            ),
          ).toBeNull();
        },
      ),
    );
  });
});

describe('cooling', () => {
  it('should fire when the score drops below the level from at or above it', () => {
    const when = { type: 'cooling', below: 40 } as const;
    expect(
      cooling(when, inputOf({ before: { score: 40, tier: 'medium' }, after: { score: 39, tier: 'low' } }))?.reason,
    ).toBe('score 40 -> 39 (below 40)');
    expect(
      cooling(when, inputOf({ before: { score: 39, tier: 'low' }, after: { score: 20, tier: 'low' } })),
    ).toBeNull();
    expect(
      cooling(when, inputOf({ before: { score: 30, tier: 'low' }, after: { score: 45, tier: 'medium' } })),
    ).toBeNull();
  });

  it("should fire when the drop from the window's highest score first reaches the points", () => {
    const history = [
      { at: now - 10 * DAY_MS, score: 90 },
      { at: now - 8 * DAY_MS, score: 70 },
      { at: now - 5 * DAY_MS, score: 68 },
      { at: now - DAY_MS, score: 66 },
    ];
    const when = { type: 'cooling', points: 10, days: 7 } as const;
    const input = inputOf({ history, now, before: { score: 66, tier: 'medium' } });
    // 90 was no longer in force when the 7 days opened (70 was): the high is 70.
    expect(cooling(when, { ...input, after: { score: 61, tier: 'medium' } })).toBeNull();
    expect(cooling(when, { ...input, after: { score: 60, tier: 'medium' } })?.reason).toBe(
      'score fell 10 points within 7d (70 -> 60)',
    );
    expect(
      cooling(when, { ...input, before: { score: 60, tier: 'medium' }, after: { score: 50, tier: 'medium' } }),
    ).toBeNull();
  });
});
