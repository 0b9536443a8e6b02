import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';
import type { ScoringEvent, SignalHit } from './types.ts';

/**
 * The horizon: a subject's result at `now` depends only on the events dated
 * `now - horizonMs` or later (the last decay step, the longer baseline, twice the longest
 * account window, and twice the 90-day look-back of derived signals: see `CompiledConfig`).
 * Scoring drops older events first, so reading no older ones is exact by definition, and
 * derivation's bounded look-back makes every signal that can still count the same as
 * derivation over the whole history gives (the property test in horizon.test.ts).
 */

/** The earliest event time (epoch ms) that can still change the result at `now`. */
export function horizonStart(model: ScoringModel, now: number): number {
  return now - resolveModel(model).horizonMs;
}

/** The events within the horizon of `now` (future-dated ones included); the same array when all are. */
export function eventsInHorizon(
  events: readonly ScoringEvent[],
  model: CompiledConfig,
  now: number,
): readonly ScoringEvent[] {
  const from = now - model.horizonMs;
  for (const e of events) if (e.timestamp < from) return events.filter((kept) => kept.timestamp >= from);
  return events;
}

/**
 * The signals of a contact that can still change its account's result at `now` or later
 * (dated `now - keptMs` or later): what the collector stores per person for the rollup.
 */
export function hitsKept(hits: readonly SignalHit[], model: CompiledConfig, now: number): readonly SignalHit[] {
  const from = now - model.keptMs;
  for (const h of hits) if (h.at < from) return hits.filter((kept) => kept.at >= from);
  return hits;
}
