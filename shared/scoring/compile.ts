import type { DerivedRule, RuleCondition, ScoringConfig, SignalDefinition } from './config.ts';
import { compileGlob } from './glob.ts';
import type { EventType, IntentClass, Signal } from './types.ts';

const DAY_MS = 86_400_000;
/** `change7d` compares the score with the score these events gave 7 days earlier. */
export const CHANGE_WINDOW_DAYS = 7;
/**
 * How far back a derived rule looks from the event it fires at (a return visit's previous
 * visit, the other occurrences of a repeat, the rest of a session): 90 days, so a 90-day
 * `minGapHours` still works. A rule that fires once (a repeat, a session's min-th event) also
 * looks at whether its condition already held within that span, so a derived signal at
 * instant t depends on the events in [t - 2 x 90 days, t] only (see docs/SCORING.md, "Horizon").
 */
export const DERIVED_LOOKBACK_DAYS = 90;
const COMPILED = Symbol('inkling.compiledScoringConfig');

type PropertyTest = (properties: Record<string, unknown>) => boolean;

export interface CompiledRule {
  index: number;
  signal: string;
  /** One anchored expression for all of the rule's globs (alternatives), null for track rules. */
  paths: RegExp | null;
  where: PropertyTest[];
}

/** Which hits a derived rule counts (see the `of` field of a derived rule). */
export interface CompiledOf {
  eventTypes: ReadonlySet<string>;
  signals: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  except: ReadonlySet<string>;
}

export type CompiledDerived = DerivedRule & { match: CompiledOf };

export interface CompiledSignal extends SignalDefinition {
  id: string;
}

/**
 * A config prepared for scoring: globs compiled, rules indexed by event name, decay in
 * milliseconds. Build it once per config with `compileConfig`; every scoring function also
 * accepts the plain config and compiles it once (cached per config object).
 */
export interface CompiledConfig {
  readonly [COMPILED]: true;
  readonly config: ScoringConfig;
  readonly signals: ReadonlyMap<string, CompiledSignal>;
  /** Track rules by normalized event name, in config order. */
  readonly trackRules: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly pageRules: readonly CompiledRule[];
  readonly derived: readonly CompiledDerived[];
  /** Upper bounds (exclusive) of the recency steps, in ms of age. */
  readonly stepMs: readonly number[];
  readonly stepFactors: readonly number[];
  readonly sessionGapMs: number;
  readonly trendWindowMs: number;
  /** 7 days, fixed: the baseline of `change7d` (the Sales API's rising and cooling lists). */
  readonly changeWindowMs: number;
  /** `DERIVED_LOOKBACK_DAYS` in ms. */
  readonly lookbackMs: number;
  /**
   * Signals older than this (before `now - countedMs`) count neither now nor at the 7-day and
   * trend baselines: the last decay step plus the longer of the two baselines.
   */
  readonly countedMs: number;
  /**
   * The signals of a contact older than this cannot change its account's result: `countedMs`
   * plus twice the longest account-level window (an account signal looks back its window, and
   * as far again to see whether it already fired).
   */
  readonly keptMs: number;
  /**
   * The horizon: the result at `now` is a function of the events dated `now - horizonMs` or
   * later alone (`keptMs` plus the 2 x 90-day look-back of derived signals). Scoring drops
   * older events first, and the collector loads no older ones.
   */
  readonly horizonMs: number;
  readonly chatKeywords: ReadonlyMap<string, Exclude<IntentClass, 'neutral'>>;
  /** Memo of normalized path -> page rules whose globs match it (see categorize.ts). */
  readonly pathCache: Map<string, readonly CompiledRule[]>;
}

/** A config, plain or compiled: every scoring function takes either. */
export type ScoringModel = ScoringConfig | CompiledConfig;

const cache = new WeakMap<ScoringConfig, CompiledConfig>();

/**
 * Compiles a validated config (from `parseScoringConfig`, or `defaultConfig`). Treat the
 * config as immutable afterwards: compiled forms are cached per config object.
 * @example
 * const model = compileConfig(site.config);
 * for (const person of due) store(scorePerson(person.events, model, now));
 */
