import type { MiddlewareHandler } from 'hono';
import type { Site } from '../db/schema.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { InklingError, RETRY_AFTER_SECONDS } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { SiteCache } from '../site-cache.ts';
import { originAllowed } from '../sites.ts';

export type WriteKeyEnv = {
  Variables: {
    site: Site;
    /** Sent with the secret key, which never reaches a page: what it says about identity is trusted. */
    trusted: boolean;
    /** The JSON body, when a middleware before this one read it (ingest): its `writeKey` counts. */
    body?: Record<string, unknown>;
  };
};

export interface WriteKeyOptions {
  /** Counts the key lookups that failed on the database (ingest). */
  metrics?: Pick<Metrics, 'databaseErrors'>;
}

/**
 * Requires the site's write key, or its secret key in its place (server-side libraries), from
 * Basic auth (username), the body's `writeKey` (when `c.var.body` is set) or `?key=`, in that
 * order; then refuses a browser origin the site does not list (403) and allows the listed one
 * (CORS). Sets `c.var.site` and `c.var.trusted`. A missing or unknown key answers 401; a key
 * lookup the database cannot answer, 503.
 */
export function writeKeyAuth(sites: SiteCache, options: WriteKeyOptions = {}): MiddlewareHandler<WriteKeyEnv> {
  return async function requireWriteKey(c, next) {
    const key =
      basicUser(c.req.header('authorization')) ?? stringOrUndefined(c.var.body?.writeKey) ?? c.req.query('key');
    if (!key) {
      throw new InklingError(401, 'missing_key', 'Send the write key as Basic auth username, `writeKey`, or `?key=`.');
    }
    const trusted = key.startsWith('sk_');
    let site: Site | undefined;
    try {
      if (key.length <= 256) site = await (trusted ? sites.bySecretKey(key) : sites.byWriteKey(key));
    } catch (err) {
      options.metrics?.databaseErrors.inc({ kind: isDatabaseUnavailable(err) ? 'unavailable' : 'query' });
      throw new InklingError(503, 'unavailable', 'The database is unavailable; retry later.', {
        'Retry-After': RETRY_AFTER_SECONDS,
      });
    }
    if (!site) throw new InklingError(401, 'unknown_key', `The ${trusted ? 'secret' : 'write'} key is not known.`);
    const origin = c.req.header('origin');
    if (origin) {
      if (!originAllowed(site, origin)) {
        throw new InklingError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for this site.`);
      }
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    c.set('site', site);
    c.set('trusted', trusted);
    await next();
  };
}

function basicUser(header: string | undefined): string | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user || undefined;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
