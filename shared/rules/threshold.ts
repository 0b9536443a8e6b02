import { beforeOf, type ConditionInput, type Fire, tierRank } from './state.ts';
import type { RuleCondition } from './types.ts';

type Threshold = Extract<RuleCondition, { type: 'threshold' }>;

/**
 * The subject crosses into `tier` from below (low -> high crosses into medium and high), or
 * its score crosses `score` upwards (from below it to it or above). Both set: either fires.
 */
export function threshold(when: Threshold, input: ConditionInput): Fire | null {
  const before = beforeOf(input);
  const { after, now } = input;
  if (when.tier && tierRank(before.tier) < tierRank(when.tier) && tierRank(after.tier) >= tierRank(when.tier)) {
    return {
      changeKey: `tier:${when.tier}:${now}`,
      reason: `tier ${before.tier} -> ${after.tier} (into ${when.tier})`,
      signals: [],
    };
  }
  if (when.score !== undefined && before.score < when.score && after.score >= when.score) {
    return {
      changeKey: `score:${when.score}:${now}`,
      reason: `score ${before.score} -> ${after.score} (crossed ${when.score})`,
      signals: [],
    };
  }
  return null;
}