export function compileConfig(config: ScoringConfig): CompiledConfig {
  const cached = cache.get(config);
  if (cached) return cached;
  const signals = new Map<string, CompiledSignal>();
  for (const [id, def] of Object.entries(config.signals)) signals.set(id, { ...def, id });

  const trackRules = new Map<string, CompiledRule[]>();
  const pageRules: CompiledRule[] = [];
  config.rules.forEach((rule, index) => {
    const where = (rule.where ?? []).map(compileCondition);
    if (rule.path !== undefined) {
      const globs = toArray(rule.path).map((glob) => compileGlob(glob).source);
      pageRules.push({
        index,
        signal: rule.signal,
        paths: new RegExp(globs.map((g) => `(?:${g})`).join('|'), 'i'),
        where,
      });
      return;
    }
    for (const name of toArray(rule.event ?? [])) {
      const key = normalizeEventName(name);
      const list = trackRules.get(key) ?? [];
      list.push({ index, signal: rule.signal, paths: null, where });
      trackRules.set(key, list);
    }
  });

  const chatKeywords = new Map<string, Exclude<IntentClass, 'neutral'>>();
  // Earlier classes win a word listed twice: buying, partnership, support, job_seeker.
  for (const cls of ['job_seeker', 'support', 'partnership', 'buying'] as const) {
    for (const word of config.intentType.chatKeywords[cls]) chatKeywords.set(word, cls);
  }

  const stepMs = config.decay.steps.map((s) => s.days * DAY_MS);
  const trendWindowMs = config.trend.windowDays * DAY_MS;
  const changeWindowMs = CHANGE_WINDOW_DAYS * DAY_MS;
  const lookbackMs = DERIVED_LOOKBACK_DAYS * DAY_MS;
  const countedMs = stepMs[stepMs.length - 1]! + Math.max(trendWindowMs, changeWindowMs);
  const accountWindowDays = Math.max(0, ...config.derived.map((r) => (r.kind === 'account_people' ? r.windowDays : 0)));
  const keptMs = countedMs + 2 * accountWindowDays * DAY_MS;
  const compiled: CompiledConfig = {
    [COMPILED]: true,
    config,
    signals,
    trackRules,
    pageRules,
    derived: config.derived.map((rule) => ({ ...rule, match: compileOf(rule.of) })),
    stepMs,
    stepFactors: config.decay.steps.map((s) => s.factor),
    sessionGapMs: config.session.inactivityMinutes * 60_000,
    trendWindowMs,
    changeWindowMs,
    lookbackMs,
    countedMs,
    keptMs,
    horizonMs: keptMs + 2 * lookbackMs,
    chatKeywords,
    pathCache: new Map(),
  };
  cache.set(config, compiled);
  return compiled;
}

/** The compiled form of either kind of model. */
export function resolveModel(model: ScoringModel): CompiledConfig {
  return COMPILED in model ? model : compileConfig(model);
}

/** `Email Opened`, `email_opened` and `email-opened` name the same event. */
export function normalizeEventName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

/** The signal a definition yields for an intent: its `points` when set, else level points x the intent's factor. */
export function toSignal(model: CompiledConfig, def: CompiledSignal, intent: IntentClass = def.intent): Signal {
  const { levels, intentFactors } = model.config;
  return {
    signal: def.id,
    label: def.label,
    category: def.category,
    level: def.level,
    intent,
    points: def.points ?? levels[def.level] * intentFactors[intent],
  };
}

export function matchesOf(of: CompiledOf, type: EventType, signal: Signal | null): boolean {
  if (signal && of.except.has(signal.signal)) return false;
  if (of.eventTypes.has(type)) return true;
  return signal !== null && (of.signals.has(signal.signal) || of.categories.has(signal.category));
}

function compileOf(of: DerivedRule['of']): CompiledOf {
  return {
    eventTypes: new Set(of.eventTypes ?? []),
    signals: new Set(of.signals ?? []),
    categories: new Set(of.categories ?? []),
    except: new Set(of.exceptSignals ?? []),
  };
}

function compileCondition(condition: RuleCondition): PropertyTest {
  const paths = toArray(condition.property).map((p) => p.split('.'));
  const test = valueTest(condition);
  return (properties) => paths.some((path) => test(readPath(properties, path)));
}

function valueTest(condition: RuleCondition): (value: unknown) => boolean {
  switch (condition.op) {
    case 'exists':
      return (v) => v !== undefined && v !== null && v !== false && v !== '';
    case 'equals': {
      const expected = lower(condition.value);
      return (v) => lower(v) === expected;
    }
    case 'in': {
      const expected = new Set(condition.value.map(lower));
      return (v) => expected.has(lower(v));
    }
    case 'contains': {
      const needles = toArray(condition.value).map((n) => n.toLowerCase());
      const hit = (v: unknown) => typeof v === 'string' && needles.some((n) => v.toLowerCase().includes(n));
      return (v) => (Array.isArray(v) ? v.some(hit) : hit(v));
    }
    case 'gte': {
      const min = condition.value;
      return (v) => toNumber(v) >= min;
    }
    case 'lte': {
      const max = condition.value;
      return (v) => toNumber(v) <= max;
    }
  }
}

/** A number from a number, a numeric string, or an array (its length); NaN otherwise. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  if (Array.isArray(value)) return value.length;
  return Number.NaN;
}

export function readPath(properties: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = properties;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function lower(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
