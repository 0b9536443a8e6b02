import { describe, expect, it } from 'vitest';
import { page, track } from '../../shared/scoring/fixtures.ts';
import { defaultConfig } from '../../shared/scoring/index.ts';
import { outcomeTest, pagesOf } from './histories.ts';

describe('pagesOf', () => {
  it('should cut pages of at most the size without splitting an account, and give a large account its own page', () => {
    const persons = [
      { id: 'p1', account_id: null },
      { id: 'p2', account_id: null },
      { id: 'p3', account_id: 'a' },
      { id: 'p4', account_id: 'a' },
      { id: 'p5', account_id: 'b' },
      { id: 'p6', account_id: 'b' },
      { id: 'p7', account_id: 'b' },
      { id: 'p8', account_id: 'b' },
    ];
    expect(pagesOf(persons, 3).map((page) => page.map((p) => p.id))).toEqual([
      ['p1', 'p2'],
      ['p3', 'p4'],
      ['p5', 'p6', 'p7', 'p8'],
    ]);
  });
});

describe('outcomeTest', () => {
  const isOutcome = outcomeTest(defaultConfig.outcomes.events);

  it('should take a track call of an outcome, however its name is written, and nothing else', () => {
    expect(isOutcome(track('Demo Booked', 0))).toBe(true);
    expect(isOutcome(track('deal_won', 0))).toBe(true);
    expect(isOutcome(track('Demo Requested', 0))).toBe(false);
    expect(isOutcome(page('/demo-booked', 0))).toBe(false);
    expect(isOutcome({ ...track('Demo Booked', 0), isBot: true })).toBe(false);
  });
});
