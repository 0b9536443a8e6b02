import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChangeFacts, evaluateCondition, mayFire } from './evaluate.ts';
import { inputOf } from './fixtures.ts';
import { HOUR_MS } from './state.ts';
import type { RuleCondition, Tier } from './types.ts';

const at = (score: number, tier: Tier = 'medium') => ({ score, tier });
const still: ChangeFacts = { before: at(50), after: at(50), newSignals: new Set() };
/** A change of the score (and tier) from one state to another, nothing else known. */
const change = (before: { score: number; tier: Tier }, after: { score: number; tier: Tier }): ChangeFacts => ({
  ...still,
  before,
  after,
});
/** A move of the score (and, with `tier`, of the tier) that crosses no threshold of these tests. */
const moved = { before: at(50), after: at(51) };
const tierMoved = { before: at(65), after: at(75, 'high') };
const enterprise = { type: 'behavior', event: 'Plan Viewed', times: 2, days: 7 } as const;

describe('mayFire', () => {
  it('should look at a threshold only when the change crosses it', () => {
    expect(mayFire({ type: 'threshold', tier: 'high' }, still)).toBe(false);
    expect(mayFire({ type: 'threshold', tier: 'high' }, change(at(50), at(60)))).toBe(false);
    expect(mayFire({ type: 'threshold', tier: 'high' }, change(at(60), at(80, 'high')))).toBe(true);
    expect(mayFire({ type: 'threshold', score: 60 }, change(at(50), at(59)))).toBe(false);
    expect(mayFire({ type: 'threshold', score: 60 }, change(at(59), at(60)))).toBe(true);
    // Back down is no crossing.
    expect(mayFire({ type: 'threshold', score: 60 }, change(at(70), at(40)))).toBe(false);
  });

  it('should look at a spike only on a rise to at least its points, and at a cooling only on a fall', () => {
    const spike = { type: 'spike', points: 30 } as const;
    expect(mayFire(spike, change(at(10), at(45)))).toBe(true);
    expect(mayFire(spike, change(at(10), at(29, 'low')))).toBe(false);
    expect(mayFire(spike, change(at(60), at(50)))).toBe(false);
    expect(mayFire({ type: 'cooling', below: 40 }, change(at(45), at(39, 'low')))).toBe(true);
    expect(mayFire({ type: 'cooling', below: 40 }, change(at(39, 'low'), at(30, 'low')))).toBe(false);
    const drop = { type: 'cooling', points: 15, days: 7 } as const;
    expect(mayFire(drop, change(at(80, 'high'), at(70)))).toBe(true);
    expect(mayFire(drop, change(at(60), at(70)))).toBe(false);
    // 15 under a high of at most 100: a fall that ends above 85 cannot be one.
    expect(mayFire(drop, change(at(95, 'high'), at(90, 'high')))).toBe(false);
  });

  it('should never rule out a change on which a score condition fires, whatever the history (property)', () => {
    const score = fc.integer({ min: 0, max: 100 });
    const tier = fc.constantFrom<Tier>('low', 'medium', 'high');
    const condition = fc.oneof(
      fc.record({
        type: fc.constant('threshold'),
        tier: fc.option(tier, { nil: undefined }),
        score: fc.option(score, { nil: undefined }),
      }),
      fc.record({ type: fc.constant('spike'), points: fc.integer({ min: 1, max: 100 }), hours: fc.constant(24) }),
      fc.record({
        type: fc.constant('cooling'),
        below: fc.option(score, { nil: undefined }),
        points: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        days: fc.constant(7),
      }),
    ) as fc.Arbitrary<RuleCondition>;
    const now = Date.UTC(2026, 0, 10);
    const history = fc.array(fc.record({ at: fc.integer({ min: now - 10 * 24 * HOUR_MS, max: now - 1 }), score }), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(condition, score, tier, score, tier, history, (when, b, bt, a, atier, past) => {
        const before = { score: b, tier: bt };
        const after = { score: a, tier: atier };
        const fired = evaluateCondition(
          when,
          inputOf({ before, after, now, history: [...past].sort((x, y) => x.at - y.at) }),
        );
        if (fired) expect(mayFire(when, change(before, after))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('should look at a signal condition only when the change brings a new hit of its signal', () => {
    const when = { type: 'signal', signal: 'pricing_page' } as const;
    expect(mayFire(when, { ...still, ...moved, newSignals: new Set(['demo_page']) })).toBe(false);
    expect(mayFire(when, { ...still, newSignals: new Set(['pricing_page']) })).toBe(true);
  });

  it('should look at an event behavior when its event arrived, and on any change when the arrivals are unknown', () => {
    expect(mayFire(enterprise, { ...still, ...moved, arrived: new Set(['Signed Up']) })).toBe(false);
    expect(mayFire(enterprise, { ...still, arrived: new Set(['Plan Viewed']) })).toBe(true);
    // A rescore does not say what arrived: the count may have moved.
    expect(mayFire(enterprise, still)).toBe(true);
  });

  it('should look at an event behavior with a tier condition when the tier moved, even without its event', () => {
    const hot = { ...enterprise, tier: 'high' } as const;
    const none = new Set<string>();
    expect(mayFire(hot, { ...still, ...moved, arrived: none })).toBe(false);
    expect(mayFire(hot, { ...still, ...tierMoved, arrived: none })).toBe(true);
    expect(mayFire({ ...enterprise, notTier: 'high' }, { ...still, ...tierMoved, arrived: none })).toBe(true);
  });

  it('should look at a signal behavior on a new hit of its signal or a move', () => {
    const when = { type: 'behavior', signal: 'pricing_page', times: 3, days: 14 } as const;
    expect(mayFire(when, { ...still, arrived: new Set() })).toBe(false);
    expect(mayFire(when, { ...still, newSignals: new Set(['pricing_page']) })).toBe(true);
    expect(mayFire(when, { ...still, ...moved })).toBe(true);
  });
});
