import { describe, expect, it } from 'vitest';
import { defaultConfig, type ScoringEvent } from '../../shared/scoring/index.ts';
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
  const event = (over: Partial<ScoringEvent>): ScoringEvent => ({
    id: 'e',
    type: 'track',
    event: 'Demo Booked',
    name: null,
    path: null,
    url: null,
    properties: {},
    timestamp: 0,
    anonymousId: 'a',
    userId: null,
    isBot: false,
    ...over,
  });
  const isOutcome = outcomeTest(defaultConfig.outcomes.events);

  it('should take a track call of an outcome, however its name is written, and nothing else', () => {
    expect(isOutcome(event({}))).toBe(true);
    expect(isOutcome(event({ event: 'deal_won' }))).toBe(true);
    expect(isOutcome(event({ event: 'Demo Requested' }))).toBe(false);
    expect(isOutcome(event({ type: 'page', event: null, path: '/demo-booked' }))).toBe(false);
    expect(isOutcome(event({ isBot: true }))).toBe(false);
  });
});
