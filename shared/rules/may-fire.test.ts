import { describe, expect, it } from 'vitest';
import { type ChangeFacts, mayFire } from './evaluate.ts';

const still: ChangeFacts = { moved: false, tierMoved: false, newSignals: new Set() };
const enterprise = { type: 'behavior', event: 'Plan Viewed', times: 2, days: 7 } as const;

describe('mayFire', () => {
  it('should look at score conditions only when the score or tier moved', () => {
    expect(mayFire({ type: 'threshold', tier: 'high' }, still)).toBe(false);
    expect(mayFire({ type: 'spike', points: 20 }, { ...still, moved: true })).toBe(true);
    expect(mayFire({ type: 'cooling', below: 40 }, { ...still, moved: true, tierMoved: true })).toBe(true);
  });

  it('should look at a signal condition only when the change brings a new hit of its signal', () => {
    const when = { type: 'signal', signal: 'pricing_page' } as const;
    expect(mayFire(when, { ...still, moved: true, newSignals: new Set(['demo_page']) })).toBe(false);
    expect(mayFire(when, { ...still, newSignals: new Set(['pricing_page']) })).toBe(true);
  });

  it('should look at an event behavior when its event arrived, and on any change when the arrivals are unknown', () => {
    expect(mayFire(enterprise, { ...still, moved: true, arrived: new Set(['Signed Up']) })).toBe(false);
    expect(mayFire(enterprise, { ...still, arrived: new Set(['Plan Viewed']) })).toBe(true);
    // A rescore does not say what arrived: the count may have moved.
    expect(mayFire(enterprise, still)).toBe(true);
  });

  it('should look at an event behavior with a tier condition when the tier moved, even without its event', () => {
    const hot = { ...enterprise, tier: 'high' } as const;
    const none = new Set<string>();
    expect(mayFire(hot, { ...still, moved: true, arrived: none })).toBe(false);
    expect(mayFire(hot, { ...still, moved: true, tierMoved: true, arrived: none })).toBe(true);
    expect(mayFire({ ...enterprise, notTier: 'high' }, { ...still, moved: true, tierMoved: true, arrived: none })).toBe(
      true,
    );
  });

  it('should look at a signal behavior on a new hit of its signal or a move', () => {
    const when = { type: 'behavior', signal: 'pricing_page', times: 3, days: 14 } as const;
    expect(mayFire(when, { ...still, arrived: new Set() })).toBe(false);
    expect(mayFire(when, { ...still, newSignals: new Set(['pricing_page']) })).toBe(true);
    expect(mayFire(when, { ...still, moved: true })).toBe(true);
  });
});
