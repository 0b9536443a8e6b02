import type { MiddlewareHandler } from 'hono';
import { InklingError } from './errors.ts';

/** NUL: PostgreSQL's text and jsonb refuse it, so no id, slug or parameter may carry one. */
const NUL = /\u0000/;

/**
 * Answers 400 `invalid_request` when the decoded path or any decoded query parameter
 * (name or value) holds a NUL, before a route hands it to the database (which would fail
 * the query: a 500). One place for every route, present and future.
 */
export function rejectNulInUrl(): MiddlewareHandler {
  return async function nulInUrl(c, next) {
    const url = new URL(c.req.url);
    if (NUL.test(decodePath(url.pathname)) || hasNul(url.searchParams)) {
      throw new InklingError(400, 'invalid_request', 'The path and query must not contain NUL (%00).');
    }
    await next();
  };
}

/** Each segment decoded as the router decodes parameters; a malformed escape stays as sent. */
function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function hasNul(params: URLSearchParams): boolean {
  for (const [name, value] of params) if (NUL.test(name) || NUL.test(value)) return true;
  return false;
}
