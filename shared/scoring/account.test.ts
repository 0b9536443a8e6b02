import { describe, expect, it } from 'vitest';
import { scoreAccount } from './account.ts';
import { defaultConfig } from './default-config.ts';
import { days, hours, NOW, page, track } from './fixtures.ts';
import { scorePerson } from './score.ts';
import type { ScoringEvent } from './types.ts';

const visits = (paths: string[], startDaysAgo: number): ScoringEvent[] =>
  paths.map((path, i) => page(path, days(startDaysAgo) - hours(2 * i)));

describe('scoreAccount', () => {
  it('should rank three engaged stakeholders above one very active contact with the same signals', () => {
    const mix = ['/pricing', '/features', '/customers'];
    const one = scoreAccount([{ personId: 'p1', events: visits([...mix, ...mix, ...mix], 3) }], defaultConfig, NOW);
    const three = scoreAccount(
      ['p1', 'p2', 'p3'].map((personId, i) => ({ personId, events: visits(mix, 3 - i) })),
      defaultConfig,
      NOW,
    );
    expect(three.score).toBeGreaterThan(one.score);
    expect(three.engagedContacts).toBe(3);
    expect(one.engagedContacts).toBe(1);
  });

  it('should score an account of one contact exactly as that contact', () => {
    const events = [page('/pricing', days(1)), track('Email Replied', days(2)), track('Meeting No Show', days(3))];
    const person = scorePerson(events, defaultConfig, NOW);
    const account = scoreAccount([{ personId: 'p1', events }], defaultConfig, NOW);
    expect(account).toMatchObject({ score: person.score, points: person.points, trend: person.trend });
    expect(account.contacts).toEqual([
      {
        personId: 'p1',
        score: person.score,
        tier: person.tier,
        type: person.type,
        points: person.points,
        engaged: true,
      },
    ]);
  });

  it('should break the score down by contact and by category, each summing to the points', () => {
    const account = scoreAccount(
      [
        { personId: 'b', events: [page('/pricing', days(1)), track('Email Opened', days(2))] },
        { personId: 'a', events: [track('Webinar Attended', days(3))] },
        { personId: 'c', events: [] },
      ],
      defaultConfig,
      NOW,
    );
    expect(account.contacts.map((c) => c.personId)).toEqual(['b', 'a', 'c']);
    expect(account.contacts.map((c) => c.engaged)).toEqual([true, true, false]);
    // Two engaged contacts: breadth 1.15; three categories (web, email, webinar): diversity 1.25.
    expect(account.points).toBe(Math.round(45 * 1.15 * 1.25 * 10) / 10);
    expect(Object.keys(account.categories)).toEqual(['email', 'web', 'webinar']);
    // Each part is rounded to 0.1, so the sums agree within the rounding of the parts.
    const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum(Object.values(account.categories)) - account.points)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(sum(account.contacts.map((c) => c.points)) - account.points)).toBeLessThanOrEqual(0.15);
  });

  it('should add "2+ stakeholders active in the deal room" at account level only', () => {
    const a = [track('Deal Room Visited', days(2))];
    const b = [track('Deal Room Document Viewed', days(1))];
    const account = scoreAccount(
      [
        { personId: 'a', events: a },
        { personId: 'b', events: b },
      ],
      defaultConfig,
      NOW,
    );
    expect(account.explanation[0]).toMatchObject({ signal: 'deal_room_stakeholders', contacts: 0 });
    expect(scorePerson(b, defaultConfig, NOW).explanation.map((c) => c.signal)).toEqual(['deal_room_document_viewed']);
  });

  it('should answer the same whatever the order of contacts', () => {
    const contacts = [
      { personId: 'x', events: [page('/pricing', days(1))] },
      { personId: 'y', events: [track('Email Replied', days(4)), page('/blog/a', days(9))] },
      { personId: 'z', events: [track('Deal Room Visited', days(3))] },
    ];
    expect(scoreAccount([...contacts].reverse(), defaultConfig, NOW)).toEqual(
      scoreAccount(contacts, defaultConfig, NOW),
    );
  });

  it('should give an account change7d from the roll-up now and 7 days ago, with dated lines', () => {
    const ann = [track('Meeting Scheduled', days(20))];
    const bob = [page('/pricing', days(2)), page('/pricing', days(1))];
    const contacts = [
      { personId: 'ann', events: ann },
      { personId: 'bob', events: bob },
    ];
    const account = scoreAccount(contacts, defaultConfig, NOW);
    const weekAgo = scoreAccount(contacts, defaultConfig, NOW - days(7));
    expect(account.change7d).toBe(account.score - weekAgo.score);
    expect(weekAgo.score).toBeGreaterThan(0);
    expect(account.explanation.find((c) => c.signal === 'pricing_page')).toMatchObject({
      firstAt: new Date(bob[0]!.timestamp).toISOString(),
      lastAt: new Date(bob[1]!.timestamp).toISOString(),
    });
  });

  it('should score an account without contacts 0 and never changing', () => {
    expect(scoreAccount([], defaultConfig, NOW)).toMatchObject({ score: 0, tier: 'low', nextChangeAt: null });
  });
});
