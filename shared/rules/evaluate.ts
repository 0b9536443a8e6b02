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

/** What a change is known to bring, before anything is read for it. */
export interface ChangeFacts {
  /** The score or the tier moved. */
  moved: boolean;
  /** The tier moved. */
  tierMoved: boolean;
  /** Signals with a new hit. */
  newSignals: ReadonlySet<string>;
  /** The names of the track events that arrived with the change; undefined when unknown (a rescore). */
  arrived?: ReadonlySet<string>;
}

/**
 * Whether `when` could fire on a change with these facts, before anything is read for it:
 * conditions on the score need a move, a signal condition a new hit of its signal, an event
 * behavior an arrival of its event (or a tier move, when it names a tier). Keeps the cost of
 * rules near zero on changes they cannot fire on.
 */
export function mayFire(when: RuleCondition, change: ChangeFacts): boolean {
  const { moved, newSignals } = change;
  switch (when.type) {
    case 'threshold':
    case 'spike':
    case 'cooling':
      return moved;
    case 'signal':
      return newSignals.has(when.signal);
    case 'behavior': {
      // A count reaches `times` only with a new occurrence; a tier condition may start to hold
      // with a move. Without the arrivals (a rescore), an event count may have moved.
      const tierCondition = when.tier !== undefined || when.notTier !== undefined;
      if (when.signal !== undefined) return newSignals.has(when.signal) || moved;
      if (change.arrived === undefined) return true;
      return change.arrived.has(when.event ?? '') || (tierCondition && change.tierMoved);
    }
  }
}
