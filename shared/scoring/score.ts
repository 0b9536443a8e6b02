import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';
import type { ScoringConfig } from './config.ts';
import { collectSignals } from './derive.ts';
import { categoryPoints, type Evaluation, earliestBoundary, evaluate, round1, topContributions } from './evaluate.ts';
import { intentTypeOf } from './intent-type.ts';
import { tierOf } from './tier.ts';
import { trendOf } from './trend.ts';
import type { ScoreResult, ScoringEvent, SignalHit } from './types.ts';

/**
 * A person's score at `now`, from all of their events (every anonymous id merged; bots and
 * events after `now` are ignored, any order is fine). Pure: the same arguments always give
 * the same result, and the result stays exact until `result.nextChangeAt`.
 *
 * points = max(0, positive x diversity + negative), score = round(100 x (1 - 2^(-points / pointsForHalf))).
 * @example
 * const result = scorePerson(events, defaultConfig, Date.now());
 * // { score: 49, tier: 'medium', type: 'buying', trend: 'rising', nextChangeAt: 1736942400000, ... }
 */
export function scorePerson(events: readonly ScoringEvent[], model: ScoringModel, now: number): ScoreResult {
  const compiled = resolveModel(model);
  return scoreSignals(collectSignals(events, compiled), compiled, now);
}

/** `scorePerson` from signals already collected with `collectSignals` (e.g. to reuse them for an account). */
export function scoreSignals(hits: readonly SignalHit[], model: ScoringModel, now: number): ScoreResult {
  const compiled = resolveModel(model);
  const { config } = compiled;
  const current = evaluate(hits, compiled, now);
  const diversity = diversityOf(current.categories.size, config);
  const points = Math.max(0, current.positive * diversity + current.negative);
  const score = pointsToScore(points, config);
  const previousScore = pointsToScore(
    personPoints(evaluate(hits, compiled, now - compiled.trendWindowMs), config),
    config,
  );
  return {
    score,
    tier: tierOf(score, config),
    type: intentTypeOf(current.evidence, compiled),
    trend: trendOf(score, previousScore, config),
    points: round1(points),
    previousScore,
    explanation: topContributions(current.groups, diversity, config.explanation.topSignals),
    categories: categoryPoints(current.groups, diversity),
    signalCount: current.count,
    nextChangeAt: changeAt([hits], compiled, now),
  };
}

/**
 * The earliest instant after `now` at which the person's result can change with time alone
 * (a signal crossing a recency step, leaving the window, or a future-dated event starting to
 * count, also as seen from the trend's baseline `now - trend.windowDays`); null when never.
 * Same value as `scorePerson(...).nextChangeAt`.
 */
export function nextChangeAt(events: readonly ScoringEvent[], model: ScoringModel, now: number): number | null {
  const compiled = resolveModel(model);
  return changeAt([collectSignals(events, compiled)], compiled, now);
}

export function changeAt(lists: readonly (readonly SignalHit[])[], model: CompiledConfig, now: number): number | null {
  const window = model.trendWindowMs;
  let next = Number.POSITIVE_INFINITY;
  for (const hits of lists) {
    next = Math.min(next, earliestBoundary(hits, model, now), earliestBoundary(hits, model, now - window) + window);
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

function personPoints(ev: Evaluation, config: ScoringConfig): number {
  return Math.max(0, ev.positive * diversityOf(ev.categories.size, config) + ev.negative);
}
