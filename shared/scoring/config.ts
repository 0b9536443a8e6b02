import { z } from 'zod';
import { unstorablePath } from '../text.ts';
import { globError } from './glob.ts';

/**
 * The schema of a site's scoring model: what `PUT /v1/config` accepts and `GET /v1/config`
 * returns. Every number is bounded, and the cross-field rules (known signals and categories,
 * ordered thresholds, increasing decay steps) are checked here so that a model that parses
 * always scores.
 */

const ID = /^[a-z][a-z0-9_]{0,63}$/;
const idSchema = z.string().regex(ID, 'must be lower_snake_case: a-z, 0-9 and _, starting with a letter, at most 64');
const labelSchema = z.string().trim().min(1).max(80);
const nameSchema = z.string().trim().min(1).max(200);

export const levelSchema = z.enum(['low', 'medium', 'high', 'very_high', 'negative']);
export const intentClassSchema = z.enum(['buying', 'partnership', 'support', 'job_seeker', 'neutral']);
const eventTypeSchema = z.enum(['track', 'page', 'identify', 'group', 'alias', 'screen']);

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1).max(50)]);

const propertySchema = oneOrMany(
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^.]+(\.[^.]+)*$/, 'must be a property name or a dot path (plan.name)'),
);

/** A condition on the event's properties. `property` may list alternatives: any one holding is enough. */
export const conditionSchema = z.discriminatedUnion('op', [
  z.strictObject({ property: propertySchema, op: z.literal('exists') }),
  z.strictObject({
    property: propertySchema,
    op: z.literal('equals'),
    value: z.union([z.string().max(200), z.number(), z.boolean()]),
  }),
  z.strictObject({
    property: propertySchema,
    op: z.literal('in'),
    value: z
      .array(z.union([z.string().max(200), z.number(), z.boolean()]))
      .min(1)
      .max(100),
  }),
  z.strictObject({ property: propertySchema, op: z.literal('contains'), value: oneOrMany(z.string().min(1).max(100)) }),
  z.strictObject({ property: propertySchema, op: z.literal('gte'), value: z.number().finite() }),
  z.strictObject({ property: propertySchema, op: z.literal('lte'), value: z.number().finite() }),
]);

/**
 * A categorization rule: exactly one of `event` (track event names) or `path` (page path
 * globs), plus optional property conditions. Rules are tried in order; the first match wins.
 */
export const ruleSchema = z
  .strictObject({
    signal: idSchema,
    event: oneOrMany(nameSchema).optional(),
    path: oneOrMany(z.string().max(200)).optional(),
    where: z.array(conditionSchema).max(10).optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.event === undefined) === (rule.path === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a rule needs exactly one of "event" or "path"' });
    }
    const paths = rule.path === undefined ? [] : Array.isArray(rule.path) ? rule.path : [rule.path];
    paths.forEach((p, i) => {
      const error = globError(p);
      if (error)
        ctx.addIssue({ code: 'custom', path: Array.isArray(rule.path) ? ['path', i] : ['path'], message: error });
    });
  });

/** Which hits a derived rule counts: any listed event type, signal or category, minus `exceptSignals`. */
const ofSchema = z
  .strictObject({
    eventTypes: z.array(eventTypeSchema).min(1).optional(),
    signals: z.array(idSchema).min(1).optional(),
    categories: z.array(idSchema).min(1).optional(),
    exceptSignals: z.array(idSchema).min(1).optional(),
  })
  .refine((o) => o.eventTypes || o.signals || o.categories, {
    message: 'list at least one of "eventTypes", "signals" or "categories"',
  });

