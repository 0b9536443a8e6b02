import { beforeOf, type ConditionInput, DAY_MS, type Fire, windowExtreme } from './state.ts';
import type { RuleCondition } from './types.ts';

type Cooling = Extract<RuleCondition, { type: 'cooling' }>;

export const DEFAULT_COOLING_DAYS = 7;

const dropsBelow = (when: Cooling, before: number, after: number): boolean =>
  when.below !== undefined && before >= when.below && after < when.below;

/**
 * Whether a change from `before` to `after` can cool, whatever the window's high: a drop below
 * `below` is known from the two scores; a fall of `points` from the high (at least `before`,
 * at most 100) needs a fall that ends at `100 - points` or lower.
 */
export const mayCool = (when: Cooling, before: number, after: number): boolean =>
  dropsBelow(when, before, after) || (when.points !== undefined && after < before && after <= 100 - when.points);

/**
 * The score drops below `below` (from `below` or more), or falls `points` or more under the
 * highest score of the last `days` with this change (it was less far down before). Decay
 * alone, applied by the periodic rescore, is such a change.
 */
export function cooling(when: Cooling, input: ConditionInput): Fire | null {
  const before = beforeOf(input).score;
  const after = input.after.score;
  if (dropsBelow(when, before, after)) {
    return {
      changeKey: `below:${when.below}:${input.now}`,
      reason: `score ${before} -> ${after} (below ${when.below})`,
      signals: [],
    };
  }
  if (when.points !== undefined) {
    const days = when.days ?? DEFAULT_COOLING_DAYS;
    const high = windowExtreme(input, input.now - days * DAY_MS, 'max');
    if (high - after >= when.points && high - before < when.points) {
      return {
        changeKey: `drop:${after}:${input.now}`,
        reason: `score fell ${high - after} points within ${days}d (${high} -> ${after})`,
        signals: [],
      };
    }
  }
  return null;
}
