import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { replaceConfig } from '../scoring/replace-config.ts';
import { jsonBody } from './json-body.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** `GET /v1/config` and `PUT /v1/config`: the site's scoring model (secret key). */
export function configRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.use('/v1/config', secretKeyAuth(db));

  app.get('/v1/config', async (c) => c.json(await configs.config(c.var.site.id)));

  /** Replaces the model after validating it, then rescores the site's people and accounts before answering. */
  app.put('/v1/config', async (c) => {
    const body = await jsonBody(c);
    const replaced = await replaceConfig(db, configs, c.var.site.id, body);
    if (!replaced.ok) {
      const message = replaced.issues
        .slice(0, 10)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ');
      return c.json({ error: { code: 'invalid_config', message }, issues: replaced.issues }, 400);
    }
    return c.json({ config: replaced.config, rescored: replaced.rescored });
  });

  return app;
}
