import { describe, expect, it } from 'vitest';
import { behavior, matchesWhere } from './behavior.ts';
import { inputOf } from './fixtures.ts';
import { signal } from './signal.ts';
import { DAY_MS, type RuleEvent } from './state.ts';

const now = Date.UTC(2026, 0, 10);
const hit = (at: number, name = 'pricing_page', personId?: string) => ({ signal: name, points: 20, at, personId });
const ev = (id: string, at: number, name = 'Plan Viewed', properties: Record<string, unknown> = {}): RuleEvent => ({
  id,
  name,
  at,
  properties,
});

describe('signal', () => {
  it('should fire on a new hit of the signal with its points, keyed by the hit', () => {
    const fire = signal(
      { type: 'signal', signal: 'pricing_page' },
      inputOf({ newHits: [hit(now - 1000), hit(now - 5000, 'demo_page')] }),
    );
    expect(fire).toEqual({
      changeKey: `hit:pricing_page::${now - 1000}`,
      reason: 'signal pricing_page',
      signals: [{ signal: 'pricing_page', points: 20, at: new Date(now - 1000).toISOString() }],
    });
    expect(signal({ type: 'signal', signal: 'pricing_page' }, inputOf({ hits: [hit(now)] }))).toBeNull();
  });

  it("should key an account's hit by its contact and filter on the tier after the change", () => {
    const input = inputOf({ newHits: [hit(now, 'pricing_page', 'p1')], after: { score: 50, tier: 'medium' } });
    expect(signal({ type: 'signal', signal: 'pricing_page' }, input)?.changeKey).toBe(`hit:pricing_page:p1:${now}`);
    expect(signal({ type: 'signal', signal: 'pricing_page', tiers: ['high'] }, input)).toBeNull();
    expect(signal({ type: 'signal', signal: 'pricing_page', tiers: ['medium', 'high'] }, input)).not.toBeNull();
  });
});

describe('behavior', () => {
  const when = { type: 'behavior', event: 'Plan Viewed', where: { plan: 'enterprise' }, times: 2, days: 7 } as const;

  it('should fire when the matching events reach the count within the days, keyed by the event that reached it', () => {
    const events = [
      ev('a', now - 3 * DAY_MS, 'Plan Viewed', { plan: 'enterprise' }),
      ev('b', now - 2 * DAY_MS, 'Plan Viewed', { plan: 'starter' }),
      ev('c', now - DAY_MS, 'Plan Viewed', { plan: 'enterprise' }),
    ];
    expect(behavior(when, inputOf({ events: events.slice(0, 2), now }))).toBeNull();
    expect(behavior(when, inputOf({ events, now }))).toMatchObject({
      changeKey: 'did:e:c',
      reason: 'Plan Viewed 2x within 7d',
    });
  });

  it('should not count occurrences further apart than the days, nor older than the rule', () => {
    const apart = [
      ev('a', now - 9 * DAY_MS, 'Plan Viewed', { plan: 'enterprise' }),
      ev('b', now, 'Plan Viewed', { plan: 'enterprise' }),
    ];
    expect(behavior(when, inputOf({ events: apart, now }))).toBeNull();
    const close = [
      ev('a', now - DAY_MS, 'Plan Viewed', { plan: 'enterprise' }),
      ev('b', now, 'Plan Viewed', { plan: 'enterprise' }),
    ];
    expect(behavior(when, inputOf({ events: close, now, since: now + 1 }))).toBeNull();
  });

  it('should keep the key of the occurrence that first reached the count while the streak goes on', () => {
    const events = [0, 1, 2, 3].map((i) => ev(`e${i}`, now - (4 - i) * DAY_MS, 'Plan Viewed', { plan: 'enterprise' }));
    expect(behavior(when, inputOf({ events, now }))?.changeKey).toBe('did:e:e1');
  });

  it('should apply the tier and notTier conditions to the subject after the change', () => {
    const events = [ev('a', now - DAY_MS, 'X'), ev('b', now, 'X')];
    const base = { type: 'behavior', event: 'X', times: 2, days: 7 } as const;
    const medium = inputOf({ events, now, after: { score: 50, tier: 'medium' } });
    expect(behavior({ ...base, tier: 'medium' }, medium)).not.toBeNull();
    expect(behavior({ ...base, tier: 'high' }, medium)).toBeNull();
    expect(behavior({ ...base, notTier: 'medium' }, medium)).toBeNull();
    expect(behavior({ ...base, notTier: 'high' }, medium)).not.toBeNull();
  });

  it('should count signal hits for a signal behavior, with their points', () => {
    const fire = behavior(
      { type: 'behavior', signal: 'pricing_page', times: 2, days: 7 },
      inputOf({ hits: [hit(now - DAY_MS), hit(now - 2 * DAY_MS), hit(now, 'demo_page')], now }),
    );
    expect(fire?.signals).toHaveLength(2);
    expect(fire?.signals[0]?.points).toBe(20);
  });

  it('should compare where values strictly, a missing property never equal', () => {
    expect(matchesWhere({ plan: 'enterprise', seats: 10 }, { plan: 'enterprise', seats: 10 })).toBe(true);
    expect(matchesWhere({ seats: '10' }, { seats: 10 })).toBe(false);
    expect(matchesWhere({}, { trial: false })).toBe(false);
    expect(matchesWhere({ a: 1 }, undefined)).toBe(true);
  });
});
