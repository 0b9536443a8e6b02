import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreAccountFromHits } from './account.ts';
import { compileConfig } from './compile.ts';
import { defaultConfig } from './default-config.ts';
import { collectSignals } from './derive.ts';
import { earliestBoundary, evaluate } from './evaluate.ts';
import { DAY, HOUR, NOW, page, track } from './fixtures.ts';
import { earliestBoundaryHeld, evaluateHeld, pointsAtHeld } from './held.ts';

const model = compileConfig(defaultConfig);
/** Other tiers and a higher bar for an engaged contact: the same signals, other answers. */
const stricter = compileConfig({
  ...defaultConfig,
  tiers: { medium: 20, high: 45 },
  account: { ...defaultConfig.account, engagedMinPoints: defaultConfig.account.engagedMinPoints + 10 },
});
const PATHS = ['/pricing', '/product', '/customers/northwind', '/blog/intent', '/docs/api', '/demo', '/careers'];
const EVENTS = ['Demo Requested', 'Signed Up', 'Webinar Registered', 'Unsubscribed'];

/** One contact's events: pages and track calls up to 120 days before NOW. */
const contactEvents = fc.array(
  fc.record({
    ago: fc.integer({ min: 0, max: 120 * DAY }),
    what: fc.oneof(
      fc.constantFrom(...PATHS).map((p) => ({ page: p })),
      fc.constantFrom(...EVENTS).map((e) => ({ track: e })),
    ),
  }),
  { minLength: 0, maxLength: 8 },
);

describe('evaluations held between roll-ups (frozen contacts)', () => {
  it('should roll up an account to the same result as with fresh lists, at instant after instant (property)', () => {
    fc.assert(
      fc.property(
        fc.array(contactEvents, { minLength: 1, maxLength: 6 }),
        // Successive roll-ups: each some time after the one before (an event of one contact,
        // or the periodic rescore days later), crossing step boundaries on the way.
        fc.array(fc.integer({ min: 0, max: 20 * DAY }), { minLength: 1, maxLength: 8 }),
        (people, gaps) => {
          const contacts = people.map((list, i) => ({
            personId: `p${i}`,
            hits: collectSignals(
              list.map(({ ago, what }) => ('page' in what ? page(what.page, ago) : track(what.track, ago))),
              model,
            ),
          }));
          const frozen = contacts.map((c) => ({ personId: c.personId, hits: Object.freeze([...c.hits]) }));
          let at = NOW;
          for (const gap of gaps) {
            at += gap;
            const fresh = contacts.map((c) => ({ personId: c.personId, hits: [...c.hits] }));
            // Under two models in turn: nothing held under one answers for the other.
            for (const m of [model, stricter]) {
              expect(scoreAccountFromHits(frozen, m, at)).toEqual(scoreAccountFromHits(fresh, m, at));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should hold the evaluation of a frozen list up to its next step boundary, and never of a list not frozen', () => {
    const list = collectSignals([page('/pricing', 2 * DAY), page('/demo', 3 * HOUR)], model);
    const hits = Object.freeze([...list]);
    const first = evaluateHeld(hits, model, NOW);
    // The pricing visit changes step when it is 7 days old: 5 days from NOW.
    const boundary = earliestBoundary(hits, model, NOW);
    expect(boundary).toBe(NOW + 5 * DAY);
    expect(evaluateHeld(hits, model, NOW + HOUR)).toBe(first);
    expect(evaluateHeld(hits, model, boundary - 1)).toBe(first);
    expect(pointsAtHeld(hits, model, NOW + 2 * DAY)).toBe(first);
    expect(earliestBoundaryHeld(hits, model, NOW + DAY)).toBe(boundary);
    const after = evaluateHeld(hits, model, boundary);
    expect(after).not.toBe(first);
    expect(after).toEqual(evaluate(hits, model, boundary));
    expect(after.positive).toBeLessThan(first.positive);
    // Not frozen: evaluated on every call.
    expect(evaluateHeld(list, model, NOW)).not.toBe(evaluateHeld(list, model, NOW));
  });
});
