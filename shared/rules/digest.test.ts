import { describe, expect, it } from 'vitest';
import { digestPayload, digestPeriodMs, digestSummary, periodText } from './digest.ts';
import type { WebhookPayload } from './types.ts';

describe('digest periods', () => {
  it('should read minutes, hours and days', () => {
    expect(['30m', '1h', '2h', '1d'].map(digestPeriodMs)).toEqual([1_800_000, 3_600_000, 7_200_000, 86_400_000]);
    expect(['', '0h', '1w', 'h', '1.5h'].map(digestPeriodMs)).toEqual([null, null, null, null, null]);
  });
  it('should name the period', () => {
    expect(['1h', '30m', '2d', '1d'].map(periodText)).toEqual([
      'the last hour',
      'the last 30 minutes',
      'the last 2 days',
      'the last day',
    ]);
  });
});

describe('digestSummary', () => {
  it('should say how many subjects did what the rule watches for', () => {
    const high = {
      name: 'High',
      subject: 'account' as const,
      when: { type: 'threshold' as const, tier: 'high' as const },
    };
    expect(digestSummary(high, 5, '1h')).toBe('5 accounts crossed into High in the last hour');
    expect(digestSummary({ ...high, subject: 'person' }, 1, '1d')).toBe('1 person crossed into High in the last day');
    expect(digestSummary({ ...high, subject: 'person' }, 3, '2h')).toBe(
      '3 people crossed into High in the last 2 hours',
    );
    expect(digestSummary({ ...high, when: { type: 'spike', points: 20 } }, 2, '1h')).toBe(
      '2 accounts rose by at least 20 points in the last hour',
    );
    expect(digestSummary({ ...high, when: { type: 'behavior', event: 'X', times: 2, days: 7 } }, 2, '1h')).toBe(
      '2 accounts matched “High” in the last hour',
    );
  });
});

describe('digestPayload', () => {
  it('should carry every firing, the count and the period they span', () => {
    const firing = (id: string, firedAt: string): WebhookPayload => ({
      id,
      rule: { id: 'r', name: 'Spike' },
      firedAt,
      reason: 'spiked',
      signals: [],
    });
    const body = digestPayload(
      'dg_1',
      { id: 'r', name: 'Spike', subject: 'person', when: { type: 'spike', points: 10 } },
      '1h',
      [firing('b', '2026-11-30T10:20:00.000Z'), firing('a', '2026-11-30T10:05:00.000Z')],
    );
    expect(body.id).toBe('dg_1');
    expect(body.digest).toEqual({
      every: '1h',
      count: 2,
      summary: '2 people rose by at least 10 points in the last hour',
      from: '2026-11-30T10:05:00.000Z',
      to: '2026-11-30T10:20:00.000Z',
    });
    expect(body.firings.map((f) => f.id)).toEqual(['b', 'a']);
  });
});
