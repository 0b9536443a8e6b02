import { describe, expect, it } from 'vitest';
import type { ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';
import { DAY, days, HOUR, hours, NOW, page, track } from './fixtures.ts';
import { nextChangeAt, pointsToScore, scorePerson } from './score.ts';
import type { ScoringEvent } from './types.ts';

const score = (events: ScoringEvent[], config: ScoringConfig = defaultConfig) => scorePerson(events, config, NOW);

describe('scorePerson', () => {
  it('should score a person with no events 0, low, unknown, stable, never changing', () => {
    expect(score([])).toMatchObject({ score: 0, tier: 'low', type: 'unknown', trend: 'stable', nextChangeAt: null });
  });

  it('should score three pricing visits in a week above one and below three times one', () => {
    // Two hours apart: separate sessions, no return visit, so only frequency is at work.
    const one = score([page('/pricing', hours(1))]);
    const three = score([page('/pricing', hours(5)), page('/pricing', hours(3)), page('/pricing', hours(1))]);
    expect(three.points).toBeGreaterThan(one.points * 1.5);
    expect(three.points).toBeLessThan(one.points * 3);
    expect(three.score).toBeGreaterThan(one.score);
  });

  it('should weigh a signal 100 % up to 7 days, then 75 %, 50 %, 25 %, and not at all from 90 days', () => {
    const at = (ago: number) => score([track('Meeting Scheduled', ago)]).points;
    expect([at(days(7) - 1), at(days(7)), at(days(14)), at(days(30)), at(days(90) - 1), at(days(90))]).toEqual([
      20, 15, 10, 5, 5, 0,
    ]);
  });

  it('should score a signal with its points override instead of its level and intent', () => {
    const config = structuredClone(defaultConfig) as ScoringConfig;
    config.signals.pricing_page = { ...config.signals.pricing_page!, points: 7 };
    config.signals.careers_page = { ...config.signals.careers_page!, points: -4 };
    const pricing = [page('/pricing', hours(1))];
    expect(score(pricing).points).toBe(20);
    expect(score(pricing, config).points).toBe(7);
    expect(score(pricing, config).score).toBe(pointsToScore(7, config));
    expect(score([...pricing, page('/careers', hours(2))], config).points).toBe(3);
  });

  it('should ignore events dated after now', () => {
    expect(score([page('/pricing', -HOUR)]).score).toBe(0);
  });

  it('should lower the score for a meeting no-show', () => {
    const scheduled = track('Meeting Scheduled', days(2));
    expect(score([scheduled, track('Meeting No Show', days(1))]).score).toBeLessThan(score([scheduled]).score);
  });

  it('should never go below 0 however many negative signals', () => {
    const noShows = [1, 2, 3].map((d) => track('Meeting No Show', days(d)));
    expect(score(noShows)).toMatchObject({ score: 0, points: 0 });
  });

  it('should multiply signals across 3+ categories by the diversity multiplier', () => {
    const two = [track('Email Replied', days(1)), page('/pricing', days(2))];
    const three = [...two, track('Whitepaper Downloaded', days(3))];
    expect(score(two).points).toBe(40);
    expect(score(three).points).toBe((20 + 20 + 10) * 1.25);
  });

  it('should give a job seeker who reads every careers page a low score and the job_seeker type', () => {
    const visits = [0, 1, 2, 3, 4, 5].map((i) => page(`/careers/role-${i}`, days(1) + i * 60_000));
    const result = score(visits);
    expect(result.score).toBeLessThan(10);
    expect(result.type).toBe('job_seeker');
  });

  it('should stay within 0-100 however much activity', () => {
    const names = ['Follow Up Requested', 'Demo Requested', 'Deal Room Milestone Completed', 'ROI Calculator Used'];
    const flood = Array.from({ length: 2000 }, (_, i) => track(names[i % 4]!, i * 60_000));
    const result = score([...flood, page('/pricing', 0), track('Webinar Attended', 0), track('Email Replied', 0)]);
    expect(result.score).toBeLessThanOrEqual(100);
    expect(result.score).toBeGreaterThanOrEqual(95);
  });

  it('should answer the same for the same events in any order', () => {
    const events = [
      page('/pricing', days(1)),
      page('/blog/x', days(20)),
      track('Email Opened', days(3), { emailId: 'm' }),
    ];
    expect(score([...events].reverse())).toEqual(score(events));
  });

  it('should never score bots', () => {
    const bot = [page('/pricing', hours(1)), track('Demo Requested', hours(2))].map((e) => ({ ...e, isBot: true }));
    expect(score(bot).score).toBe(0);
  });

  it('should explain the score with its top signals, largest first, summing to the points', () => {
    const result = score([
      page('/pricing', days(1)),
      track('Email Replied', days(2)),
      track('Whitepaper Downloaded', days(3)),
      track('Meeting No Show', days(4)),
    ]);
    expect(result.explanation.map((c) => [c.signal, c.points])).toEqual([
      ['email_replied', 25],
      ['pricing_page', 25],
      ['meeting_no_show', -20],
      ['whitepaper_downloaded', 12.5],
    ]);
    expect(result.explanation.reduce((sum, c) => sum + c.points, 0)).toBe(result.points);
  });

  it('should type a person from a buying chat message even after a careers visit', () => {
    const result = score([page('/careers', days(2)), track('Chat Message', days(1), { text: 'Can we get a quote?' })]);
    expect(result.type).toBe('buying');
  });

  it('should call a person rising when the score gained 10+ points over 14 days, declining when it lost 10+', () => {
    const rising = score([page('/pricing', days(1))]);
    expect(rising).toMatchObject({ previousScore: 0, trend: 'rising' });
    const declining = score([track('Meeting Scheduled', days(15)), track('Meeting Attended', days(15))]);
    expect(declining.score).toBeLessThan(declining.previousScore - 10);
    expect(declining.trend).toBe('declining');
    const stable = score([track('Email Opened', days(20), { emailId: 'x' })]);
    expect(stable.trend).toBe('stable');
  });

  it('should give change7d as the score now minus the score the same events gave 7 days ago', () => {
    // A meeting 20 days ago (imported today): 50 % now (10 points), 75 % as of 7 days ago (15).
    const backfilled = score([track('Meeting Scheduled', days(20))]);
    expect(backfilled.score).toBe(pointsToScore(10, defaultConfig));
    expect(backfilled.change7d).toBe(pointsToScore(10, defaultConfig) - pointsToScore(15, defaultConfig));
    expect(backfilled.change7d).toBeLessThan(0);
    // A new visitor: nothing counted 7 days ago, so the change is the whole score.
    const fresh = score([page('/pricing', days(1))]);
    expect(fresh.change7d).toBe(fresh.score);
    // Old and recent events together: the same as scoring 7 days earlier.
    const mixed = [track('Meeting Scheduled', days(20)), page('/pricing', days(3)), track('Demo Requested', days(3))];
    const weekAgo = scorePerson(mixed, defaultConfig, NOW - days(7));
    expect(score(mixed).change7d).toBe(score(mixed).score - weekAgo.score);
  });

  it('should report the 7-day baseline changing: an event changing step as seen 7 days ago', () => {
    // 31 days old: the 25 % step now until day 90, 50 % as of 7 days ago until day 37.
    const old = track('Meeting Scheduled', days(31));
    const change = old.timestamp + 37 * DAY;
    expect(nextChangeAt([old], defaultConfig, NOW)).toBe(change);
    expect(scorePerson([old], defaultConfig, change - 1).change7d).toBeLessThan(0);
    expect(scorePerson([old], defaultConfig, change).change7d).toBe(0);
  });

  it('should date each explanation line by the first and last occurrence it counts', () => {
    const first = page('/pricing', days(95));
    const counted = [page('/pricing', days(6)), page('/pricing', days(2))];
    const demo = track('Demo Requested', hours(5));
    const result = score([first, ...counted, demo]);
    const iso = (e: ScoringEvent) => new Date(e.timestamp).toISOString();
    expect(result.explanation.find((c) => c.signal === 'pricing_page')).toMatchObject({
      count: 2,
      firstAt: iso(counted[0]!),
      lastAt: iso(counted[1]!),
    });
    expect(result.explanation.find((c) => c.signal === 'demo_requested')).toMatchObject({
      firstAt: iso(demo),
      lastAt: iso(demo),
    });
  });

  it('should follow configured tier thresholds', () => {
    const config = structuredClone(defaultConfig) as ScoringConfig;
    config.tiers = { medium: 10, high: 25 };
    expect(score([page('/pricing', hours(1))], config).tier).toBe('high');
    expect(score([page('/pricing', hours(1))]).tier).toBe('low');
  });

  it('should report when the score next changes: when the freshest step ends', () => {
    const visit = page('/pricing', days(2));
    expect(nextChangeAt([visit], defaultConfig, NOW)).toBe(visit.timestamp + 7 * DAY);
    expect(score([visit]).nextChangeAt).toBe(visit.timestamp + 7 * DAY);
  });

  it('should report a future-dated event as a change when it starts to count', () => {
    const early = track('Email Opened', -hours(2));
    expect(nextChangeAt([early], defaultConfig, NOW)).toBe(early.timestamp);
  });

  it('should report the trend baseline changing: an event leaving the window as seen 14 days ago', () => {
    expect(nextChangeAt([page('/pricing', days(105))], defaultConfig, NOW)).toBeNull();
    const old = page('/pricing', days(100));
    const change = old.timestamp + 104 * DAY;
    expect(nextChangeAt([old], defaultConfig, NOW)).toBe(change);
    expect(scorePerson([old], defaultConfig, change - 1).previousScore).toBe(8);
    expect(scorePerson([old], defaultConfig, change).previousScore).toBe(0);
  });
});

describe('pointsToScore', () => {
  it('should map 0 to 0, 40 points to 50 and approach but stay within 100', () => {
    expect([0, 20, 40, 80, 120, 1000].map((p) => pointsToScore(p, defaultConfig))).toEqual([0, 29, 50, 75, 88, 100]);
  });
});
