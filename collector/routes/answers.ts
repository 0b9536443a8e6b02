import { z } from 'zod';
import { INTENT_TYPES, type Intent, TIERS, TRENDS } from '../../shared/intent.ts';

/**
 * The answers of the Sales API, admin and health routes as zod schemas, from which
 * `/openapi.json` is generated. Objects are closed (no other properties), and a test
 * validates real answers of every route against the generated document, so a field added to
 * or dropped from an answer without its schema fails the tests.
 */

const tier = z.enum(TIERS);
const trend = z.enum(TRENDS);
const intentType = z.enum(INTENT_TYPES);
const level = z.string().describe('low, medium, high, very_high or negative');
const isoTime = z.string().describe('ISO-8601 time');
const owner = z
  .string()
  .nullable()
  .describe(
    'The rep (email) alerts route to: set by PUT, or by the `owner` trait of identify (people) or group (accounts)',
  );
const cursor = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page');

/** What a page may learn about its own visitor (CONTRACT "Tier lookup"): the ingest answer's `intent` too. */
export const intentSchema = z.object({
  tier,
  score: z.number().int().min(0).max(100),
  type: intentType,
  trend,
  account: z.object({ tier, score: z.number().int().min(0).max(100) }).nullable(),
}) satisfies z.ZodType<Intent>;

export const explanationLine = z.object({
  signal: z.string(),
  label: z.string(),
  category: z.string(),
  level,
  count: z.number().describe('Occurrences inside the recency window'),
  points: z.number(),
  firstAt: isoTime.optional().describe('Earliest occurrence counted'),
  lastAt: isoTime.optional().describe('Latest occurrence counted'),
  contacts: z.number().optional().describe('Accounts: how many contacts have this signal'),
});

const scoreFields = {
  score: z.number().int().min(0).max(100),
  tier,
  trend,
  change7d: z.number().int().describe('Score now minus the score the same events gave 7 days ago'),
};

export const accountSummary = z.object({
  id: z.string(),
  groupId: z.string().nullable(),
  domain: z.string().nullable(),
  name: z.string().nullable(),
  owner,
  ...scoreFields,
});

export const personAnswer = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  anonymousIds: z.array(z.string()),
  email: z.string().nullable(),
  traits: z.record(z.string(), z.unknown()),
  owner,
  account: accountSummary.nullable(),
  ...scoreFields,
  type: intentType,
  explanation: z.array(explanationLine),
  nextChangeAt: isoTime.nullable().describe('When the score next changes as its signals age'),
});

export const personSummary = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  accountId: z.string().nullable(),
  owner,
  ...scoreFields,
  type: intentType,
});

export const accountAnswer = accountSummary.extend({
  traits: z.record(z.string(), z.unknown()),
  contacts: z.array(
    z.object({
      personId: z.string(),
      score: z.number(),
      tier,
      type: intentType,
      points: z.number(),
      engaged: z.boolean(),
    }),
  ),
  categories: z.record(z.string(), z.number()),
  explanation: z.array(explanationLine),
});

export const peoplePage = z.object({ data: z.array(personSummary), nextCursor: cursor });
export const accountsPage = z.object({ data: z.array(accountSummary), nextCursor: cursor });

export const timelineItem = z.object({
  id: z.string(),
  type: z.string(),
  event: z.string().nullable(),
  name: z.string().nullable(),
  path: z.string().nullable(),
  timestamp: z.string(),
  signal: z.string().nullable().describe('What the event counts as; null when it counts as nothing'),
  label: z.string().nullable(),
  category: z.string().nullable(),
  level: level.nullable(),
  points: z.number().nullable(),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
    .describe("The event's relevant properties (page url and title, clicked text, form fields, ...)"),
  derived: z
    .array(z.object({ signal: z.string(), label: z.string(), category: z.string(), points: z.number() }))
    .describe('Derived signals that arose at this event (3+ pages in a session, return visit, ...)'),
  person: z
    .object({ id: z.string(), userId: z.string().nullable(), email: z.string().nullable() })
    .optional()
    .describe('Account timelines: the contact'),
});
export const timelinePage = z.object({ data: z.array(timelineItem), nextCursor: cursor });

export const erasureAnswer = z.object({
  id: z.string(),
  erased: z.record(z.string(), z.number()).describe('Counts of what was removed or redacted'),
  kept: z.object({
    messageIds: z.number().describe('Tombstoned idempotency rows: they stop a retry from re-storing'),
    accounts: z.number().describe('Accounts with other contacts, rescored'),
  }),
});

