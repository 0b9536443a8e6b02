import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';

/**
 * Recency is a step function of age. Step i covers ages in [days(i-1), days(i)) (the first
 * from 0), so with the defaults an event counts 100 % for its first 7 x 24 h ("days 1-7"),
 * 75 % up to 14 days, 50 % up to 30, 25 % up to 90, and nothing from 90 days on. Events
 * dated after `now` do not count yet.
 */

/** The index of the recency step for an age in ms, or -1 when the age is outside every step. */
export function recencyStep(ageMs: number, model: CompiledConfig): number {
  if (ageMs < 0) return -1;
  const { stepMs } = model;
  for (let i = 0; i < stepMs.length; i++) if (ageMs < stepMs[i]!) return i;
  return -1;
}

/**
 * The recency factor of a signal of age `ageMs`: 1, 0.75, 0.5, 0.25 or 0 with the defaults.
 * @example recencyFactor(10 * 86_400_000, defaultConfig) // 0.75
 */
export function recencyFactor(ageMs: number, model: ScoringModel): number {
  const compiled = resolveModel(model);
  const step = recencyStep(ageMs, compiled);
  return step === -1 ? 0 : compiled.stepFactors[step]!;
}

/**
 * The first instant after `now` at which a signal at `at` changes step (or starts counting,
 * when `at` is in the future); Infinity when it never will again.
 */
export function nextBoundary(at: number, now: number, model: CompiledConfig): number {
  if (at > now) return at;
  const age = now - at;
  for (const bound of model.stepMs) if (bound > age) return at + bound;
  return Number.POSITIVE_INFINITY;
}
