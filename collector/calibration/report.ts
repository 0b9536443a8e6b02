import { conversionByTier } from '../../shared/calibration/by-tier.ts';
import { type SignalCount, signalLifts } from '../../shared/calibration/lift.ts';
import { weeklySnapshots } from '../../shared/calibration/observe.ts';
import type { CalibrationReport, ThresholdAdvice } from '../../shared/calibration/report.ts';
import { rateAtOrAbove, thresholdFor, tierCounts } from '../../shared/calibration/thresholds.ts';
import { compileConfig, type ScoringConfig } from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';
import { loadSiteConfig } from '../scoring/config-store.ts';
import { readHistories } from './histories.ts';
import { fitAndCompare } from './model.ts';
import { Observations } from './observations.ts';
import { firstEventAt, scoreHistogram } from './queries.ts';
import { triggerLifts } from './triggers.ts';

const DAY_MS = 86_400_000;
/** At most this many weekly snapshots (a year), the newest. */
export const MAX_WEEKS = 52;
/** The conversion rates threshold advice aims at unless `?highRate=` / `?mediumRate=` say otherwise. */
export const DEFAULT_HIGH_RATE = 0.3;
export const DEFAULT_MEDIUM_RATE = 0.1;

export interface CalibrationOptions {
  /** The conversion rate the High threshold should give; default 0.3. */
  highRate?: number;
  /** The conversion rate the Medium threshold should give; default 0.1. */
  mediumRate?: number;
  /** Days after an observation in which an outcome counts; default the config's `outcomes.windowDays`. */
  windowDays?: number;
  /** The report's instant (epoch ms); default now. */
  now?: number;
}

/**
 * The calibration report of a site (`GET /v1/calibration`, the dashboard's calibration page):
 * how well its scores predicted its outcomes, from its own events under its current model.
 * Reads the site's persons and events page by page (see `histories.ts`); never changes anything.
 */
export async function buildCalibrationReport(
  db: Database,
  siteId: string,
  options: CalibrationOptions = {},
): Promise<CalibrationReport> {
  const now = options.now ?? Date.now();
  const config = await loadSiteConfig(db, siteId);
  const model = compileConfig(config);
  const windowDays = options.windowDays ?? config.outcomes.windowDays;
  const outcomes = { events: [...config.outcomes.events], windowDays };

  // Snapshots whose whole outcome window has passed, from a week after the first event.
  const last = Math.floor((now - windowDays * DAY_MS) / DAY_MS) * DAY_MS;
  const first = await firstEventAt(db, siteId);
  const weeks =
    first === null ? [] : weeklySnapshots(Math.max(first + 7 * DAY_MS, last - (MAX_WEEKS - 1) * 7 * DAY_MS), last);

  const obs = new Observations(model, weeks, windowDays * DAY_MS);
  if (weeks.length > 0) {
    for await (const page of readHistories(db, siteId, model, outcomes.events)) obs.addPage(page);
  }
  const converted = obs.converted.reduce((a, b) => a + b, 0);
  const fit = fitAndCompare(obs, config);

  return {
    generatedAt: new Date(now).toISOString(),
    outcomes,
    range: {
      from: new Date(weeks[0] ?? last).toISOString(),
      to: new Date(weeks[weeks.length - 1] ?? last).toISOString(),
      weeks: weeks.length,
    },
    sample: { subjects: obs.persons.length, observations: obs.size, converted, events: obs.events },
    conversionByTier: {
      person: conversionByTier(obs.personTiers(), weeks),
      account: conversionByTier(obs.accounts, weeks),
    },
    signals: signalLifts(signalCounts(obs, config), obs.size, converted),
    model: fit.model,
    ...(fit.skipped !== undefined ? { modelSkipped: fit.skipped } : {}),
    thresholds: await thresholdAdvice(db, siteId, obs, config, {
      high: options.highRate ?? DEFAULT_HIGH_RATE,
      medium: options.mediumRate ?? DEFAULT_MEDIUM_RATE,
    }),
    triggers: await triggerLifts(db, siteId, windowDays),
  };
}

/** How many observations showed each signal (had weight at W), and how many of those converted. */
function signalCounts(obs: Observations, config: ScoringConfig): SignalCount[] {
  const n = new Array<number>(obs.signals.length).fill(0);
  const conv = new Array<number>(obs.signals.length).fill(0);
  for (let i = 0; i < obs.size; i++) {
    for (let p = obs.featureOffsets[i]!; p < obs.featureOffsets[i + 1]!; p++) {
      const j = obs.featureIndex[p]!;
      n[j]!++;
      conv[j]! += obs.converted[i]!;
    }
  }
  return obs.signals.map((signal, j) => {
    const def = config.signals[signal];
    return { signal, label: def?.label ?? signal, category: def?.category ?? '', n: n[j]!, converted: conv[j]! };
  });
}

/**
 * The lowest thresholds whose observations at and above convert at the target rates, and the
 * persons each tier would hold now (their stored scores). A missing High threshold leaves
 * nobody High; a Medium threshold at or above the High one is set just below it.
 */
async function thresholdAdvice(
  db: Database,
  siteId: string,
  obs: Observations,
  config: ScoringConfig,
  targets: { high: number; medium: number },
): Promise<ThresholdAdvice> {
  const labels = obs.converted;
  const high = thresholdFor(obs.score, labels, targets.high);
  const medium = thresholdFor(obs.score, labels, targets.medium);
  let mediumThreshold = medium?.threshold ?? null;
  let mediumConversion = medium?.conversion ?? null;
  if (mediumThreshold !== null && high !== null && mediumThreshold >= high.threshold) {
    mediumThreshold = high.threshold - 1;
    mediumConversion = rateAtOrAbove(obs.score, labels, mediumThreshold);
  }
  const histogram = await scoreHistogram(db, siteId);
  const proposedHigh = high?.threshold ?? 101;
  return {
    targets,
    current: { ...config.tiers, subjects: tierCounts(histogram, config.tiers) },
    proposed: {
      high: high?.threshold ?? null,
      medium: mediumThreshold,
      subjects: tierCounts(histogram, { high: proposedHigh, medium: mediumThreshold ?? proposedHigh }),
      conversion: { high: high?.conversion ?? null, medium: mediumConversion },
    },
  };
}