export const derivedRuleSchema = z.discriminatedUnion('kind', [
  /** Once per session, when the `min`-th counted event of the session happens. */
  z.strictObject({ kind: z.literal('session_count'), signal: idSchema, of: ofSchema, min: z.int().min(2).max(100) }),
  /** When a counted event comes at least `minGapHours` after the previous counted event. */
  z.strictObject({
    kind: z.literal('return_visit'),
    signal: idSchema,
    of: ofSchema,
    minGapHours: z
      .number()
      .min(1)
      .max(24 * 90),
  }),
  /** Once per key (the first present of `keys`), when the `min`-th counted event with that key happens. */
  z.strictObject({
    kind: z.literal('repeat_per_key'),
    signal: idSchema,
    of: ofSchema,
    keys: z.array(z.string().min(1).max(100)).min(1).max(10),
    min: z.int().min(2).max(100),
  }),
  /** For each counted event whose numeric property (or array length) is at least `min`. */
  z.strictObject({
    kind: z.literal('property_at_least'),
    signal: idSchema,
    of: ofSchema,
    property: z.string().min(1).max(100),
    min: z.number().finite(),
  }),
  /** Account level: when `minPeople` different contacts have counted signals within `windowDays`; at most once per window. */
  z.strictObject({
    kind: z.literal('account_people'),
    signal: idSchema,
    of: ofSchema,
    minPeople: z.int().min(2).max(100),
    windowDays: z.int().min(1).max(90),
  }),
]);

const points = z.number().finite().min(-1000).max(1000);

export const signalDefinitionSchema = z.strictObject({
  label: labelSchema,
  category: idSchema,
  level: levelSchema,
  intent: intentClassSchema,
  /** Classify the intent from `properties.text` (chat keywords); `intent` applies when no keyword matches. */
  intentFromText: z.boolean().optional(),
  /**
   * Points of one fresh occurrence, replacing `levels[level] x intentFactors[intent]` (how a
   * calibration proposal's fitted weights are applied). The level still names the signal's
   * strength for the intent type's evidence.
   */
  points: points.optional(),
});

/** The outcome events a calibration counts when a stored model names none. */
export const DEFAULT_OUTCOMES = {
  events: ['Demo Booked', 'Opportunity Created', 'Deal Won'],
  windowDays: 30,
} as const;

/**
 * The site's outcome events (ordinary `track` calls, a CRM's included) and the days after an
 * observation in which one counts for the calibration report. Defaulted when absent, so a
 * model stored before outcomes existed still parses.
 */
export const outcomesSchema = z.strictObject({
  events: z.array(nameSchema).min(1).max(50),
  windowDays: z.int().min(1).max(365),
});

export const scoringConfigSchema = z
  .strictObject({
    version: z.literal(1),
    categories: z.record(idSchema, z.strictObject({ label: labelSchema })),
    signals: z.record(idSchema, signalDefinitionSchema),
    rules: z.array(ruleSchema).max(500),
    derived: z.array(derivedRuleSchema).max(50),
    levels: z.strictObject({
      low: points.positive(),
      medium: points.positive(),
      high: points.positive(),
      very_high: points.positive(),
      negative: points.negative(),
    }),
    intentFactors: z.strictObject({
      buying: z.number().min(0).max(2),
      partnership: z.number().min(0).max(2),
      support: z.number().min(0).max(2),
      job_seeker: z.number().min(0).max(2),
      neutral: z.number().min(0).max(2),
    }),
    decay: z.strictObject({
      steps: z
        .array(z.strictObject({ days: z.int().min(1).max(3650), factor: z.number().gt(0).max(1) }))
        .min(1)
        .max(12),
    }),
    session: z.strictObject({
      inactivityMinutes: z
        .int()
        .min(1)
        .max(24 * 60),
    }),
    frequency: z.strictObject({ repeatFactor: z.number().min(0).max(1) }),
    diversity: z.strictObject({ minCategories: z.int().min(2).max(50), multiplier: z.number().min(1).max(3) }),
    curve: z.strictObject({ pointsForHalf: z.number().min(1).max(100_000) }),
    tiers: z.strictObject({ medium: z.int().min(1).max(99), high: z.int().min(2).max(100) }),
    trend: z.strictObject({ windowDays: z.int().min(1).max(90), threshold: z.int().min(1).max(100) }),
    intentType: z.strictObject({
      minEvidence: z.number().min(0).max(1000),
      chatKeywords: z.strictObject({
        buying: z.array(z.string().regex(/^[a-z0-9]+$/, 'must be one lowercase word')).max(200),
        partnership: z.array(z.string().regex(/^[a-z0-9]+$/, 'must be one lowercase word')).max(200),
        support: z.array(z.string().regex(/^[a-z0-9]+$/, 'must be one lowercase word')).max(200),
        job_seeker: z.array(z.string().regex(/^[a-z0-9]+$/, 'must be one lowercase word')).max(200),
      }),
    }),
    account: z.strictObject({
      engagedMinPoints: z.number().min(0).max(1000),
      breadthStep: z.number().min(0).max(1),
      breadthMax: z.number().min(1).max(5),
    }),
    explanation: z.strictObject({ topSignals: z.int().min(1).max(50) }),
    outcomes: outcomesSchema.default(() => ({
      events: [...DEFAULT_OUTCOMES.events],
      windowDays: DEFAULT_OUTCOMES.windowDays,
    })),
  })
  .superRefine(checkReferences);

