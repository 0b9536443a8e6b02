import { describe, expect, it } from 'vitest';
import { parseScoringConfig } from '../scoring/config.ts';
import { defaultConfig } from '../scoring/default-config.ts';
import { currentPoints, proposeConfig } from './proposal.ts';

describe('proposeConfig', () => {
  it("should scale the coefficients to today's total points of those signals and keep the others", () => {
    // Today: pricing 20, careers 1.25 -> 21.25 in all; coefficients 2 and -0.5 -> 2.5: x 8.5 (-4.25 rounds to -4.2).
    const { proposal, weights } = proposeConfig(
      defaultConfig,
      new Map([
        ['pricing_page', 2],
        ['careers_page', -0.5],
      ]),
    );
    expect(weights).toEqual([
      { signal: 'pricing_page', label: 'Pricing page', current: 20, fitted: 17, coefficient: 2 },
      { signal: 'careers_page', label: 'Careers or jobs page', current: 1.25, fitted: -4.2, coefficient: -0.5 },
    ]);
    expect(proposal.signals.pricing_page?.points).toBe(17);
    expect(proposal.signals.careers_page?.points).toBe(-4.2);
    expect(proposal.signals.demo_page?.points).toBeUndefined();
    expect(currentPoints(proposal, 'demo_page')).toBe(20);
    expect(defaultConfig.signals.pricing_page?.points).toBeUndefined();
  });

  it('should be a valid PUT /v1/config body', () => {
    const { proposal } = proposeConfig(defaultConfig, new Map([['pricing_page', 1]]));
    expect(parseScoringConfig(JSON.parse(JSON.stringify(proposal))).ok).toBe(true);
  });
});
