import type { CalibrationReport, Rate } from '../../shared/calibration/report.ts';
import { defaultConfig } from '../../shared/scoring/index.ts';

export const XSS_LABEL = '<script>alert("signal")</script>';
export const XSS_RULE = '<img src=x onerror=alert("rule")>';

const rate = (converted: number, n: number, low: number, high: number): Rate => ({
  n,
  converted,
  rate: n === 0 ? null : converted / n,
  interval: n === 0 ? null : { low, high },
});
const none: Rate = { n: 0, converted: 0, rate: null, interval: null };

/** The model the report proposes: the default with High (and Very high) signals worth 60 points and lower tiers. */
export function proposal(): Record<string, unknown> {
  const config = structuredClone(defaultConfig) as unknown as Record<string, unknown> & {
    levels: Record<string, number>;
    tiers: Record<string, number>;
  };
  config.levels.high = 60;
  config.levels.very_high = 60;
  config.tiers = { medium: 35, high: 60 };
  return config;
}

/**
 * A report as `buildCalibrationReport` answers it for a site with half a year of history,
 * written by hand (a signal label and a rule name are scripts), for the calibration page's
 * tests: the report itself is built and tested in `collector/calibration/`.
 */
export function calibrationReport(): CalibrationReport {
  return {
    generatedAt: new Date().toISOString(),
    outcomes: { events: ['Demo Booked', 'Deal Won'], windowDays: 30 },
    range: { from: '2026-06-01T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', weeks: 26 },
    sample: { subjects: 4812, observations: 31377, converted: 913, events: 1021 },
    conversionByTier: {
      person: {
        overall: {
          high: rate(187, 1240, 0.131, 0.172),
          medium: rate(301, 5010, 0.054, 0.067),
          low: rate(425, 25127, 0.0154, 0.0186),
        },
        byWeek: [
          {
            week: '2026-11-16T00:00:00.000Z',
            high: rate(9, 61, 0.07, 0.25),
            medium: rate(14, 240, 0.03, 0.1),
            low: none,
          },
          {
            week: '2026-11-23T00:00:00.000Z',
            high: rate(4, 58, 0.03, 0.17),
            medium: rate(11, 233, 0.03, 0.08),
            low: rate(20, 1190, 0.01, 0.03),
          },
        ],
      },
      account: {
        overall: {
          high: rate(96, 402, 0.2, 0.28),
          medium: rate(88, 1333, 0.053, 0.081),
          low: rate(51, 3077, 0.0126, 0.0217),
        },
        byWeek: [],
      },
    },
    signals: [
      {
        signal: 'careers_page',
        label: 'Careers page',
        category: 'web',
        with: rate(3, 811, 0.001, 0.011),
        without: rate(910, 30566, 0.028, 0.031),
        lift: 0.12,
        tooSmall: false,
      },
      {
        signal: 'pricing_page',
        label: XSS_LABEL,
        category: 'web',
        with: rate(402, 4120, 0.089, 0.107),
        without: rate(511, 27257, 0.017, 0.02),
        lift: 5.21,
        tooSmall: false,
      },
      {
        signal: 'webinar_attended',
        label: 'Webinar attended',
        category: 'content',
        with: rate(2, 7, 0.08, 0.64),
        without: rate(911, 31370, 0.027, 0.031),
        lift: 9.84,
        tooSmall: true,
      },
    ],
    model: {
      method: 'logistic_l2 (lambda 1)',
      splitAt: '2026-09-14T00:00:00.000Z',
      train: { subjects: 3301, observations: 22010, converted: 655 },
      test: { subjects: 1511, observations: 9367, converted: 258 },
      current: { auc: 0.712, topDecile: rate(71, 937, 0.06, 0.094) },
      fitted: { auc: 0.786, topDecile: rate(104, 937, 0.092, 0.133) },
      uniform: { auc: 0.634, topDecile: rate(49, 937, 0.04, 0.069) },
      weights: [
        { signal: 'pricing_page', label: XSS_LABEL, current: 20, fitted: 31.5, coefficient: 1.214 },
        { signal: 'careers_page', label: 'Careers page', current: 5, fitted: -12.34, coefficient: -0.472 },
      ],
      proposal: proposal(),
    },
    thresholds: {
      targets: { high: 0.25, medium: 0.08 },
      current: { high: 70, medium: 40, subjects: { high: 402, medium: 1333, low: 3077 } },
      proposed: {
        high: 83,
        medium: null,
        subjects: { high: 117, medium: 0, low: 4695 },
        conversion: { high: rate(41, 160, 0.196, 0.33), medium: null },
      },
    },
    triggers: [
      {
        rule: { id: 'rule_8f2k', name: XSS_RULE },
        goal: 'Demo Booked',
        days: 30,
        fired: rate(30, 120, 0.18, 0.33),
        heldOut: rate(2, 14, 0.04, 0.4),
        lift: 0.1071,
      },
    ],
  };
}
