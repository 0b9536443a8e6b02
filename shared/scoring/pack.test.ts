import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile.ts';
import { defaultConfig } from './default-config.ts';
import { collectSignals } from './derive.ts';
import { days, hours, page, track } from './fixtures.ts';
import { packHits, unpackHits } from './pack.ts';

const model = compileConfig(defaultConfig);

describe('packed hits', () => {
  it('should rebuild every field of the hits but the event id, chat intents and derived signals included', () => {
    const hits = collectSignals(
      [
        page('/pricing', days(3)),
        page('/docs', days(3) - 60_000),
        page('/blog/a', days(3) - 120_000),
        track('Chat Message', hours(5), { text: 'what does the pricing cost?' }),
        track('Chat Message', hours(4), { text: 'I found a bug' }),
        track('Meeting Attended', hours(1), { attendees: 4 }),
      ],
      model,
    );
    expect(hits.some((h) => h.derived)).toBe(true);
    expect(new Set(hits.map((h) => h.intent)).size).toBeGreaterThan(1);
    const round = unpackHits(JSON.parse(JSON.stringify(packHits(hits))), model);
    expect(round).toEqual(hits.map((h) => ({ ...h, eventId: '' })));
  });

  it('should leave out a signal the config no longer defines', () => {
    expect(unpackHits([[0, 'gone_signal', 'buying', 0]], model)).toEqual([]);
  });
});
