import { z } from 'zod';
import { TIERS } from '../../shared/intent.ts';
import { MAX_BEHAVIOR_DAYS } from '../../shared/rules/behavior.ts';
import { DURATION_PATTERN } from '../../shared/rules/duration.ts';
import type { RuleDefinition } from '../../shared/rules/types.ts';
import { isStorableText } from '../../shared/text.ts';

/**
 * `POST /v1/rules` and `PUT /v1/rules/:id` bodies (CONTRACT "Rules") and the rule answer.
 * Objects are strict: a misspelt field (`stopwhen`) is a 400, not a rule silently without it.
 */

const text = (max: number, what: string) =>
  z.string().min(1).max(max).refine(isStorableText, `${what} must not contain NUL or lone surrogates`);
const tier = z.enum(TIERS);
const points = z.number().int().min(1).max(100);
const duration = z
  .string()
  .regex(DURATION_PATTERN, 'a period like "30m", "24h" or "7d"')
  .describe('A period: minutes, hours or days ("30m", "24h", "7d")');
const url = z
  .string()
  .max(2048)
  .refine(isStorableText, 'url must not contain NUL or lone surrogates')
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'url must be an http(s) URL');

/** A rep alerts route to, named as an owner is (`shared/owner.ts`): an email, stored trimmed and lowercase. */
const rep = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'a rep must be an email address' }).max(254));

const when = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('threshold'),
    tier: tier.optional().describe('Fires when the subject crosses into this tier (or higher) from below'),
    score: z.number().int().min(1).max(100).optional().describe('Fires when the score crosses this upwards'),
  }),
  z.strictObject({
    type: z.literal('spike'),
    points,
    hours: z.number().int().min(1).max(720).optional().describe('Window (default 24)'),
  }),
  z.strictObject({
    type: z.literal('signal'),
    signal: text(200, 'signal').describe("A signal id of the site's scoring model"),
    tiers: z
      .array(tier)
      .min(1)
      .max(3)
      .optional()
      .describe("Only for subjects in these tiers (after the signal's change)"),
  }),
  z.strictObject({
    type: z.literal('cooling'),
    below: z.number().int().min(1).max(100).optional().describe('Fires when the score drops below this'),
    points: points.optional().describe('Fires when the score falls this far under its high of the window'),
    days: z.number().int().min(1).max(90).optional().describe('Window for `points` (default 7)'),
  }),
  z.strictObject({
    type: z.literal('behavior'),
    event: text(200, 'event').optional().describe('A track event name'),
    signal: text(200, 'signal').optional().describe("Or a signal id of the site's scoring model"),
    where: z
      .record(
        text(200, 'a where key'),
        z.union([
          z.string().max(1000).refine(isStorableText, 'a where value must not contain NUL or lone surrogates'),
          z.number(),
          z.boolean(),
        ]),
      )
      .refine((w) => Object.keys(w).length <= 20, 'at most 20 properties')
      .optional()
      .describe('Event properties that must equal these values'),
    times: z.number().int().min(1).max(1000),
    days: z
      .number()
      .int()
      .min(1)
      .max(MAX_BEHAVIOR_DAYS)
      .describe(`Window in days (at most ${MAX_BEHAVIOR_DAYS}: the events scoring loads cover it)`),
    tier: tier.optional().describe('And the subject is in this tier or higher'),
    notTier: tier.optional().describe('And the subject is below this tier'),
  }),
]);

const action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), url }),
  z.strictObject({ type: z.literal('slack'), url: url.describe('A Slack incoming-webhook URL') }),
]);

const ruleFields = {
  name: text(200, 'name'),
  subject: z.enum(['person', 'account']),
  when,
  actions: z.array(action).min(1).max(10),
  cap: z
    .strictObject({
      within: duration.optional(),
      max: z.number().int().min(1).max(10_000).optional().describe('Firings per subject within `within` (default 1)'),
      lifetime: z.number().int().min(1).max(1_000_000).optional().describe('Firings per subject in all'),
    })
    .optional(),
  holdout: z.number().min(0).max(1).optional().describe('Share of subjects held out (recorded, never delivered)'),
  stopWhen: z.strictObject({ event: text(200, 'event') }).optional(),
  route: z
    .strictObject({
      to: z.literal('owner').optional(),
      // Reps are named as owners are: by email (stored trimmed and lowercase).
      roundRobin: z.array(rep).min(1).max(100).optional(),
      fallback: rep.optional(),
    })
    .optional(),
  digest: z.strictObject({ every: duration }).optional().describe('One message per period instead of one per firing'),
};

export const ruleInputSchema = z
  .strictObject({ ...ruleFields, enabled: z.boolean().optional() })
  .superRefine((rule, ctx) => {
    const w = rule.when;
    if (w.type === 'threshold' && w.tier === undefined && w.score === undefined) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'a threshold needs `tier` or `score`' });
    }
    if (w.type === 'cooling' && w.below === undefined && w.points === undefined) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'cooling needs `below` or `points`' });
    }
    if (w.type === 'behavior' && (w.event === undefined) === (w.signal === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'a behavior needs one of `event` or `signal`' });
    }
    if (w.type === 'behavior' && w.signal !== undefined && w.where !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['when', 'where'], message: '`where` applies to an `event`' });
    }
    if (rule.cap && rule.cap.within === undefined && rule.cap.lifetime === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cap'], message: 'a cap needs `within` or `lifetime`' });
    }
  }) satisfies z.ZodType<RuleDefinition>;

const isoTime = z.string().describe('ISO-8601 time');

/** A rule as the API answers it: its definition, id, signing secret and state. */
export const ruleAnswer = z.strictObject({
  id: z.string(),
  ...ruleFields,
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe('Why the collector turned it off (an endpoint that kept failing)'),
  secret: z.string().describe('Signs its webhooks (Standard Webhooks, whsec_...)'),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const rulesAnswer = z.object({ rules: z.array(ruleAnswer) });
