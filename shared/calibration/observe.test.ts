import { describe, expect, it } from 'vitest';
import { compileConfig } from '../scoring/compile.ts';
import type { ScoringConfig } from '../scoring/config.ts';
import { defaultConfig } from '../scoring/default-config.ts';
import { collectSignals } from '../scoring/derive.ts';
import { days, hours, NOW, page, track } from '../scoring/fixtures.ts';
import { scorePerson } from '../scoring/score.ts';
import { HitCodes } from './compact.ts';
import { observation, personAt, personPointsAt, repoint, weeklySnapshots } from './observe.ts';

const model = compileConfig(defaultConfig);
const events = [
  page('/pricing', days(20)),
  page('/pricing', days(3)),
  page('/careers', days(2)),
  page('/demo', hours(5)),
  page('/blog/a', hours(4)),
  track('Webinar Registered', hours(3)),
];
const hits = collectSignals(events, model);

describe('calibration observations', () => {
  it('should give at each instant the points scorePerson gives for the events up to then', () => {
    for (const at of [NOW - days(10), NOW - days(2), NOW]) {
      const upTo = events.filter((e) => e.timestamp <= at);
      expect(Math.round(personPointsAt(hits, model, at) * 10) / 10).toBe(scorePerson(upTo, model, at).points);
    }
  });

  it('should observe a subject with a signal in the 90 days before W and no outcome yet, converted within the window', () => {
    const window = days(30);
    expect(observation(hits, [], NOW, window)).toEqual({ converted: false });
    expect(observation(hits, [NOW + days(10)], NOW, window)).toEqual({ converted: true });
    expect(observation(hits, [NOW + days(31)], NOW, window)).toEqual({ converted: false });
    expect(observation(hits, [NOW], NOW, window)).toBeNull(); // an outcome at W: already converted
    expect(observation(hits, [], NOW - days(21), window)).toBeNull(); // no signal before W
    expect(observation(hits, [], NOW + days(111), window)).toBeNull(); // the last signal over 90 days old
  });

  it('should weigh each signal by recency and frequency with unit points, in the same evaluation as the points', () => {
    const { points, weights } = personAt(hits, model, NOW);
    expect(points).toBe(personPointsAt(hits, model, NOW));
    // Pricing: one visit 3 days old (1) and a repeat 20 days old (0.5 x 0.6).
    expect(weights.get('pricing_page')).toBeCloseTo(1.3, 10);
    expect(weights.get('careers_page')).toBe(1);
  });

  it('should rebuild hits under a model that differs in points alone exactly as collecting them again would', () => {
    const other = structuredClone(defaultConfig) as ScoringConfig;
    other.signals.pricing_page!.points = 3;
    other.signals.careers_page!.points = -8;
    const otherModel = compileConfig(other);
    const again = collectSignals(events, otherModel);
    expect(repoint(hits, otherModel)).toEqual(again);
    const codes = new HitCodes();
    const unpacked = codes.unpack(codes.pack(hits), otherModel);
    expect(unpacked).toEqual(again.map((h) => ({ ...h, eventId: '' })));
  });

  it('should take weekly snapshots back from the last one, oldest first', () => {
    expect(weeklySnapshots(NOW - days(15), NOW)).toEqual([NOW - days(14), NOW - days(7), NOW]);
  });
});
