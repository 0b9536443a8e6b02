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

/**
 * What `compute` answers at `at`, held for a frozen list: a held `Evaluation` answers both
 * kinds (same fields, same sums), held points only `pointsAt`.
 */
function heldAt<V extends Points>(
  hits: readonly SignalHit[],
  model: CompiledConfig,
  at: number,
  whole: boolean,
  compute: (hits: readonly SignalHit[], model: CompiledConfig, at: number) => V,
): V {
  const entries = entriesOf(hits, model);
  if (entries === null) return compute(hits, model, at);
  const found = covering(entries, at, whole);
  if (found) return found.value as V;
  const value = compute(hits, model, at);
  hold(entries, { from: at, until: earliestBoundary(hits, model, at), value, whole });
  return value;
}

/** `evaluate(hits, model, at)`, held for a frozen list. */
export const evaluateHeld = (hits: readonly SignalHit[], model: CompiledConfig, at: number): Evaluation =>
  heldAt(hits, model, at, true, evaluate);

/** `pointsAt(hits, model, at)`, held for a frozen list. */
export const pointsAtHeld = (hits: readonly SignalHit[], model: CompiledConfig, at: number): Points =>
  heldAt(hits, model, at, false, pointsAt);

/** `earliestBoundary(hits, model, at)`: the `until` of an evaluation held over `at`, when there is one. */
export function earliestBoundaryHeld(hits: readonly SignalHit[], model: CompiledConfig, at: number): number {
  const entries = entriesOf(hits, model);
  const found = entries && covering(entries, at, false);
  return found ? found.until : earliestBoundary(hits, model, at);
}
