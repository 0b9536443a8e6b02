import { describe, expect, it } from 'vitest';
import { parseScoringConfig, type ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';

function variant(change: (c: ScoringConfig) => void): unknown {
  const copy = structuredClone(defaultConfig) as ScoringConfig;
  change(copy);
  return copy;
}

function issuesOf(input: unknown): string[] {
  const parsed = parseScoringConfig(input);
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('parseScoringConfig', () => {
  it('should accept the default config, also after a JSON round trip (GET then PUT)', () => {
    expect(parseScoringConfig(defaultConfig).ok).toBe(true);
    const parsed = parseScoringConfig(JSON.parse(JSON.stringify(defaultConfig)));
    expect(parsed.ok && parsed.config).toEqual(defaultConfig);
  });

  it('should refuse tiers out of order, naming the field', () => {
    expect(issuesOf(variant((c) => Object.assign(c.tiers, { medium: 70, high: 40 })))).toEqual([
      'tiers.high: must be greater than tiers.medium (70)',
    ]);
  });

  it('should refuse decay steps whose days do not increase or whose factors grow', () => {
    const issues = issuesOf(
      variant((c) => {
        c.decay.steps = [
          { days: 7, factor: 0.5 },
          { days: 7, factor: 0.75 },
        ];
      }),
    );
    expect(issues).toEqual([
      "decay.steps[1].days: must be greater than the previous step's days (7)",
      "decay.steps[1].factor: must not exceed the previous step's factor (0.5): older counts less",
    ]);
  });

  it('should refuse a rule for an unknown signal and a signal in an unknown category', () => {
    const issues = issuesOf(
      variant((c) => {
        c.rules.push({ signal: 'nope', event: 'Thing Happened' });
        c.signals.odd = { label: 'Odd', category: 'nowhere', level: 'low', intent: 'neutral' };
      }),
    );
    expect(issues).toContain('signals.odd.category: unknown category "nowhere"; declare it under "categories"');
    expect(issues.some((i) => i.startsWith('rules[39].signal: unknown signal "nope"'))).toBe(true);
  });

  it('should refuse a path pattern that does not start with a slash, and a rule with both event and path', () => {
    const issues = issuesOf(
      variant((c) => {
        c.rules[0] = { signal: 'careers_page', path: ['pricing'] };
        c.rules[1] = { signal: 'blog_page', path: '/blog', event: 'Blog Read' };
      }),
    );
    expect(issues).toContain('rules[0].path[0]: path pattern "pricing" must start with "/"');
    expect(issues).toContain('rules[1]: a rule needs exactly one of "event" or "path"');
  });

  it('should refuse points out of bounds, positive negative points and unknown fields', () => {
    const issues = issuesOf(
      variant((c) => {
        c.levels.negative = 5;
        c.levels.high = 5000;
        (c as Record<string, unknown>).extra = true;
      }),
    );
    expect(issues.some((i) => i.startsWith('levels.negative:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('levels.high:'))).toBe(true);
    expect(issues.some((i) => i.includes('extra'))).toBe(true);
  });

  it('should default the outcomes of a model stored before they existed, and show them', () => {
    const old = JSON.parse(JSON.stringify(defaultConfig)) as Record<string, unknown>;
    delete old.outcomes;
    const parsed = parseScoringConfig(old);
    expect(parsed.ok && parsed.config.outcomes).toEqual({
      events: ['Demo Booked', 'Opportunity Created', 'Deal Won'],
      windowDays: 30,
    });
  });

  it('should refuse outcomes without events, over 50 of them, or a window out of 1-365 days', () => {
    const bad = (outcomes: unknown) => issuesOf(variant((c) => Object.assign(c, { outcomes })));
    expect(bad({ events: [], windowDays: 30 }).some((i) => i.startsWith('outcomes.events'))).toBe(true);
    const many = Array.from({ length: 51 }, (_, i) => `Outcome ${i}`);
    expect(bad({ events: many, windowDays: 30 }).some((i) => i.startsWith('outcomes.events'))).toBe(true);
    expect(bad({ events: ['Deal Won'], windowDays: 0 }).some((i) => i.startsWith('outcomes.windowDays'))).toBe(true);
    expect(bad({ events: ['Deal Won'], windowDays: 366 }).some((i) => i.startsWith('outcomes.windowDays'))).toBe(true);
    expect(bad({ events: ['Deal Won'], windowDays: 365 })).toEqual([]);
  });

  it("should accept a signal's points override within -1000..1000 and refuse one beyond", () => {
    const withPoints = (points: number) => issuesOf(variant((c) => Object.assign(c.signals.pricing_page!, { points })));
    expect(withPoints(-1000)).toEqual([]);
    expect(withPoints(12.5)).toEqual([]);
    expect(withPoints(1000.5).some((i) => i.startsWith('signals.pricing_page.points'))).toBe(true);
    expect(withPoints(Number.NaN).some((i) => i.startsWith('signals.pricing_page.points'))).toBe(true);
  });

  it('should refuse a non-object without throwing', () => {
    expect(parseScoringConfig('nope')).toMatchObject({ ok: false });
    expect(parseScoringConfig(null)).toMatchObject({ ok: false });
  });
});
