import type { DerivedRule, RuleCondition, ScoringConfig } from './config.ts';
import { defaultConfig } from './default-config.ts';

/**
 * The catalogue as reference rows: what docs/SCORING.md (and the README) list. Generated
 * from a config, so the documentation is checked against the data the scorer uses.
 */

/** One way to produce a signal: a track event, a page glob, or a derived rule. */
export interface CatalogueRow {
  source: 'track' | 'page' | 'derived' | 'account';
  /** The event name(s), path globs, or a description of the derived rule. */
  match: string;
  /** Property conditions, or '' when none. */
  where: string;
  signal: string;
  label: string;
  category: string;
  level: string;
  points: number;
  intent: string;
}

/** Every rule and derived rule of a config, in evaluation order. */
export function catalogueRows(config: ScoringConfig): CatalogueRow[] {
  const row = (source: CatalogueRow['source'], match: string, where: string, signal: string): CatalogueRow => {
    const def = config.signals[signal]!;
    const intent = def.intentFromText ? `${def.intent} (or from text)` : def.intent;
    const points = def.points ?? config.levels[def.level] * config.intentFactors[def.intent];
    return { source, match, where, signal, label: def.label, category: def.category, level: def.level, points, intent };
  };
  const rules = config.rules.map((rule) =>
    rule.path !== undefined
      ? row('page', code(list(rule.path)), conditions(rule.where), rule.signal)
      : row('track', code(list(rule.event ?? [])), conditions(rule.where), rule.signal),
  );
  const derived = config.derived.map((rule) =>
    row(rule.kind === 'account_people' ? 'account' : 'derived', describeDerived(rule), '', rule.signal),
  );
  return [...rules, ...derived];
}

/** The track event names of the default catalogue, in catalogue order, each once. */
export const defaultEventNames: readonly string[] = Object.freeze([
  ...new Set(defaultConfig.rules.flatMap((rule) => list(rule.event ?? []))),
]);

/** The catalogue as a Markdown table (the one in docs/SCORING.md). */
export function catalogueMarkdown(config: ScoringConfig): string {
  const lines = [
    '| source | matches | where | signal | category | level | points | intent |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of catalogueRows(config)) {
    const cells = [r.source, r.match, r.where, `\`${r.signal}\` ${r.label}`, r.category, r.level, r.points, r.intent];
    lines.push(`| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}

function describeDerived(rule: DerivedRule): string {
  const of = describeOf(rule.of);
  switch (rule.kind) {
    case 'session_count':
      return `${rule.min}+ ${of} in one session`;
    case 'return_visit':
      return `${of} ${rule.minGapHours}h+ (and at most 90 days) after the previous one`;
    case 'repeat_per_key':
      return `${rule.min}+ ${of} with the same ${rule.keys.join('/')} within 90 days`;
    case 'property_at_least':
      return `${of} with ${rule.property} >= ${rule.min}`;
    case 'account_people':
      return `${rule.minPeople}+ contacts with ${of} within ${rule.windowDays} days (not again while it holds)`;
  }
}

function describeOf(of: DerivedRule['of']): string {
  const parts = [
    ...(of.eventTypes ?? []).map((t) => `${t}s`),
    ...(of.signals ?? []).map((s) => `\`${s}\``),
    ...(of.categories ?? []).map((c) => `${c} signals`),
  ];
  const except = of.exceptSignals ? ` (not ${of.exceptSignals.map((s) => `\`${s}\``).join(', ')})` : '';
  return `${parts.join(' or ')}${except}`;
}

function conditions(where: RuleCondition[] | undefined): string {
  if (!where) return '';
  return where
    .map((c) => {
      const property = list(c.property).join(' or ');
      if (c.op === 'exists') return `${property} is set`;
      const value = Array.isArray(c.value) ? c.value.join(' or ') : String(c.value);
      const op = { equals: '=', in: 'in', contains: 'contains', gte: '>=', lte: '<=' }[c.op];
      return `${property} ${op} ${value}`;
    })
    .join(' and ');
}

function code(values: string[]): string {
  return values.map((v) => `\`${v}\``).join(', ');
}

/**
 * The rows of the Markdown tables in a text, cells trimmed and rejoined: formatters pad
 * tables, so generated and committed tables are compared in this form.
 */
export function tableRows(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/^-{3,}$/, '---'))
        .join('|'),
    );
}

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The scoring constants of a config as a Markdown table (the one in docs/SCORING.md). */
export function constantsMarkdown(config: ScoringConfig): string {
  const c = config;
  const rows: [string, string, string][] = [
    ['levels', levelsText(c), 'points of one fresh occurrence, by level'],
    [
      'intentFactors',
      Object.entries(c.intentFactors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      "multiplies a signal's points by its intent",
    ],
    [
      'decay.steps',
      c.decay.steps.map((s) => `< ${s.days} d: ${s.factor}`).join(', '),
      'recency factor by age; older: not counted',
    ],
    ['session.inactivityMinutes', String(c.session.inactivityMinutes), 'a gap this long starts a new session'],
    [
      'frequency.repeatFactor',
      String(c.frequency.repeatFactor),
      'the k-th repeat of a signal (from 0) counts factor^k',
    ],
    [
      'diversity',
      `${c.diversity.multiplier} from ${c.diversity.minCategories} categories`,
      'multiplies positive points',
    ],
    ['curve.pointsForHalf', String(c.curve.pointsForHalf), 'points that give a score of 50'],
    ['tiers', `medium >= ${c.tiers.medium}, high >= ${c.tiers.high}`, 'low below medium'],
    ['trend', `${c.trend.windowDays} days, +/-${c.trend.threshold} points`, 'rising / declining beyond the threshold'],
    ['intentType.minEvidence', String(c.intentType.minEvidence), 'evidence points below which the type is unknown'],
    ['account.engagedMinPoints', String(c.account.engagedMinPoints), "a contact's net points to count as engaged"],
    [
      'account.breadthStep / breadthMax',
      `${c.account.breadthStep} / ${c.account.breadthMax}`,
      'breadth = min(max, 1 + step x (engaged - 1))',
    ],
    ['explanation.topSignals', String(c.explanation.topSignals), 'lines in an explanation'],
    [
      'outcomes',
      `${c.outcomes.events.join(', ')}; ${c.outcomes.windowDays} days`,
      'the outcome events and window of the calibration report (never scored as features there)',
    ],
  ];
  return ['| constant | default | meaning |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

function levelsText(c: ScoringConfig): string {
  return Object.entries(c.levels)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
