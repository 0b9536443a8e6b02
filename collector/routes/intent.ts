import { Hono } from 'hono';
import { z } from 'zod';
import type { IntentSource } from '../intent-cache.ts';
import type { SiteCache } from '../site-cache.ts';
import { type WriteKeyEnv, writeKeyAuth } from './write-key.ts';

export const intentQuerySchema = z.object({ anonymousId: z.string().min(1).max(256) });

/**
 * `GET /v1/intent?anonymousId=` with the write key (Basic username or `?key=`), for the
 * site's own pages (CORS for its origins). A visitor reads only what its own anonymous id
 * leads to (through a verified link; else its own events); an unknown id, or another site's
 * key, answers the neutral shape.
 */
export function intentRoutes(intentOf: IntentSource, sites: SiteCache): Hono<WriteKeyEnv> {
  const app = new Hono<WriteKeyEnv>();
  app.get('/v1/intent', writeKeyAuth(sites), async (c) => {
    const { site } = c.var;
    c.header('Cache-Control', 'no-store');
    const parsed = intentQuerySchema.safeParse({ anonymousId: c.req.query('anonymousId') });
    if (!parsed.success) {
      return c.json({ error: { code: 'invalid_query', message: 'anonymousId must be 1 to 256 characters.' } }, 400);
    }
    return c.json(await intentOf(site.id, parsed.data.anonymousId));
  });
  return app;
}
