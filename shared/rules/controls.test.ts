import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CapState, isCapped, recordFiring } from './caps.ts';
import { parseDuration } from './duration.ts';
import { holdoutPosition, isHeldOut } from './holdout.ts';
import { newHits } from './new-hits.ts';
import { route } from './routing.ts';
import { goalReached } from './stop.ts';

const now = Date.UTC(2026, 0, 10);

describe('durations', () => {
  it('should read minutes, hours and days and refuse anything else', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    for (const bad of ['0h', '1 day', '1w', '-1h', '1.5h', '']) expect(parseDuration(bad), bad).toBeNull();
  });
});

describe('holdout', () => {
  it('should be stable and hold out about the share asked for', () => {
    expect(holdoutPosition('rule_1', 'p1')).toBe(holdoutPosition('rule_1', 'p1'));
    const held = Array.from({ length: 2000 }, (_, i) => isHeldOut('rule_1', `p${i}`, 0.1)).filter(Boolean).length;
    expect(held).toBeGreaterThan(120);
    expect(held).toBeLessThan(280);
  });

  it('should hold out nobody at 0 and everybody at 1, and a subject held at one share also at any larger one (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r, s, a, b) => {
          expect(isHeldOut(r, s, 0)).toBe(false);
          expect(isHeldOut(r, s, 1)).toBe(true);
          if (isHeldOut(r, s, Math.min(a, b))) expect(isHeldOut(r, s, Math.max(a, b))).toBe(true);
        },
      ),
    );
  });
});

describe('caps', () => {
  it('should cap at max within the period, one by default, and at the lifetime count', () => {
    const cap = { within: '24h', max: 2 };
    expect(isCapped(cap, { count: 1, recent: [now - 1000] }, now)).toBe(false);
    expect(isCapped(cap, { count: 2, recent: [now - 2000, now - 1000] }, now)).toBe(true);
    expect(isCapped(cap, { count: 2, recent: [now - 25 * 3_600_000, now - 1000] }, now)).toBe(false);
    expect(isCapped({ within: '1h' }, { count: 1, recent: [now - 60_000] }, now)).toBe(true);
    expect(isCapped({ lifetime: 3 }, { count: 3, recent: [] }, now)).toBe(true);
    expect(isCapped(undefined, { count: 100, recent: [now] }, now)).toBe(false);
  });

  it('should keep only the firings the period can still see', () => {
    const state = recordFiring({ within: '1h' }, { count: 4, recent: [now - 2 * 3_600_000, now - 60_000] }, now);
    expect(state).toEqual({ count: 5, recent: [now - 60_000, now] });
    expect(recordFiring({ lifetime: 2 }, { count: 0, recent: [] }, now)).toEqual({ count: 1, recent: [] });
  });

  it('should never let more than max firings through in any period (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 * 3_600_000 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (offsets, max) => {
          const cap = { within: '1h', max };
          let state: CapState = { count: 0, recent: [] };
          const passed: number[] = [];
          for (const at of [...offsets].sort((x, y) => x - y)) {
            if (isCapped(cap, state, at)) continue;
            passed.push(at);
            state = recordFiring(cap, state, at);
          }
          for (const at of passed)
            expect(passed.filter((p) => p > at - 3_600_000 && p <= at).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});

describe('routing', () => {
  const rr = { to: 'owner' as const, roundRobin: ['ann', 'bob'], fallback: 'lead' };
  it('should pick the owner, else the next rep, else the fallback', () => {
    expect(route(rr, 'cara', 0)).toEqual({ recipient: 'cara', usedRoundRobin: false });
    expect([0, 1, 2].map((i) => route(rr, null, i).recipient)).toEqual(['ann', 'bob', 'ann']);
    expect(route({ to: 'owner', fallback: 'lead' }, null, 5)).toEqual({ recipient: 'lead', usedRoundRobin: false });
    expect(route({ roundRobin: ['ann'] }, 'cara', 0).recipient).toBe('ann');
    expect(route(undefined, 'cara', 0).recipient).toBeNull();
    expect(route({ to: 'owner' }, null, 0).recipient).toBeNull();
  });
});

describe('stop and new hits', () => {
  it('should find the goal event by name', () => {
    const events = [{ id: 'a', name: 'Demo Booked', at: now, properties: {} }];
    expect(goalReached({ event: 'Demo Booked' }, events)?.id).toBe('a');
    expect(goalReached({ event: 'Signed' }, events)).toBeNull();
    expect(goalReached(undefined, events)).toBeNull();
  });

  it('should find the hits the stored ones lack, by contact for an account', () => {
    const after = [
      { signal: 'pricing_page', points: 20, at: 1 },
      { signal: 'pricing_page', points: 20, at: 2 },
    ];
    expect(newHits([[1, 'pricing_page', 'buying', 0]], after, true)).toEqual([after[1]]);
    expect(newHits(null, after, true)).toEqual([]);
    expect(newHits([], after, false)).toEqual(after);
    const account = [
      { ...after[0]!, personId: 'p1' },
      { ...after[0]!, personId: 'p2' },
    ];
    expect(newHits([[1, 'pricing_page', 'p1']], account, true)).toEqual([account[1]]);
  });
});
