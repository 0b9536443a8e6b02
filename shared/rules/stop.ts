import type { RuleEvent } from './state.ts';
import type { RuleDefinition } from './types.ts';

/**
 * The goal event of the rule's stop condition among `events`, or null. Once it is seen the
 * rule ends for the subject (the collector records when), whenever the goal happened.
 */
export function goalReached(stopWhen: RuleDefinition['stopWhen'], events: readonly RuleEvent[]): RuleEvent | null {
  if (!stopWhen) return null;
  return events.find((e) => e.name === stopWhen.event) ?? null;
}
