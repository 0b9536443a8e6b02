import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/client.ts';
import type { Site } from '../db/schema.ts';
import { InklingError } from '../errors.ts';
import { findSiteBySecretKey } from '../sites.ts';

export type SecretKeyEnv = { Variables: { site: Site } };

/**
 * Requires `Authorization: Bearer sk_...` (the site's secret key) and sets `c.var.site`.
 * A write key, another scheme or an unknown key answer 401.
 */
export function secretKeyAuth(db: Database): MiddlewareHandler<SecretKeyEnv> {
  return async function requireSecretKey(c, next) {
    const header = c.req.header('authorization') ?? '';
    const key = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    if (!key.startsWith('sk_')) {
      throw new InklingError(401, 'unauthorized', 'Send the secret key: Authorization: Bearer sk_...');
    }
    const site = await findSiteBySecretKey(db, key);
    if (!site) throw new InklingError(401, 'unknown_key', 'The secret key is not known.');
    c.set('site', site);
    await next();
  };
}
