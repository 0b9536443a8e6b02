import { Hono } from 'hono';
import { z } from 'zod';
import { isStorableText } from '../../shared/text.ts';
import { createUser, userInputSchema } from '../dashboard/users.ts';
import type { Database } from '../db/client.ts';
import { MIN_RETENTION_DAYS } from '../db/retention.ts';
import { InklingError } from '../errors.ts';
import { tokensEqual } from '../keys.ts';
import { createSite, listSites, setSiteRetention, summarizeSite } from '../sites.ts';
import { jsonBody } from './json-body.ts';

export const originSchema = z
  .string()
  .max(255)
  .refine((o) => {
    if (o === '*') return true;
    try {
      return new URL(o).origin === o;
    } catch {
      return false;
    }
  }, 'each origin must look like https://example.com (scheme, host, optional port; no path) or be *');

/**
 * A site's event retention in days (null = the global setting, by default keep everything).
 * Never under `MIN_RETENTION_DAYS`: the scoring model still reads events that old.
 */
export const retentionDaysSchema = z
  .number()
  .int('must be a whole number of days')
  .min(
    MIN_RETENTION_DAYS,
    `must be at least ${MIN_RETENTION_DAYS} days: the default scoring model reads events up to ${MIN_RETENTION_DAYS} days old`,
  )
  .max(36_500)
  .nullable();

export const siteInputSchema = z.object({
  name: z.string().trim().min(1).max(100).refine(isStorableText, 'must not contain NUL or lone surrogates'),
  origins: z.array(originSchema).max(50).default([]),
  retentionDays: retentionDaysSchema.default(null),
});

/** `PATCH /v1/admin/sites/:siteId`: the settings that can change after creation. */
export const siteUpdateSchema = z.object({ retentionDays: retentionDaysSchema });

function parseBody<T>(schema: z.ZodType<T>, body: unknown, code = 'invalid_site'): T {
  const input = schema.safeParse(body);
  if (input.success) return input.data;
  const issue = input.error.issues[0];
  throw new InklingError(400, code, `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
}

/** The admin API; mounted only when INKLING_ADMIN_TOKEN is set. */
export function adminRoutes(db: Database, token: string): Hono {
  const app = new Hono();

  app.use('/v1/admin/*', async function requireAdmin(c, next) {
    const header = c.req.header('authorization') ?? '';
    const presented = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (!presented || !tokensEqual(presented, token)) {
      throw new InklingError(401, 'unauthorized', 'Send Authorization: Bearer <INKLING_ADMIN_TOKEN>.');
    }
    await next();
  });

  app.post('/v1/admin/sites', async (c) => {
    const input = parseBody(siteInputSchema, await jsonBody(c));
    const site = await createSite(db, input.name, input.origins, { retentionDays: input.retentionDays });
    return c.json(site, 201);
  });

  app.get('/v1/admin/sites', async (c) => {
    const rows = await listSites(db);
    return c.json({ sites: rows.map(summarizeSite) });
  });

  app.patch('/v1/admin/sites/:siteId', async (c) => {
    const input = parseBody(siteUpdateSchema, await jsonBody(c));
    const site = await setSiteRetention(db, c.req.param('siteId'), input.retentionDays);
    if (!site) throw new InklingError(404, 'not_found', 'No such site.');
    return c.json(site);
  });

  // A dashboard user of the site (CONTRACT "Dashboard users"); 409 when the email is taken there.
  app.post('/v1/admin/sites/:siteId/users', async (c) => {
    const input = parseBody(userInputSchema, await jsonBody(c), 'invalid_user');
    const user = await createUser(db, c.req.param('siteId'), input);
    return c.json({ id: user.id, email: user.email, name: user.name, role: user.role }, 201);
  });

  return app;
}
