import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreAccount, scoreAccountFromHits } from './account.ts';
import { compileConfig } from './compile.ts';
import type { ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';
import { collectSignals } from './derive.ts';
import { DAY, days, hours, MINUTE, NOW, page, track } from './fixtures.ts';
import { eventsInHorizon, hitsKept, horizonStart } from './horizon.ts';
import { scorePerson, scoreSignals } from './score.ts';
import type { ScoringEvent } from './types.ts';

/** Short decay, a longer account window and a 60-day return gap: the horizon's parts weigh differently. */
const shortDecay: ScoringConfig = {
  ...defaultConfig,
  decay: {
    steps: [
      { days: 7, factor: 1 },
      { days: 30, factor: 0.5 },
    ],
  },
  derived: defaultConfig.derived.map((rule) =>
    rule.kind === 'account_people'
      ? { ...rule, windowDays: 45 }
      : rule.kind === 'return_visit'
        ? { ...rule, minGapHours: 24 * 60 }
        : rule,
  ),
};

const kinds: ((ago: number) => ScoringEvent)[] = [
  (ago) => page('/pricing', ago),
  (ago) => page('/blog/a', ago),
  (ago) => page('/careers', ago),
  (ago) => track('Email Opened', ago, { emailId: 'm1' }),
  (ago) => track('Email Opened', ago, { emailId: 'm2' }),
  (ago) => track('Deal Room Visited', ago),
  (ago) => track('Whitepaper Downloaded', ago),
  (ago) => track('Meeting Attended', ago, { attendees: 3 }),
  (ago) => track('Meeting No Show', ago),
];

/** Up to 80 events in bursts around a few days of the last ~2 years (a few future-dated). */
const history = fc
  .tuple(
    fc.array(fc.integer({ min: -2, max: 800 }), { minLength: 1, maxLength: 6 }),
    fc.array(
      fc.record({
        anchor: fc.nat(),
        daysBefore: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 })),
        minutes: fc.integer({ min: 0, max: 240 }),
        kind: fc.nat({ max: kinds.length - 1 }),
      }),
      { maxLength: 80 },
    ),
  )
  .map(([anchors, events]) =>
    events.map((e) => kinds[e.kind]!(days(anchors[e.anchor % anchors.length]! + e.daysBefore) + e.minutes * MINUTE)),
  );

const instant = fc.integer({ min: 0, max: 400 }).map((d) => NOW + d * DAY + 7 * 60 * MINUTE);

describe.each([
  ['the default config', defaultConfig],
  ['a short decay and a 45-day account window', shortDecay],
])('the horizon, with %s', (_, config) => {
  const model = compileConfig(config);

  it('should score a person from the events within the horizon as from the whole history', () => {
    fc.assert(
      fc.property(history, instant, (events, now) => {
        const whole = scoreSignals(collectSignals(events, model), model, now);
        expect(scorePerson(eventsInHorizon(events, model, now), model, now)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('should derive every signal that can still count for an account the same from the horizon alone', () => {
    fc.assert(
      fc.property(history, instant, (events, now) => {
        const fromAll = hitsKept(collectSignals(events, model), model, now);
        expect(hitsKept(collectSignals(eventsInHorizon(events, model, now), model), model, now)).toEqual(fromAll);
      }),
      { numRuns: 300 },
    );
  });

  it('should score an account from signals stored at any earlier instant as from the whole histories', () => {
    fc.assert(
      fc.property(fc.array(history, { minLength: 1, maxLength: 4 }), instant, instant, (people, t1, t2) => {
        const [stored, now] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const contacts = people.map((events, i) => ({ personId: `p${i}`, events }));
        const kept = contacts.map((c) => ({
          personId: c.personId,
          hits: hitsKept(collectSignals(eventsInHorizon(c.events, model, stored), model), model, stored),
        }));
        const whole = contacts.map((c) => ({ personId: c.personId, hits: collectSignals(c.events, model) }));
        const result = scoreAccount(contacts, model, now);
        expect(scoreAccountFromHits(kept, model, now)).toEqual(result);
        expect(scoreAccountFromHits(whole, model, now)).toEqual(result);
      }),
      { numRuns: 150 },
    );
  });

  it('should fire account signals of a long steady deal room the same from the horizon as from the whole history', () => {
    // Two contacts at irregular 1-7 day gaps for 600 days: a run of account signals older than the horizon.
    let seed = 7;
    const gap = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return hours(24 + (seed % 144));
    };
    const contacts = [0, 1].map((i) => {
      const events: ScoringEvent[] = [];
      for (let ago = 0; ago < days(600); ago += gap()) events.push(track('Deal Room Visited', ago + hours(i)));
      return { personId: `p${i}`, events };
    });
    for (let d = 0; d < 40; d++) {
      const now = NOW + d * DAY + hours(5);
      const whole = contacts.map((c) => ({ personId: c.personId, hits: collectSignals(c.events, model) }));
      expect(scoreAccount(contacts, model, now)).toEqual(scoreAccountFromHits(whole, model, now));
    }
  });
});

describe('the horizon', () => {
  it('should be the last decay step + 14-day trend + 2 x 14-day account window + 2 x 90-day look-back by default', () => {
    expect(NOW - horizonStart(defaultConfig, NOW)).toBe(days(90 + 14 + 28 + 180));
  });

  it('should drop what lies before the horizon, and keep future-dated events', () => {
    const old = page('/pricing', days(400));
    const future = page('/pricing', -hours(2));
    const recent = page('/pricing', hours(2));
    expect(eventsInHorizon([old, recent, future], compileConfig(defaultConfig), NOW)).toEqual([recent, future]);
  });
});
