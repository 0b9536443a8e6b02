import { type ConditionInput, type Fire, isoOf } from './state.ts';
import type { RuleCondition } from './types.ts';

type SignalWhen = Extract<RuleCondition, { type: 'signal' }>;

/**
 * A new hit of `signal` arrived with this change (optionally only when the subject is, after
 * it, in one of `tiers`). The key names the hit (its time and, for an account, its contact),
 * so each hit fires once however often it is evaluated.
 */
export function signal(when: SignalWhen, input: ConditionInput): Fire | null {
  if (when.tiers && when.tiers.length > 0 && !when.tiers.includes(input.after.tier)) return null;
  const hits = input.newHits.filter((h) => h.signal === when.signal);
  if (hits.length === 0) return null;
  const first = hits.reduce((a, b) => (b.at < a.at ? b : a));
  return {
    changeKey: `hit:${when.signal}:${first.personId ?? ''}:${first.at}`,
    reason: `signal ${when.signal}${hits.length > 1 ? ` (${hits.length} new)` : ''}`,
    signals: hits.map((h) => ({ signal: h.signal, points: h.points, at: isoOf(h.at) })),
  };
}
