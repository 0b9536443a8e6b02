import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputOf } from './fixtures.ts';
import { type ScoreState, tierRank } from './state.ts';
import { threshold } from './threshold.ts';
import type { Tier } from './types.ts';

const state = (score: number, tier: Tier): ScoreState => ({ score, tier });

describe('threshold', () => {
  it('should fire when the tier crosses into the rule tier from below, low to high included', () => {
    expect(
      threshold(
        { type: 'threshold', tier: 'high' },
        inputOf({ before: state(50, 'medium'), after: state(71, 'high') }),
      ),
    ).toMatchObject({
      reason: 'tier medium -> high (into high)',
    });
    expect(
      threshold({ type: 'threshold', tier: 'medium' }, inputOf({ before: state(10, 'low'), after: state(80, 'high') })),
    ).not.toBeNull();
    expect(
      threshold({ type: 'threshold', tier: 'medium' }, inputOf({ before: null, after: state(45, 'medium') })),
    ).not.toBeNull();
  });

  it('should not fire staying in or above the tier, or moving down', () => {
    expect(
      threshold({ type: 'threshold', tier: 'high' }, inputOf({ before: state(75, 'high'), after: state(80, 'high') })),
    ).toBeNull();
    expect(
      threshold(
        { type: 'threshold', tier: 'medium' },
        inputOf({ before: state(75, 'high'), after: state(50, 'medium') }),
      ),
    ).toBeNull();
    expect(
      threshold({ type: 'threshold', tier: 'high' }, inputOf({ before: state(10, 'low'), after: state(50, 'medium') })),
    ).toBeNull();
  });

  it('should fire when the score crosses the level upwards only', () => {
    const when = { type: 'threshold', score: 60 } as const;
    expect(threshold(when, inputOf({ before: state(59, 'medium'), after: state(60, 'medium') }))?.reason).toBe(
      'score 59 -> 60 (crossed 60)',
    );
    expect(threshold(when, inputOf({ before: state(60, 'medium'), after: state(70, 'high') }))).toBeNull();
    expect(threshold(when, inputOf({ before: state(70, 'high'), after: state(50, 'medium') }))).toBeNull();
  });

  it('should fire exactly when the rank goes from below to at or above the tier (property)', () => {
    const tier = fc.constantFrom<Tier>('low', 'medium', 'high');
    fc.assert(
      fc.property(tier, tier, tier, (rule, a, b) => {
        const fired =
          threshold({ type: 'threshold', tier: rule }, inputOf({ before: state(0, a), after: state(0, b) })) !== null;
        expect(fired).toBe(tierRank(a) < tierRank(rule) && tierRank(b) >= tierRank(rule));
      }),
    );
  });

  it('should give the same key for the same change and never fire on a replay where before equals after', () => {
    const input = inputOf({ before: state(50, 'medium'), after: state(75, 'high') });
    const when = { type: 'threshold', tier: 'high' } as const;
    expect(threshold(when, input)?.changeKey).toBe(threshold(when, input)?.changeKey);
    expect(threshold(when, { ...input, before: input.after })).toBeNull();
  });
});
