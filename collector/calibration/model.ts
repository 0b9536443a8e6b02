import { fitLogistic, type SparseRows } from '../../shared/calibration/logistic.ts';
import { personPointsAt } from '../../shared/calibration/observe.ts';
import { proposeConfig } from '../../shared/calibration/proposal.ts';
import { rankingQuality } from '../../shared/calibration/ranking.ts';
import type { FittedModel } from '../../shared/calibration/report.ts';
import { type CompiledConfig, compileConfig, type ScoringConfig } from '../../shared/scoring/index.ts';
import type { Observations } from './observations.ts';

/** The share of observed persons, oldest first seen, that the model is fitted on; the newer rest tests it. */
export const TRAIN_SHARE = 0.7;
/** The L2 penalty of the regression (on the summed log loss). */
export const LAMBDA = 1;
/** Every signal's points in the "uniform" baseline: all worth the same. */
export const UNIFORM_POINTS = 10;
/** Below these the fit or its test says nothing; the report says why instead. */
const MIN_TRAIN_CONVERTED = 10;
const MIN_TEST_CONVERTED = 5;

export type ModelResult = { model: FittedModel; skipped?: undefined } | { model: null; skipped: string };

/**
 * Fits the regression on the observations of the persons first seen before the split (the
 * oldest `TRAIN_SHARE` of observed persons by first-seen time) and compares three rankings of
 * the newer persons' observations: today's points, the proposal's (each test person's signals
 * scored again by the pure model under the proposed config) and uniform points.
 */
export function fitAndCompare(obs: Observations, config: ScoringConfig): ModelResult {
  const order = obs.persons.map((_, i) => i).sort((a, b) => obs.persons[a]!.firstSeen - obs.persons[b]!.firstSeen);
  if (order.length < 10)
    return { model: null, skipped: `only ${order.length} observed people: too few to fit and test` };
  const splitAt = obs.persons[order[Math.floor(order.length * TRAIN_SHARE)]!]!.firstSeen;
  const isTrain = obs.persons.map((p) => p.firstSeen < splitAt);

  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < obs.size; i++) (isTrain[obs.person[i]!] ? train : test).push(i);
  const tally = (rows: number[]) => ({
    subjects: new Set(rows.map((i) => obs.person[i])).size,
    observations: rows.length,
    converted: rows.reduce((sum, i) => sum + obs.converted[i]!, 0),
  });
  const trainTally = tally(train);
  const testTally = tally(test);
  if (trainTally.converted < MIN_TRAIN_CONVERTED) {
    return { model: null, skipped: `only ${trainTally.converted} conversions among the older people: too few to fit` };
  }
  if (testTally.converted < MIN_TEST_CONVERTED || testTally.converted === testTally.observations) {
    return { model: null, skipped: `only ${testTally.converted} conversions among the newer people: too few to test` };
  }

  const fit = fitLogistic(sparseRows(obs, train), { lambda: LAMBDA });
  const coefficients = new Map(obs.signals.map((s, j) => [s, fit.coefficients[j]!] as const));
  // A signal never seen in training has no data: it keeps today's points.
  const seen = new Set<number>();
  for (const i of train)
    for (let p = obs.featureOffsets[i]!; p < obs.featureOffsets[i + 1]!; p++) seen.add(obs.featureIndex[p]!);
  for (const [j, s] of obs.signals.entries()) if (!seen.has(j)) coefficients.delete(s);
  const { proposal, weights } = proposeConfig(config, coefficients);

  const labels = Uint8Array.from(test, (i) => obs.converted[i]!);
  const current = Float64Array.from(test, (i) => obs.points[i]!);
  const fitted = rescored(obs, test, compileConfig(proposal));
  const uniform = rescored(obs, test, compileConfig(uniformConfig(config)));
  return {
    model: {
      method: `logistic_l2 (IRLS, lambda ${LAMBDA}${fit.converged ? '' : `, stopped after ${fit.iterations} iterations`})`,
      splitAt: new Date(splitAt).toISOString(),
      train: trainTally,
      test: testTally,
      current: rankingQuality(current, labels),
      fitted: rankingQuality(fitted, labels),
      uniform: rankingQuality(uniform, labels),
      weights,
      proposal: proposal as unknown as Record<string, unknown>,
    },
  };
}

/** The training observations as the regression's sparse rows. */
function sparseRows(obs: Observations, rows: readonly number[]): SparseRows {
  const offsets = new Int32Array(rows.length + 1);
  let nnz = 0;
  rows.forEach((i, r) => {
    nnz += obs.featureOffsets[i + 1]! - obs.featureOffsets[i]!;
    offsets[r + 1] = nnz;
  });
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  let at = 0;
  for (const i of rows) {
    for (let p = obs.featureOffsets[i]!; p < obs.featureOffsets[i + 1]!; p++) {
      index[at] = obs.featureIndex[p]!;
      value[at++] = obs.featureValue[p]!;
    }
  }
  return {
    features: obs.signals.length,
    offsets,
    index,
    value,
    labels: Uint8Array.from(rows, (i) => obs.converted[i]!),
  };
}

/** The points of each of `rows` (one person's contiguous) under `model`: their signals rebuilt under it, scored by the pure model. */
function rescored(obs: Observations, rows: readonly number[], model: CompiledConfig): Float64Array {
  const out = new Float64Array(rows.length);
  let person = -1;
  let hits: ReturnType<typeof obs.codes.unpack> = [];
  rows.forEach((i, r) => {
    if (obs.person[i] !== person) {
      person = obs.person[i]!;
      hits = obs.codes.unpack(obs.persons[person]!.hits, model);
    }
    out[r] = personPointsAt(hits, model, obs.week[i]!);
  });
  return out;
}

/** The config with every signal worth `UNIFORM_POINTS`. */
function uniformConfig(config: ScoringConfig): ScoringConfig {
  const copy = structuredClone(config) as ScoringConfig;
  for (const def of Object.values(copy.signals)) def.points = UNIFORM_POINTS;
  return copy;
}
