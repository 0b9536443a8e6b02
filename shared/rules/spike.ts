import { beforeOf, type ConditionInput, type Fire, HOUR_MS, windowExtreme } from './state.ts';
import type { RuleCondition } from './types.ts';

type Spike = Extract<RuleCondition, { type: 'spike' }>;

export const DEFAULT_SPIKE_HOURS = 24;

/**
 * Whether a change from `before` to `after` can be a spike, whatever the window's low: the
 * low is at most `before` and at least 0, so a spike needs a rise that ends at `points` or more.
 */
export const mayRise = (when: Spike, before: number, after: number): boolean => after > before && after >= when.points;

/**
 * The score rose by at least `points` above the lowest score of the last `hours`, and this
 * change is the one that first makes it so (the score before it was still within `points` of
 * that low), so a subject that stays up does not fire on every later change.
 */
export function spike(when: Spike, input: ConditionInput): Fire | null {
  const hours = when.hours ?? DEFAULT_SPIKE_HOURS;
  const low = windowExtreme(input, input.now - hours * HOUR_MS, 'min');
  const before = beforeOf(input).score;
  const after = input.after.score;
  if (after - low < when.points || before - low >= when.points) return null;
  return {
    changeKey: `spike:${after}:${input.now}`,
    reason: `score rose ${after - low} points within ${hours}h (${low} -> ${after})`,
    signals: [],
  };
}
