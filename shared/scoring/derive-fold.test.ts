import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile.ts';
import type { ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';
import { chronological, collectSignals, type Fold, foldSignals, foldsAfter } from './derive.ts';
import { DAY, days, MINUTE, NOW, page, track } from './fixtures.ts';
import { eventsInHorizon, hitsKept } from './horizon.ts';
import { scorePerson, scoreSignals } from './score.ts';
import type { ScoringEvent, SignalHit } from './types.ts';

/** A repeat that fires at its first occurrence (min 1) and a 60-day return gap, beside the defaults. */
const other: ScoringConfig = {
  ...defaultConfig,
  derived: defaultConfig.derived.map((rule) =>
    rule.kind === 'repeat_per_key'
      ? { ...rule, min: 1 }
      : rule.kind === 'return_visit'
        ? { ...rule, minGapHours: 24 * 60 }
        : rule,
  ),
};
const models = [compileConfig(defaultConfig), compileConfig(other)];

const kinds: ((ago: number) => ScoringEvent)[] = [
  (ago) => page('/pricing', ago),
  (ago) => page('/blog/a', ago),
  (ago) => page('/docs/x', ago),
  (ago) => track('Email Opened', ago, { emailId: 'm1' }),
  (ago) => track('Email Opened', ago, { emailId: 'm2' }),
  (ago) => track('Whitepaper Downloaded', ago, { asset: 'w1' }),
  (ago) => track('Deal Room Visited', ago),
  (ago) => track('Meeting Attended', ago, { attendees: 3 }),
];

/** Up to 80 events in bursts over the last ~2 years, oldest first. */
const history = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 6 }),
    fc.array(
      fc.record({
        anchor: fc.nat(),
        daysBefore: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120 })),
        minutes: fc.integer({ min: 0, max: 240 }),
        kind: fc.nat({ max: kinds.length - 1 }),
      }),
      { maxLength: 80 },
    ),
  )
  .map(([anchors, events]) => [
    ...chronological(
      events.map((e) => kinds[e.kind]!(days(anchors[e.anchor % anchors.length]! + e.daysBefore) + e.minutes * MINUTE)),
    ),
  ]);

const shape = (hits: readonly SignalHit[]) => hits.map((h) => [h.at, h.signal, h.eventId, h.derived]);

/** Stored and read back as the collector does. */
const roundTrip = (fold: Fold): Fold => JSON.parse(JSON.stringify(fold));

describe('foldSignals', () => {
  it('should give, resumed chunk after chunk from its stored state, the signals collectSignals gives of all the events', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 4 }), fc.nat({ max: 1 }), (events, cuts, m) => {
        const model = models[m]!;
        const ends = [...new Set([...cuts.map((c) => c % (events.length + 1)), events.length])].sort((a, b) => a - b);
        let fold: Fold | undefined;
        const hits: SignalHit[] = [];
        for (const [i, end] of ends.entries()) {
          const chunk = events.slice(i === 0 ? 0 : ends[i - 1], end);
          if (fold) expect(foldsAfter(fold, chunk)).toBe(true);
          const step = foldSignals(chunk, model, fold);
          hits.push(...step.hits);
          fold = roundTrip(step.fold);
        }
        expect(shape(hits)).toEqual(shape(collectSignals(events, model)));
      }),
      { numRuns: 1000 },
    );
  });

  it('should score, from the signals kept at a full derivation and those folded on later, as scorePerson of every event', () => {
    // What the collector does: a full derivation over the horizon at `t0` stores the signals
    // kept and the fold; later events are folded on; the score at `t1` comes from both.
    fc.assert(
      fc.property(
        history,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.nat({ max: 1 }),
        (events, split, gap, m) => {
          const model = models[m]!;
          const t0 = NOW - days(gap) - DAY;
          const before = events.filter((e) => e.timestamp <= t0 - split * MINUTE);
          const later = events
            .filter((e) => e.timestamp > t0 - split * MINUTE)
            .map((e) => ({ ...e, timestamp: Math.min(e.timestamp, t0) + days(gap) }));
          const all = [...chronological([...before, ...later])];
          const full = foldSignals(eventsInHorizon(before, model, t0), model);
          const kept = hitsKept(full.hits, model, t0);
          const fold = roundTrip(full.fold);
          const ordered = [...chronological(later)];
          if (!foldsAfter(fold, ordered)) return; // a late arrival: the collector derives again from events
          const t1 = NOW;
          const resumed = foldSignals(ordered, model, fold);
          const score = scoreSignals([...kept, ...resumed.hits], model, t1);
          const expected = scorePerson(all, model, t1);
          expect([score.score, score.points, score.tier, score.nextChangeAt]).toEqual([
            expected.score,
            expected.points,
            expected.tier,
            expected.nextChangeAt,
          ]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('should refuse to resume with an event at or before the last one folded', () => {
    const model = models[0]!;
    const first = [page('/pricing', days(2)), page('/pricing', days(1))];
    const { fold } = foldSignals(first, model);
    expect(foldsAfter(fold, [page('/blog/a', 0)])).toBe(true);
    expect(foldsAfter(fold, [page('/blog/a', days(1) + MINUTE)])).toBe(false);
    expect(foldsAfter(fold, [first[1]!])).toBe(false);
  });

  it('should keep an occurrence that the next one still counts, at the edge of the look-back', () => {
    // Three opens of one email within 90 days: the third completes the repeat.
    const model = models[0]!;
    const opens = [
      track('Email Opened', days(100), { emailId: 'm1' }),
      track('Email Opened', days(10.5), { emailId: 'm1' }),
    ];
    const third = track('Email Opened', days(10.1), { emailId: 'm1' });
    const { fold } = foldSignals(opens, model);
    const resumed = foldSignals([third], model, roundTrip(fold));
    expect(resumed.hits.map((h) => h.signal)).toEqual(['email_opened', 'email_repeat_opens']);
    expect(shape(resumed.hits)).toEqual(shape(collectSignals([...opens, third], model).slice(2)));
  });

  it('should keep its stored state bounded by the look-back', () => {
    const model = models[0]!;
    const events = Array.from({ length: 400 }, (_, i) => track('Email Opened', days(400 - i), { emailId: `m${i}` }));
    const { fold } = foldSignals(events, model);
    const keys = fold.rules.reduce((n, r) => n + r.keys.length, 0);
    // One key a day for 400 days: only those within the 90-day look-back of the last remain.
    expect(keys).toBeGreaterThan(0);
    expect(keys).toBeLessThanOrEqual(91);
  });
});
