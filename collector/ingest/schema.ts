import { z } from 'zod';

/**
 * The Segment message schema, with explicit bounds on every field. Types are derived
 * from it; the collector never trusts a field it has not validated here.
 */

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

/** "is required" for a missing field, else "must be <what>". */
const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
});

/** Ids may arrive as numbers from loosely typed clients; they are stored as strings. */
const id = z
  .union([z.string(), z.number().finite()], expected('a string'))
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'));

const isoTime = z
  .string(expected('an ISO-8601 date string'))
  .max(64)
  .refine((s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME;
  }, 'must be an ISO-8601 date between 2000 and 2100');

/**
 * A free-form object (context, properties, traits): zod's own plain-object test, as its
 * `z.record(z.string(), z.unknown())` makes, without copying every key and value (a third of
 * the message's validation); the keys of parsed JSON are strings already.
 */
const object = z
  .custom<Record<string, unknown>>((v) => z.core.util.isPlainObject(v), expected('an object'))
  // A custom test has no JSON Schema of its own: /openapi.json must still say "object".
  .meta({ type: 'object' });

const base = {
  messageId: id.nullish(),
  anonymousId: id.nullish(),
  userId: id.nullish(),
  timestamp: isoTime.nullish(),
  sentAt: isoTime.nullish(),
  context: object.nullish(),
  properties: object.nullish(),
  traits: object.nullish(),
};

const track = z.object({
  ...base,
  type: z.literal('track'),
  event: z.string(expected('a string')).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
});
const page = z.object({
  ...base,
  type: z.literal('page'),
  name: z.string().max(500).nullish(),
  category: z.string().max(200).nullish(),
});
const screen = z.object({ ...base, type: z.literal('screen'), name: z.string().max(500).nullish() });
const identify = z.object({ ...base, type: z.literal('identify') });
const group = z.object({ ...base, type: z.literal('group'), groupId: id });
const alias = z.object({ ...base, type: z.literal('alias'), previousId: id, userId: id });

export const messageSchema = z
  .discriminatedUnion('type', [track, page, screen, identify, group, alias], {
    error: 'type must be one of track, page, screen, identify, group, alias',
  })
  .refine((m) => m.anonymousId != null || m.userId != null, {
    message: 'anonymousId or userId is required',
    path: ['anonymousId'],
  });

export type ValidMessage = z.infer<typeof messageSchema>;

export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown(), 'batch must be an array of messages'),
  sentAt: isoTime.nullish(),
  writeKey: z.string().max(256).nullish(),
  context: object.nullish(),
});

/** First issue of a failed parse as `path: message`, for the `rejected` list. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
