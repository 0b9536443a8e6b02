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

  it('should refuse a non-object without throwing', () => {
    expect(parseScoringConfig('nope')).toMatchObject({ ok: false });
    expect(parseScoringConfig(null)).toMatchObject({ ok: false });
  });
});
