import { behavior } from './behavior.ts';
import { cooling, mayCool } from './cooling.ts';
import { signal } from './signal.ts';
import { mayRise, spike } from './spike.ts';
import type { ConditionInput, Fire, ScoreState } from './state.ts';
import { crosses, threshold } from './threshold.ts';
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
  /** The stored score and tier before the change (0, low for a first score) and after it. */
  before: ScoreState;
  after: ScoreState;
  /** Signals with a new hit. */
  newSignals: ReadonlySet<string>;
  /** The names of the track events that arrived with the change; undefined when unknown (a rescore). */
  arrived?: ReadonlySet<string>;
}

/**
 * Whether `when` could fire on a change with these facts, before anything is read for it:
 * a threshold is decided by the two scores; a spike needs a rise to at least its points and
 * a cooling a fall (whatever the window's history, which is read only for those); a signal
 * condition needs a new hit of its signal, an event behavior an arrival of its event (or a
 * tier move, when it names a tier). Keeps the cost of rules near zero on changes they cannot
 * fire on.
 */
export function mayFire(when: RuleCondition, change: ChangeFacts): boolean {
  const { newSignals, before, after } = change;
  const tierMoved = before.tier !== after.tier;
  const moved = before.score !== after.score || tierMoved;
  switch (when.type) {
    case 'threshold':
      return crosses(when, before, after);
    case 'spike':
      return mayRise(when, before.score, after.score);
    case 'cooling':
      return mayCool(when, before.score, after.score);
    case 'signal':
      return newSignals.has(when.signal);
    case 'behavior': {
      // A count reaches `times` only with a new occurrence; a tier condition may start to hold
      // with a move. Without the arrivals (a rescore), an event count may have moved.
      const tierCondition = when.tier !== undefined || when.notTier !== undefined;
      if (when.signal !== undefined) return newSignals.has(when.signal) || moved;
      if (change.arrived === undefined) return true;
      return change.arrived.has(when.event ?? '') || (tierCondition && tierMoved);
    }
  }
}
