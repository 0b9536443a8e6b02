import type { MiddlewareHandler } from 'hono';
import { InklingError } from './errors.ts';

/**
 * A NUL in the URL: `%00` (percent-decoding yields U+0000 from nothing else: the overlong
 * `%C0%80` is not UTF-8) or a raw one. Checked on the URL as sent, because the router decodes
 * each valid escape on its own, even beside a malformed one (`%80%00`).
 */
const NUL = /%00|\u0000/;

/**
 * Answers 400 `invalid_request` when the path or the query holds a NUL, before a route hands
 * it to the database: PostgreSQL's text and jsonb refuse it, so no id, slug or parameter may
 * carry one (the query would fail: a 500). One place for every route, present and future.
 */
export function rejectNulInUrl(): MiddlewareHandler {
  return async function nulInUrl(c, next) {
    const url = c.req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const hash = url.indexOf('#');
    const pathAndQuery = start < 0 ? '' : url.slice(start, hash < 0 ? undefined : hash);
    if (NUL.test(pathAndQuery)) {
      throw new InklingError(400, 'invalid_request', 'The path and query must not contain NUL (%00).');
    }
    await next();
  };
}
