import { Hono } from 'hono';
import { z } from 'zod';
import { isStorableText } from '../../shared/text.ts';
import { DEFAULT_CONVERSION_DAYS, DEFAULT_GOAL, ruleStats } from '../alerts/stats.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { describeIssue } from '../ingest/schema.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** The query of `GET /v1/rules/:id/stats` (also documented in /openapi.json from this schema). */
export const ruleStatsQuerySchema = z.object({
  goal: z
    .string()
    .min(1)
    .max(200)
    .refine(isStorableText, 'goal must not contain NUL or lone surrogates')
    .optional()
    .describe(`The goal event; default the rule's stopWhen.event, else ${DEFAULT_GOAL}`),
  days: z
    .string()
    .regex(/^\d{1,4}$/, 'days must be an integer from 1 to 3650')
    .transform(Number)
    .pipe(z.number().int().min(1).max(3650))
    .optional()
    .describe(`Days after the first firing the goal still counts; 1 to 3650, default ${DEFAULT_CONVERSION_DAYS}`),
});

/** Longest rule id a lookup is tried for. */
const MAX_RULE_ID = 256;

/**
 * `GET /v1/rules/:id/stats` (secret key): how a rule's firings went (fired, delivered, failed,
 * dead-lettered, capped, held out) and whether its subjects reached the goal more often than
 * the held-out ones (see `alerts/stats.ts` for each definition).
 */
export function ruleStatsRoutes(db: Database): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/rules/:id/stats', secretKeyAuth(db), async (c) => {
    const query = ruleStatsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new InklingError(400, 'invalid_query', describeIssue(query.error));
    const id = c.req.param('id');
    const stats = id.length <= MAX_RULE_ID ? await ruleStats(db, c.var.site.id, id, query.data) : undefined;
    if (!stats) throw new InklingError(404, 'rule_not_found', `No rule ${id} on this site.`);
    return c.json(stats);
  });
  return app;
}
