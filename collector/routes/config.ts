import { Hono } from 'hono';
import { parseScoringConfig } from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { rescore } from '../scoring/rescore.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** `GET /v1/config` and `PUT /v1/config`: the site's scoring model (secret key). */
export function configRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.use('/v1/config', secretKeyAuth(db));

  app.get('/v1/config', async (c) => c.json(await configs.config(c.var.site.id)));

  /** Replaces the model after validating it, then rescores the site's people and accounts before answering. */
  app.put('/v1/config', async (c) => {
    const body = await c.req.json().catch(() => {
      throw new InklingError(400, 'invalid_json', 'Body is not valid JSON.');
    });
    const parsed = parseScoringConfig(body);
    if (!parsed.ok) {
      const message = parsed.issues
        .slice(0, 10)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ');
      return c.json({ error: { code: 'invalid_config', message }, issues: parsed.issues }, 400);
    }
    await configs.save(c.var.site.id, parsed.config);
    const rescored = await rescore(db, configs, { siteId: c.var.site.id, all: true });
    return c.json({ config: parsed.config, rescored });
  });

  return app;
}
