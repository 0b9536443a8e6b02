import { beforeOf, type ConditionInput, type Fire, type ScoreState, tierRank } from './state.ts';
import type { RuleCondition } from './types.ts';

type Threshold = Extract<RuleCondition, { type: 'threshold' }>;

const intoTier = (when: Threshold, before: ScoreState, after: ScoreState): boolean =>
  when.tier !== undefined && tierRank(before.tier) < tierRank(when.tier) && tierRank(after.tier) >= tierRank(when.tier);

const overScore = (when: Threshold, before: ScoreState, after: ScoreState): boolean =>
  when.score !== undefined && before.score < when.score && after.score >= when.score;

/** Whether the change from `before` to `after` crosses the threshold (all a threshold looks at). */
export const crosses = (when: Threshold, before: ScoreState, after: ScoreState): boolean =>
  intoTier(when, before, after) || overScore(when, before, after);

/**
 * The subject crosses into `tier` from below (low -> high crosses into medium and high), or
 * its score crosses `score` upwards (from below it to it or above). Both set: either fires.
 */
export function threshold(when: Threshold, input: ConditionInput): Fire | null {
  const before = beforeOf(input);
  const { after, now } = input;
  if (intoTier(when, before, after)) {
    return {
      changeKey: `tier:${when.tier}:${now}`,
      reason: `tier ${before.tier} -> ${after.tier} (into ${when.tier})`,
      signals: [],
    };
  }
  if (overScore(when, before, after)) {
    return {
      changeKey: `score:${when.score}:${now}`,
      reason: `score ${before.score} -> ${after.score} (crossed ${when.score})`,
      signals: [],
    };
  }
  return null;
}
