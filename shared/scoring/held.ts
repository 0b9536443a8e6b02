import type { CompiledConfig } from './compile.ts';
import { type Evaluation, earliestBoundary, evaluate, type Points, pointsAt } from './evaluate.ts';
import type { SignalHit } from './types.ts';

/**
 * `evaluate`, `pointsAt` and `earliestBoundary` of a frozen list of signals (a contact's
 * stored signals as the collector shares them between roll-ups), held from one call to the
 * next while they stay exact: an evaluation at `from` is the evaluation at every instant up
 * to the list's next step boundary (`until`), since no signal changes step or starts
 * counting in between. So an event of one contact of a large account evaluates that
 * contact, not the other 399 again. A list that is not frozen could change after the call:
 * it is evaluated each time, as before. What is answered is shared: read it, never change it.
 */

interface Held {
  from: number;
  /** The first instant after `from` at which any signal of the list changes step. */
  until: number;
  value: Evaluation | Points;
  /** `value` is a whole `Evaluation` (else only `pointsAt`'s fields). */
  whole: boolean;
}

/** Instants held per list: now, the two baselines, the next change and the one before it. */
const PER_LIST = 6;
const held = new WeakMap<readonly SignalHit[], { model: CompiledConfig; entries: Held[] }>();

function entriesOf(hits: readonly SignalHit[], model: CompiledConfig): Held[] | null {
  if (!Object.isFrozen(hits)) return null;
  let known = held.get(hits);
  if (known?.model !== model) {
    known = { model, entries: [] };
    held.set(hits, known);
  }
  return known.entries;
}

const covering = (entries: readonly Held[], at: number, whole: boolean) =>
  entries.find((e) => e.from <= at && at < e.until && (e.whole || !whole));

function hold(entries: Held[], entry: Held): void {
  if (entries.length >= PER_LIST) entries.shift();
  entries.push(entry);
}

/** `evaluate(hits, model, at)`, held for a frozen list. */
export function evaluateHeld(hits: readonly SignalHit[], model: CompiledConfig, at: number): Evaluation {
  const entries = entriesOf(hits, model);
  if (entries === null) return evaluate(hits, model, at);
  const found = covering(entries, at, true);
  if (found) return found.value as Evaluation;
  const value = evaluate(hits, model, at);
  hold(entries, { from: at, until: earliestBoundary(hits, model, at), value, whole: true });
  return value;
}

/** `pointsAt(hits, model, at)`, held for a frozen list (an evaluation held there answers too: same fields, same sums). */
export function pointsAtHeld(hits: readonly SignalHit[], model: CompiledConfig, at: number): Points {
  const entries = entriesOf(hits, model);
  if (entries === null) return pointsAt(hits, model, at);
  const found = covering(entries, at, false);
  if (found) return found.value;
  const value = pointsAt(hits, model, at);
  hold(entries, { from: at, until: earliestBoundary(hits, model, at), value, whole: false });
  return value;
}

/** `earliestBoundary(hits, model, at)`: the `until` of an evaluation held over `at`, when there is one. */
export function earliestBoundaryHeld(hits: readonly SignalHit[], model: CompiledConfig, at: number): number {
  const entries = entriesOf(hits, model);
  const found = entries && covering(entries, at, false);
  return found ? found.until : earliestBoundary(hits, model, at);
}
