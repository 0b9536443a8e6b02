import { Hono } from 'hono';
import { z } from 'zod';
import { isStorableText } from '../../shared/text.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { tokensEqual } from '../keys.ts';
import { createSite, listSites } from '../sites.ts';

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

export const siteInputSchema = z.object({
  name: z.string().trim().min(1).max(100).refine(isStorableText, 'must not contain NUL or lone surrogates'),
  origins: z.array(originSchema).max(50).default([]),
});

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
    const body = await c.req.json().catch(() => {
      throw new InklingError(400, 'invalid_json', 'Body is not valid JSON.');
    });
    const input = siteInputSchema.safeParse(body);
    if (!input.success) {
      const issue = input.error.issues[0];
      throw new InklingError(400, 'invalid_site', `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
    }
    const site = await createSite(db, input.data.name, input.data.origins);
    return c.json(site, 201);
  });

  app.get('/v1/admin/sites', async (c) => {
    const rows = await listSites(db);
    return c.json({
      sites: rows.map((s) => ({
        siteId: s.id,
        name: s.name,
        origins: s.origins,
        writeKey: s.writeKey,
        createdAt: s.createdAt,
      })),
    });
  });

  return app;
}
