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
 * conditions on the score need a move, a signal condition a new hit of its signal. Keeps
 * the cost of rules near zero on changes they cannot fire on.
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
      // A signal count reaches `times` with a new hit (or a tier condition now holds); an
      // event count may move with any change (the new events are not told apart).
      return when.signal === undefined || newSignals.has(when.signal) || moved;
  }
}
