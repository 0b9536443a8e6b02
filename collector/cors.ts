import type { MiddlewareHandler } from 'hono';
import type { SiteCache } from './site-cache.ts';

/**
 * Answers CORS preflights. A preflight carries no key, so it is allowed when some site
 * accepts the origin; the real request is then checked against its own site's origins
 * (ingest refuses an unlisted origin with 403 and stores nothing).
 */
export function preflight(sites: SiteCache): MiddlewareHandler {
  return async function corsPreflight(c, next) {
    const origin = c.req.header('origin');
    if (c.req.method !== 'OPTIONS' || !origin) return next();
    if (!(await sites.originKnown(origin))) {
      return c.json({ error: { code: 'origin_not_allowed', message: `Origin ${origin} is not allowed.` } }, 403);
    }
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', c.req.header('access-control-request-headers') ?? 'content-type');
    c.header('Access-Control-Max-Age', '86400');
    c.header('Vary', 'Origin, Access-Control-Request-Headers');
    return c.body(null, 204);
  };
}
