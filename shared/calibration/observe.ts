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

/**
 * Each signal's weight at `at` under the model's recency and frequency with unit points (the
 * sum over its occurrences of recency x repeatFactor^rank): the regression's features, so
 * that a fitted coefficient is directly a signal's points. Signals with no weight are left out.
 */
export function signalWeights(unitHits: readonly SignalHit[], model: CompiledConfig, at: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of evaluate(unitHits, model, at).groups) {
    if (g.points > 0) out.set(g.signal.signal, (out.get(g.signal.signal) ?? 0) + g.points);
  }
  return out;
}

/** The hits with every point set to 1 (see `signalWeights`). */
export function unitHits(hits: readonly SignalHit[]): SignalHit[] {
  return hits.map((h) => ({ ...h, points: 1 }));
}