export const siteCreatedAnswer = z.object({
  siteId: z.string(),
  name: z.string(),
  origins: z.array(z.string()),
  writeKey: z.string(),
  secretKey: z.string(),
  retentionDays: z.number().int().nullable().describe('Event retention in days; null = the global setting'),
});
export const siteAnswer = z.object({
  siteId: z.string(),
  name: z.string(),
  origins: z.array(z.string()),
  writeKey: z.string(),
  createdAt: isoTime,
  retentionDays: z.number().int().nullable().describe('Event retention in days; null = the global setting'),
});
export const sitesAnswer = z.object({ sites: z.array(siteAnswer) });
export const healthAnswer = z.object({ status: z.string(), database: z.string().optional() });

const conversionGroup = z.object({
  n: z.number().int().describe('Distinct subjects with a firing of this outcome'),
  converted: z.number().int().describe('Of those, the ones with the goal event within `days` after their first'),
  rate: z.number().nullable().describe('converted / n; null when n is 0'),
  interval: z
    .object({ low: z.number(), high: z.number() })
    .nullable()
    .describe('Wilson 95 % interval of the rate; null when n is 0'),
});
export const ruleStatsAnswer = z.object({
  fired: z.number().int().describe('Firings delivered through the outbox (outcome fired)'),
  delivered: z.number().int().describe('Deliveries (one per action, or per digest) delivered'),
  failed: z.number().int().describe('Deliveries still pending after at least one failed attempt'),
  deadLettered: z.number().int().describe('Deliveries given up'),
  capped: z.number().int().describe('Firings over a frequency cap (not delivered)'),
  heldOut: z.number().int().describe('Firings of held-out subjects (recorded, not delivered)'),
  pending: z.number().int().describe('Deliveries not attempted yet'),
  conversion: z.object({
    goal: z.string(),
    days: z.number().int(),
    fired: conversionGroup,
    heldOut: conversionGroup,
    lift: z.number().nullable().describe('Fired rate minus held-out rate; null unless both groups have subjects'),
  }),
});

const rate = z.object({
  n: z.number().int(),
  converted: z.number().int(),
  rate: z.number().nullable().describe('converted / n; null when n is 0'),
  interval: z
    .object({ low: z.number(), high: z.number() })
    .nullable()
    .describe('Wilson 95 % interval of the rate; null when n is 0'),
});
const tierRates = z.object({ high: rate, medium: rate, low: rate });
const tierConversion = z.object({
  overall: tierRates,
  byWeek: z.array(tierRates.extend({ week: isoTime })).describe('One line per weekly snapshot, oldest first'),
});
const rankingQuality = z.object({
  auc: z.number().nullable().describe('Area under the ROC curve; null when the test set has one class only'),
  topDecile: rate,
});
const tierCounts = z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() });
/** `GET /v1/calibration`: `CalibrationReport` (shared/calibration/report.ts). */
export const calibrationAnswer = z.object({
  generatedAt: isoTime,
  outcomes: z.object({ events: z.array(z.string()), windowDays: z.number().int() }),
  range: z.object({ from: isoTime, to: isoTime, weeks: z.number().int() }),
  sample: z.object({
    subjects: z.number().int(),
    observations: z.number().int(),
    converted: z.number().int(),
    events: z.number().int(),
  }),
  conversionByTier: z.object({ person: tierConversion, account: tierConversion }),
  signals: z.array(
    z.object({
      signal: z.string(),
      label: z.string(),
      category: z.string(),
      with: rate,
      without: rate,
      lift: z.number().nullable(),
      tooSmall: z.boolean().describe('A group under 30 observations or 5 conversions'),
    }),
  ),
  model: z
    .object({
      method: z.string(),
      splitAt: isoTime,
      train: z.object({ subjects: z.number().int(), observations: z.number().int(), converted: z.number().int() }),
      test: z.object({ subjects: z.number().int(), observations: z.number().int(), converted: z.number().int() }),
      current: rankingQuality,
      fitted: rankingQuality,
      uniform: rankingQuality,
      weights: z.array(
        z.object({
          signal: z.string(),
          label: z.string(),
          current: z.number(),
          fitted: z.number(),
          coefficient: z.number(),
        }),
      ),
      proposal: z.record(z.string(), z.unknown()).describe('A whole PUT /v1/config body; never applied automatically'),
    })
    .nullable(),
  modelSkipped: z.string().optional(),
  thresholds: z.object({
    targets: z.object({ high: z.number(), medium: z.number() }),
    current: z.object({ high: z.number().int(), medium: z.number().int(), subjects: tierCounts }),
    proposed: z.object({
      high: z.number().int().nullable(),
      medium: z.number().int().nullable(),
      subjects: tierCounts,
      conversion: z.object({ high: rate.nullable(), medium: rate.nullable() }),
    }),
  }),
  triggers: z.array(
    z.object({
      rule: z.object({ id: z.string(), name: z.string() }),
      goal: z.string(),
      days: z.number().int(),
      fired: rate,
      heldOut: rate,
      lift: z.number().nullable(),
    }),
  ),
});

/** `POST /v1/admin/sites/:siteId/users`: the new dashboard user (never the password or its hash). */
export const userCreatedAnswer = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'rep']),
});
