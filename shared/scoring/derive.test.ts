import { describe, expect, it } from 'vitest';
import { defaultConfig } from './default-config.ts';
import { collectSignals, deriveAccountSignals } from './derive.ts';
import { days, hours, minutes, page, track } from './fixtures.ts';
import type { ScoringEvent } from './types.ts';

const derived = (events: ScoringEvent[]) =>
  collectSignals(events, defaultConfig)
    .filter((h) => h.derived)
    .map((h) => h.signal);

describe('derived signals', () => {
  it('should add one "3+ pages in a session" when three pages fall within 30-minute gaps', () => {
    const events = [page('/a', minutes(50)), page('/b', minutes(25)), page('/c', minutes(1)), page('/d', 0)];
    expect(derived(events)).toEqual(['multi_page_session']);
  });

  it('should not join pages 30 minutes apart into one session', () => {
    expect(derived([page('/a', minutes(60)), page('/b', minutes(30)), page('/c', 0)])).toEqual([]);
  });

  it('should not count careers pages towards a multi-page session', () => {
    expect(derived([page('/careers', minutes(3)), page('/jobs/1', minutes(2)), page('/blog', 0)])).toEqual([]);
  });

  it('should add a return visit for a page 24 hours after the previous one, not 23', () => {
    expect(derived([page('/a', hours(24)), page('/b', 0)])).toEqual(['return_visit']);
    expect(derived([page('/a', hours(23)), page('/b', 0)])).toEqual([]);
  });

  it('should add "3+ opens" once per email, at the third open', () => {
    const opens = [1, 2, 3, 4].map((i) => track('Email Opened', hours(10 - i), { emailId: 'm1' }));
    const other = [track('Email Opened', hours(1), { emailId: 'm2' }), track('Email Opened', 0, { emailId: 'm2' })];
    const hits = collectSignals([...opens, ...other], defaultConfig).filter((h) => h.derived);
    expect(hits.map((h) => [h.signal, h.at])).toEqual([['email_repeat_opens', opens[2]!.timestamp]]);
  });

  it('should add a return visit only when the previous visit lies within the 90-day look-back', () => {
    expect(derived([page('/a', days(90)), page('/b', 0)])).toEqual(['return_visit']);
    expect(derived([page('/a', days(90) + 1), page('/b', 0)])).toEqual([]);
  });

  it('should count the opens of one email within 90 days, and fire again only after the count fell below 3', () => {
    const open = (ago: number) => track('Email Opened', ago, { emailId: 'm1' });
    // Spread over more than 90 days: never 3 within 90 days.
    expect(derived([open(days(200)), open(days(100)), open(0)])).toEqual([]);
    // 3 within 90 days, then a steady open every 40 days keeps the count at 3: one signal.
    const steady = [days(200), days(160), days(120), days(80), days(40), 0].map(open);
    expect(derived(steady)).toEqual(['email_repeat_opens']);
    // After a pause the count starts over and reaches 3 again.
    const twice = [days(300), days(299), days(298), days(100), days(99), days(98)].map(open);
    expect(derived(twice)).toEqual(['email_repeat_opens', 'email_repeat_opens']);
  });

  it('should fire a repeat of min 1 again after 90 days without an occurrence, whatever came before', () => {
    // Before, the count at the open 300 days ago held it off for good: the signal then
    // depended on events older than the horizon.
    const once = {
      ...defaultConfig,
      derived: defaultConfig.derived.map((rule) => (rule.kind === 'repeat_per_key' ? { ...rule, min: 1 } : rule)),
    };
    const open = (ago: number) => track('Email Opened', ago, { emailId: 'm1' });
    const repeats = (events: ScoringEvent[]) =>
      collectSignals(events, once)
        .filter((h) => h.signal === 'email_repeat_opens')
        .map((h) => h.eventId);
    const events = [open(days(300)), open(days(250)), open(days(100)), open(days(50))];
    expect(repeats(events)).toEqual([events[0]!.id, events[2]!.id]);
  });

  it('should add "3+ downloads in a session" for three downloads of any kind', () => {
    const events = [
      track('Whitepaper Downloaded', minutes(20)),
      track('Element Clicked', minutes(10), { download: 'a.pdf' }),
      track('Template Downloaded', 0),
    ];
    expect(derived(events)).toEqual(['multi_download_session']);
  });

  it('should add "multiple attendees" for an attended meeting with 2+ attendees (a count or a list)', () => {
    expect(derived([track('Meeting Attended', 0, { attendees: 3 })])).toEqual(['meeting_multiple_attendees']);
    expect(derived([track('Meeting Attended', 0, { attendees: ['a', 'b'] })])).toEqual(['meeting_multiple_attendees']);
    expect(derived([track('Meeting Attended', 0, { attendees: 1 })])).toEqual([]);
  });

  it('should add "2+ stakeholders" to an account when a second contact uses the deal room within 14 days, once', () => {
    const a = collectSignals(
      [track('Deal Room Visited', days(10)), track('Deal Room Visited', days(2))],
      defaultConfig,
    );
    const b = collectSignals([track('Deal Room Document Viewed', days(3))], defaultConfig);
    const c = collectSignals([track('Deal Room Visited', days(1))], defaultConfig);
    const hits = deriveAccountSignals(
      [
        { personId: 'a', hits: a },
        { personId: 'b', hits: b },
        { personId: 'c', hits: c },
      ],
      defaultConfig,
    );
    expect(hits.map((h) => [h.signal, h.at])).toEqual([['deal_room_stakeholders', b[0]!.at]]);
  });

  it('should not add "2+ stakeholders" when the contacts were active more than 14 days apart', () => {
    const a = collectSignals([track('Deal Room Visited', days(30))], defaultConfig);
    const b = collectSignals([track('Deal Room Visited', days(10))], defaultConfig);
    const accountHits = deriveAccountSignals(
      [
        { personId: 'a', hits: a },
        { personId: 'b', hits: b },
      ],
      defaultConfig,
    );
    expect(accountHits).toEqual([]);
  });

  it('should derive the same signals whatever the order of the events', () => {
    const events = [page('/a', minutes(5)), page('/b', minutes(4)), page('/c', 0), page('/d', days(3))];
    expect(collectSignals([...events].reverse(), defaultConfig)).toEqual(collectSignals(events, defaultConfig));
  });
});
