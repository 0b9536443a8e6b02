import { defaultCategories, defaultChatKeywords, defaultDerived, defaultRules, defaultSignals } from './catalogue.ts';
import { DEFAULT_OUTCOMES, type ScoringConfig } from './config.ts';

/**
 * The model every site starts with: the seed catalogue and the constants documented in
 * docs/SCORING.md. Deeply frozen: copy it (`structuredClone`) to make a variant.
 */
export const defaultConfig: ScoringConfig = deepFreeze({
  version: 1,
  categories: defaultCategories,
  signals: defaultSignals,
  rules: defaultRules,
  derived: defaultDerived,
  levels: { low: 5, medium: 10, high: 20, very_high: 30, negative: -20 },
  intentFactors: { buying: 1, partnership: 1, support: 0.5, job_seeker: 0.25, neutral: 1 },
  decay: {
    steps: [
      { days: 7, factor: 1 },
      { days: 14, factor: 0.75 },
      { days: 30, factor: 0.5 },
      { days: 90, factor: 0.25 },
    ],
  },
  session: { inactivityMinutes: 30 },
  frequency: { repeatFactor: 0.6 },
  diversity: { minCategories: 3, multiplier: 1.25 },
  curve: { pointsForHalf: 40 },
  tiers: { medium: 40, high: 70 },
  trend: { windowDays: 14, threshold: 10 },
  intentType: { minEvidence: 5, chatKeywords: defaultChatKeywords },
  account: { engagedMinPoints: 10, breadthStep: 0.15, breadthMax: 1.6 },
  explanation: { topSignals: 5 },
  outcomes: { events: [...DEFAULT_OUTCOMES.events], windowDays: DEFAULT_OUTCOMES.windowDays },
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
