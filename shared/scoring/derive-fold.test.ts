import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile.ts';
import type { ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';
import { chronological, collectSignals, type Fold, foldSignals, foldsAfter, hitsThrough } from './derive.ts';
import { DAY, days, MINUTE, NOW, page, track } from './fixtures.ts';
import { eventsInHorizon, hitsKept } from './horizon.ts';
import { type PackedHit, packHits } from './pack.ts';
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

  it('should give, resumed from its back checkpoint as late arrivals come, the signals collectSignals gives of all', () => {
    // What the collector does: it stores the signals packed and the fold `backBy` before the
    // last event; a batch dated after that fold is resumed from it with every event after it,
    // keeping the stored signals up to it; any other batch is derived again from all events.
    let resumed = 0;
    let again = 0;
    fc.assert(
      fc.property(
        history,
        fc.array(fc.integer({ min: 0, max: 3 * 60 }), { minLength: 80, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(0, 1, 30, 120),
        fc.constantFrom(0, 1, 3, 8, 1000),
        fc.nat({ max: 1 }),
        fc.boolean(),
        (history, delays, sizes, backByMinutes, backByEvents, m, coarse) => {
          const model = models[m]!;
          const backBy = { ms: backByMinutes * MINUTE, events: backByEvents };
          // Coarse: times on the half hour, so that many events share one.
          const events = coarse
            ? history.map((e) => ({ ...e, timestamp: Math.floor(e.timestamp / (30 * MINUTE)) * 30 * MINUTE }))
            : history;
          // Arrival order: each event sent up to three hours after its time, in batches.
          const arriving = events
            .map((e, i) => ({ e, arrives: e.timestamp + delays[i % delays.length]! * MINUTE }))
            .sort((a, b) => a.arrives - b.arrives)
            .map((a) => a.e);
          const seen: ScoringEvent[] = [];
          let packed: PackedHit[] = [];
          let back: Fold | undefined;
          let at = 0;
          for (let b = 0; at < arriving.length; b++) {
            const batch = arriving.slice(at, at + sizes[b % sizes.length]!);
            at += batch.length;
            seen.push(...batch);
            const all = [...chronological(seen)];
            if (back && foldsAfter(back, batch)) {
              resumed++;
              const from: Fold = back;
              const next = foldSignals(
                all.filter((e) => foldsAfter(from, [e])),
                model,
                from,
                backBy,
              );
              packed = [...hitsThrough(packed, from), ...packHits(next.hits)];
              back = roundTrip(next.back ?? from);
            } else {
              again++;
              const full = foldSignals(all, model, undefined, backBy);
              packed = packHits(full.hits);
              back = full.back && roundTrip(full.back);
            }
            expect(packed).toEqual(packHits(collectSignals(all, model)));
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Both ways were taken, many times.
    expect(resumed).toBeGreaterThan(500);
    expect(again).toBeGreaterThan(500);
  });

  it('should set its back checkpoint at most backBy.ms and backBy.events before the last event, between two times', () => {
    const model = models[0]!;
    const events = [page('/a', days(1)), page('/b', 30 * MINUTE), page('/c', 20 * MINUTE), page('/d', 0)];
    const through = (ms: number, n: number, list = events, from?: Fold) =>
      foldSignals(list, model, from, { ms: ms * MINUTE, events: n }).back?.through;
    const of = (i: number) => [events[i]!.timestamp, events[i]!.id];
    expect(through(20, 99)).toEqual(of(2));
    expect(through(25, 99, events.slice(1))).toEqual(of(1));
    // All within it: the state before the first event.
    expect(through(40, 99, events.slice(1))).toBeNull();
    // Fewer events: the nearer bound wins.
    expect(through(60 * 24 * 2, 1)).toEqual(of(2));
    expect(through(60 * 24 * 2, 0)).toEqual(of(3));
    // Never between two events of the same time: moved earlier.
    const tied = [...events.slice(0, 2), { ...events[2]!, timestamp: events[3]!.timestamp }, events[3]!];
    expect(through(60 * 24 * 2, 1, tied)).toEqual(of(1));
    // Resumed from a fold that ends within the time bound: where that fold stands.
    const { fold } = foldSignals(events.slice(0, 3), model);
    expect(through(40, 99, [events[3]!], fold)).toEqual(of(2));
    // Unless an event folded now has its time: then after that time.
    const same = { ...events[3]!, timestamp: events[2]!.timestamp };
    expect(through(40, 99, [same, { ...events[3]!, id: 'z' }], fold)).toEqual([same.timestamp, same.id]);
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
