import type { ScoringConfig } from '../scoring/config.ts';
import type { FittedWeight } from './report.ts';

/** Today's points of one fresh occurrence of a signal (its override, else level x intent factor). */
export function currentPoints(config: ScoringConfig, signal: string): number {
  const def = config.signals[signal];
  if (!def) return 0;
  return def.points ?? config.levels[def.level] * config.intentFactors[def.intent];
}

/**
 * The proposal: `config` with each fitted signal's `points` set from its coefficient, scaled
 * so that the fitted points have the same total absolute size as today's points of those
 * signals (the fit says how signals compare; the scale keeps scores and tiers in today's
 * range). Signals without a coefficient (no data) keep today's points. Rounded to 0.1 and
 * bounded like any override (-1000..1000). Never applied: a person reviews it.
 */
export function proposeConfig(
  config: ScoringConfig,
  coefficients: ReadonlyMap<string, number>,
): { proposal: ScoringConfig; weights: FittedWeight[] } {
  let currentSize = 0;
  let fittedSize = 0;
  for (const [signal, coefficient] of coefficients) {
    currentSize += Math.abs(currentPoints(config, signal));
    fittedSize += Math.abs(coefficient);
  }
  const scale = fittedSize > 0 ? currentSize / fittedSize : 0;
  const proposal = structuredClone(config) as ScoringConfig;
  const weights: FittedWeight[] = [];
  for (const [signal, coefficient] of [...coefficients].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const def = proposal.signals[signal];
    if (!def) continue;
    const current = currentPoints(config, signal);
    const fitted = scale > 0 ? Math.min(1000, Math.max(-1000, Math.round(coefficient * scale * 10) / 10)) + 0 : current;
    def.points = fitted;
    weights.push({ signal, label: def.label, current, fitted, coefficient });
  }
  weights.sort((a, b) => b.fitted - a.fitted || (a.signal < b.signal ? -1 : 1));
  return { proposal, weights };
}
