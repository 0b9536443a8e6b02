import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';
import type { ScoringConfig } from './config.ts';
import { collectSignals } from './derive.ts';
import {
  categoryPoints,
  earliestBoundary,
  evaluate,
  type Points,
  pointsAt,
  round1,
  topContributions,
} from './evaluate.ts';
import { eventsInHorizon } from './horizon.ts';
import { intentTypeOf } from './intent-type.ts';
import { tierOf } from './tier.ts';
import { trendOf } from './trend.ts';
import type { ScoreResult, ScoringEvent, SignalHit } from './types.ts';

/**
 * A person's score at `now`, from their events (every anonymous id merged; bots and events
 * after `now` are ignored, any order is fine). Only the events within the horizon count
 * (`horizonStart`): older ones are dropped first, so passing them or not gives the same
 * result. Pure: the same arguments always give the same result, and the result stays exact
 * until `result.nextChangeAt`.
 *
 * points = max(0, positive x diversity + negative), score = round(100 x (1 - 2^(-points / pointsForHalf))).
 * @example
 * const result = scorePerson(events, defaultConfig, Date.now());
 * // { score: 49, tier: 'medium', type: 'buying', trend: 'rising', nextChangeAt: 1736942400000, ... }
 */
export function scorePerson(events: readonly ScoringEvent[], model: ScoringModel, now: number): ScoreResult {
  const compiled = resolveModel(model);
  return scoreSignals(collectSignals(eventsInHorizon(events, compiled, now), compiled), compiled, now);
}

/** `scorePerson` from signals already collected with `collectSignals` (e.g. to reuse them for an account). */
export function scoreSignals(hits: readonly SignalHit[], model: ScoringModel, now: number): ScoreResult {
  const compiled = resolveModel(model);
  const result = personResult(hits, compiled, now);
  const whole = differsFrom(result, (t) => personResult(hits, compiled, t));
  // Points are a field of the result: when they moved (most boundaries), the result did,
  // without building the whole result at that instant and comparing it.
  const { config } = compiled;
  const scoreAt = (at: number) => pointsToScore(personPoints(pointsAt(hits, compiled, at), config), config);
  const differsAt = (t: number) => {
    const points = personPoints(pointsAt(hits, compiled, t), config);
    if (round1(points) !== result.points) return true;
    // The baselines, as personResult computes them; the whole result only when all are equal.
    const score = pointsToScore(points, config);
    if (scoreAt(t - compiled.trendWindowMs) !== result.previousScore) return true;
    if (score - scoreAt(t - compiled.changeWindowMs) !== result.change7d) return true;
    return whole(t);
  };
  return { ...result, nextChangeAt: changeAt([hits], compiled, now, differsAt) };
}

/** A person's result at `now`, without `nextChangeAt`. */
export function personResult(
  hits: readonly SignalHit[],
  model: CompiledConfig,
  now: number,
): Omit<ScoreResult, 'nextChangeAt'> {
  const { config } = model;
  const current = evaluate(hits, model, now);
  const diversity = diversityOf(current.categories.size, config);
  const points = Math.max(0, current.positive * diversity + current.negative);
  const score = pointsToScore(points, config);
  const scoreAt = (at: number) => pointsToScore(personPoints(pointsAt(hits, model, at), config), config);
  const previousScore = scoreAt(now - model.trendWindowMs);
  return {
    score,
    tier: tierOf(score, config),
    type: intentTypeOf(current.evidence, model),
    trend: trendOf(score, previousScore, config),
    points: round1(points),
    previousScore,
    change7d: score - scoreAt(now - model.changeWindowMs),
    explanation: topContributions(current.groups, diversity, config.explanation.topSignals),
    categories: categoryPoints(current.groups, diversity),
    signalCount: current.count,
  };
}

/**
 * The earliest instant after `now` at which the person's result changes with time alone
 * (a signal crossing a recency step, leaving the window, or a future-dated event starting to
 * count, also as seen from the baselines `now - 7 days` of `change7d` and `now - trend.windowDays`
 * of the trend); null when never.
 * Same value as `scorePerson(...).nextChangeAt`.
 */
export function nextChangeAt(events: readonly ScoringEvent[], model: ScoringModel, now: number): number | null {
  return scorePerson(events, model, now).nextChangeAt;
}

/** How many step boundaries `changeAt` looks through for one that changes the result. */
const LOOKAHEAD = 8;

/**
 * The first step boundary after `now` at which the result differs (`differsAt`). Boundaries
 * that change nothing visible (points clamped at 0, rounding) are skipped, up to LOOKAHEAD of
 * them; past that the next boundary is answered, which is early but still safe. Each look is
 * O(n), so the whole stays O(n).
 */
export function changeAt(
  lists: readonly (readonly SignalHit[])[],
  model: CompiledConfig,
  now: number,
  differsAt: (at: number) => boolean,
  /** How a list's next boundary is found (`earliestBoundaryHeld` for an account's contacts). */
  boundary: typeof earliestBoundary = earliestBoundary,
): number | null {
  let at = now;
  for (let look = 0; look <= LOOKAHEAD; look++) {
    const next = boundaryAfter(lists, model, at, boundary);
    if (next === null || look === LOOKAHEAD) return next;
    if (differsAt(next)) return next;
    at = next;
  }
  return null;
}

/** A `differsAt` for `changeAt`: whether the whole result at an instant (as JSON) differs from `current`. */
export function differsFrom<T>(current: T, resultAt: (at: number) => T): (at: number) => boolean {
  // Written on first use: a cheaper test before this one usually decides.
  let seen: string | undefined;
  return (at) => {
    seen ??= JSON.stringify(current);
    return JSON.stringify(resultAt(at)) !== seen;
  };
}

/**
 * The earliest instant after `at` when any signal changes step or starts counting, as seen
 * now, from the `change7d` baseline (7 days back) or from the trend baseline (14 days back).
 */
function boundaryAfter(
  lists: readonly (readonly SignalHit[])[],
  model: CompiledConfig,
  at: number,
  boundary: typeof earliestBoundary,
): number | null {
  const offsets = [0, model.changeWindowMs, model.trendWindowMs];
  let next = Number.POSITIVE_INFINITY;
  for (const hits of lists) {
    for (const back of offsets) next = Math.min(next, boundary(hits, model, at - back) + back);
  }
  return Number.isFinite(next) ? next : null;
}

/**
 * The bounded curve from points to a 0-100 integer score: every `pointsForHalf` (40) points
 * halve the distance to 100 (40 points -> 50, 80 -> 75, 120 -> 88).
 */
export function pointsToScore(points: number, config: Pick<ScoringConfig, 'curve'>): number {
  if (!(points > 0)) return 0;
  return Math.round(100 * (1 - 2 ** (-points / config.curve.pointsForHalf)));
}

/** The diversity multiplier for signals in `categories` categories (1.25 from 3 with the defaults). */
export function diversityOf(categories: number, config: Pick<ScoringConfig, 'diversity'>): number {
  return categories >= config.diversity.minCategories ? config.diversity.multiplier : 1;
}

export function personPoints(ev: Points, config: ScoringConfig): number {
  return Math.max(0, ev.positive * diversityOf(ev.categories.size, config) + ev.negative);
}
