import { type CompiledConfig, toSignal } from '../scoring/compile.ts';
import { evaluate, pointsAt } from '../scoring/evaluate.ts';
import { diversityOf } from '../scoring/score.ts';
import type { SignalHit } from '../scoring/types.ts';

/**
 * What the calibration report observes of one subject at a weekly snapshot W: pure functions
 * of its signals (collected once from all its events with `collectSignals`; a signal at t
 * depends on the events up to t only, so evaluating them at W is scoring the events up to W
 * as of W) and its outcome times.
 */

const DAY_MS = 86_400_000;
/** A subject is observed at W when it had a signal in the 90 days before W. */
export const ACTIVE_DAYS = 90;

/** The weekly snapshots: every 7 days back from `last` (inclusive) while not before `first`, oldest first. */
export function weeklySnapshots(first: number, last: number): number[] {
  const out: number[] = [];
  for (let w = last; w >= first; w -= 7 * DAY_MS) out.push(w);
  return out.reverse();
}

/**
 * Whether the subject is observed at `week`, and if so whether it converted: observed when it
 * had a signal in [W - 90 days, W) and no outcome at or before W; converted when an outcome
 * falls in (W, W + windowMs]. `outcomes` sorted ascending. Null when not observed.
 */
export function observation(
  hits: readonly SignalHit[],
  outcomes: readonly number[],
  week: number,
  windowMs: number,
): { converted: boolean } | null {
  const firstOutcome = outcomes[0];
  if (firstOutcome !== undefined && firstOutcome <= week) return null;
  const from = week - ACTIVE_DAYS * DAY_MS;
  if (!hits.some((h) => h.at >= from && h.at < week)) return null;
  return { converted: firstOutcome !== undefined && firstOutcome <= week + windowMs };
}

/** A person's points at `at`, as `scorePerson` computes them (before the curve). */
export function personPointsAt(hits: readonly SignalHit[], model: CompiledConfig, at: number): number {
  const p = pointsAt(hits, model, at);
  return Math.max(0, p.positive * diversityOf(p.categories.size, model.config) + p.negative);
}

/**
 * A person at `at` in one evaluation: their points (as `personPointsAt`) and each signal's
 * weight, the sum over its occurrences counted of recency x repeatFactor^rank (its points
 * with one point per occurrence): the regression's features, so that a fitted coefficient is
 * directly a signal's points. Signals with no weight are left out.
 */
export function personAt(
  hits: readonly SignalHit[],
  model: CompiledConfig,
  at: number,
): { points: number; weights: Map<string, number> } {
  const ev = evaluate(hits, model, at);
  const weights = new Map<string, number>();
  for (const g of ev.groups) {
    if (g.weight > 0) weights.set(g.signal.signal, (weights.get(g.signal.signal) ?? 0) + g.weight);
  }
  const points = Math.max(0, ev.positive * diversityOf(ev.categories.size, model.config) + ev.negative);
  return { points, weights };
}

/**
 * The hits as `model` would have made them, for a model that differs from theirs in points
 * alone (a calibration proposal, uniform weights): each hit's points recomputed by the model's
 * own rule (`toSignal`). Collecting the events again under that model gives the same hits.
 */
export function repoint(hits: readonly SignalHit[], model: CompiledConfig): SignalHit[] {
  return hits.map((h) => {
    const def = model.signals.get(h.signal);
    return def ? { ...h, points: toSignal(model, def, h.intent).points } : h;
  });
}