/** A site's scoring model. Obtain one from `parseScoringConfig` or start from `defaultConfig`. */
export type ScoringConfig = z.infer<typeof scoringConfigSchema>;
export type ScoringRule = z.infer<typeof ruleSchema>;
export type RuleCondition = z.infer<typeof conditionSchema>;
export type DerivedRule = z.infer<typeof derivedRuleSchema>;
export type SignalDefinition = z.infer<typeof signalDefinitionSchema>;

type Ctx = z.core.$RefinementCtx<ScoringConfig>;

function checkReferences(c: ScoringConfig, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const known = (id: string) => Object.hasOwn(c.signals, id);
  for (const [id, def] of Object.entries(c.signals)) {
    if (!Object.hasOwn(c.categories, def.category)) {
      issue(['signals', id, 'category'], `unknown category "${def.category}"; declare it under "categories"`);
    }
  }
  c.rules.forEach((rule, i) => {
    if (!known(rule.signal))
      issue(['rules', i, 'signal'], `unknown signal "${rule.signal}"; declare it under "signals"`);
  });
  c.derived.forEach((rule, i) => {
    if (!known(rule.signal))
      issue(['derived', i, 'signal'], `unknown signal "${rule.signal}"; declare it under "signals"`);
    for (const key of ['signals', 'exceptSignals'] as const) {
      rule.of[key]?.forEach((s, j) => {
        if (!known(s)) issue(['derived', i, 'of', key, j], `unknown signal "${s}"`);
      });
    }
    rule.of.categories?.forEach((s, j) => {
      if (!Object.hasOwn(c.categories, s)) issue(['derived', i, 'of', 'categories', j], `unknown category "${s}"`);
    });
  });
  const { low, medium, high, very_high } = c.levels;
  if (!(low <= medium && medium <= high && high <= very_high)) {
    issue(['levels'], 'levels must not decrease: low <= medium <= high <= very_high');
  }
  c.decay.steps.forEach((step, i) => {
    const prev = c.decay.steps[i - 1];
    if (!prev) return;
    if (step.days <= prev.days) {
      issue(['decay', 'steps', i, 'days'], `must be greater than the previous step's days (${prev.days})`);
    }
    if (step.factor > prev.factor) {
      issue(
        ['decay', 'steps', i, 'factor'],
        `must not exceed the previous step's factor (${prev.factor}): older counts less`,
      );
    }
  });
  if (c.tiers.medium >= c.tiers.high) {
    issue(['tiers', 'high'], `must be greater than tiers.medium (${c.tiers.medium})`);
  }
}

/** A config problem, with the JSON path it is at (`decay.steps[1].days`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

export type ParseConfigResult = { ok: true; config: ScoringConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates a scoring model (e.g. the body of `PUT /v1/config`). Never throws.
 * @example
 * const parsed = parseScoringConfig(body);
 * if (!parsed.ok) throw new InklingError(400, 'invalid_config', parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
 */
export function parseScoringConfig(input: unknown): ParseConfigResult {
  const result = scoringConfigSchema.safeParse(input);
  if (result.success) {
    // The model is stored as jsonb: a NUL or a lone surrogate in any name would fail the write.
    const bad = unstorablePath(result.data);
    if (!bad) return { ok: true, config: result.data };
    return { ok: false, issues: [{ path: formatPath(bad), message: 'must not contain NUL or lone surrogates' }] };
  }
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}
