import type { RuleDefinition } from './types.ts';

/** Who a firing goes to, and whether it used (so advances) the round-robin position. */
export interface Routed {
  recipient: string | null;
  usedRoundRobin: boolean;
}

/**
 * The subject's owner when the rule routes to owners and there is one; else the rep at
 * `next` (modulo the list) of `roundRobin`; else `fallback`; else nobody (null). A rule
 * without `route` has no recipient.
 */
export function route(rule: RuleDefinition['route'], owner: string | null, next: number): Routed {
  if (!rule) return { recipient: null, usedRoundRobin: false };
  if (rule.to === 'owner' && owner) return { recipient: owner, usedRoundRobin: false };
  const reps = rule.roundRobin ?? [];
  if (reps.length > 0)
    return { recipient: reps[((next % reps.length) + reps.length) % reps.length]!, usedRoundRobin: true };
  return { recipient: rule.fallback ?? null, usedRoundRobin: false };
}
