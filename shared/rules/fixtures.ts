import type { ConditionInput } from './state.ts';

/** A condition input with nothing in it but what `over` sets: a subject at 0, low, before and after. */
export function inputOf(over: Partial<ConditionInput> = {}): ConditionInput {
  return {
    before: { score: 0, tier: 'low' },
    after: { score: 0, tier: 'low' },
    newHits: [],
    hits: [],
    events: [],
    history: [],
    now: Date.UTC(2026, 0, 10),
    since: 0,
    ...over,
  };
}
