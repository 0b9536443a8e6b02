import { behavior } from './behavior.ts';
import { cooling } from './cooling.ts';
import { signal } from './signal.ts';
import { spike } from './spike.ts';
import type { ConditionInput, Fire } from './state.ts';
import { threshold } from './threshold.ts';
import type { RuleCondition } from './types.ts';

/** Whether `when` fires on the change `input` describes, with its key and reason. */
export function evaluateCondition(when: RuleCondition, input: ConditionInput): Fire | null {
  switch (when.type) {
    case 'threshold':
      return threshold(when, input);
    case 'spike':
      return spike(when, input);
    case 'signal':
      return signal(when, input);
    case 'cooling':
      return cooling(when, input);
    case 'behavior':
      return behavior(when, input);
  }
}

/**
 * Whether `when` could fire on a change with these facts, before anything is read for it:
 * conditions on the score need a move, a signal condition a new hit, a behavior one events
 * or hits. Keeps the cost of rules near zero on changes they cannot fire on.
 */
export function mayFire(when: RuleCondition, moved: boolean, newSignals: ReadonlySet<string>): boolean {
  switch (when.type) {
    case 'threshold':
    case 'spike':
    case 'cooling':
      return moved;
    case 'signal':
      return newSignals.has(when.signal);
    case 'behavior':
      return true;
  }
}
