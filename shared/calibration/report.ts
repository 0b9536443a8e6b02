import type { Tier } from '../scoring/types.ts';

/**
 * The answer of `GET /v1/calibration` (CONTRACT "Sales API"): how well a site's scores predict
 * its outcomes, computed from its own history. Plain data; `collector/calibration/` builds it,
 * the route serves it as JSON and the dashboard's calibration page renders it.
 */

/** A conversion rate: `converted` of `n`, with its Wilson 95 % interval (null when n is 0). */
export interface Rate {
  n: number;
  converted: number;
  /** converted / n; null when n is 0. */
  rate: number | null;
  interval: { low: number; high: number } | null;
}

/** Conversion of the observations in each tier. */
export type TierRates = Record<Tier, Rate>;

/** Conversion by tier for one kind of subject, overall and by week (so drift shows). */
export interface TierConversion {
  overall: TierRates;
  /** One line per weekly snapshot, oldest first; `week` is the snapshot's ISO instant. */
  byWeek: Array<{ week: string } & TierRates>;
}

/** A signal's lift: conversion of observations that showed it against those that did not. */
export interface SignalLift {
  signal: string;
  label: string;
  category: string;
  with: Rate;
  without: Rate;
  /** with.rate / without.rate; null when either rate is null or `without.rate` is 0. */
  lift: number | null;
  /** True when either group is too small (or has too few conversions) to say anything. */
  tooSmall: boolean;
}

/** How well a set of weights ranks the test observations. */
export interface RankingQuality {
  /** Area under the ROC curve (0.5 = chance); null when the test set has one class only. */
  auc: number | null;
  /** Conversion of the top 10 % of test observations by score. */
  topDecile: Rate;
}

/** One signal's points today and as fitted. */
export interface FittedWeight {
  signal: string;
  label: string;
  /** Points of one fresh occurrence under today's model. */
  current: number;
  /** Points the fitted model proposes (the regression's coefficient, scaled to today's points). */
  fitted: number;
  /** The regression's coefficient, on the log-odds scale. */
  coefficient: number;
}

export interface FittedModel {
  /** What was fitted: `logistic_l2` with its penalty. */
  method: string;
  /** Fit on observations of subjects first seen before `splitAt`, tested on those first seen after. */
  splitAt: string;
  train: { subjects: number; observations: number; converted: number };
  test: { subjects: number; observations: number; converted: number };
  /** On the same test set: today's weights, the fitted ones, and every signal worth the same. */
  current: RankingQuality;
  fitted: RankingQuality;
  uniform: RankingQuality;
  weights: FittedWeight[];
  /** A whole `PUT /v1/config` body with the fitted points. Never applied automatically. */
  proposal: Record<string, unknown>;
}

/** The tier thresholds that would give the chosen conversion rates. */
export interface ThresholdAdvice {
  /** The conversion rates asked for (`?highRate=`, `?mediumRate=`). */
  targets: { high: number; medium: number };
  current: { high: number; medium: number; subjects: Record<Tier, number> };
  /** Null thresholds when no score reaches the rate asked for. */
  proposed: {
    high: number | null;
    medium: number | null;
    /** How many subjects would be in each tier now with the proposed thresholds. */
    subjects: Record<Tier, number>;
    /** The observed conversion at and above each proposed threshold. */
    conversion: { high: Rate | null; medium: Rate | null };
  };
}

/** A rule with a holdout: conversion of fired against held-out subjects. */
export interface TriggerLift {
  rule: { id: string; name: string };
  goal: string;
  days: number;
  fired: Rate;
  heldOut: Rate;
  /** fired.rate - heldOut.rate; null unless both groups have subjects. */
  lift: number | null;
}

export interface CalibrationReport {
  generatedAt: string;
  /** The site's outcome events and the window in which one counts after an observation. */
  outcomes: { events: string[]; windowDays: number };
  /** The weekly snapshots observed. */
  range: { from: string; to: string; weeks: number };
  sample: { subjects: number; observations: number; converted: number; events: number };
  conversionByTier: { person: TierConversion; account: TierConversion };
  signals: SignalLift[];
  /** Null with `modelSkipped` when there is too little history to fit and test. */
  model: FittedModel | null;
  modelSkipped?: string;
  thresholds: ThresholdAdvice;
  triggers: TriggerLift[];
}
