import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { InklingError } from '../errors.ts';

/** The largest body the Sales API and the admin API accept (a scoring config is far smaller). */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a Sales/admin body over `maxSize` with 413 and the JSON error: at once when its
 * Content-Length says so, else as soon as the bytes read pass the limit (never read whole).
 * Requests that `skip` names (ingest, which reads its own body within its own limits) pass.
 */
export function apiBodyLimit(skip: (method: string, path: string) => boolean, maxSize = MAX_API_BODY_BYTES) {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new InklingError(413, 'payload_too_large', `Body exceeds ${Math.round(maxSize / 1024)} KB.`);
    },
  });
  const middleware: MiddlewareHandler = async function apiBodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || skip(c.req.method, c.req.path)) return next();
    return limit(c, next);
  };
  return middleware;
}
