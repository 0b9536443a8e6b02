import type { MiddlewareHandler } from 'hono';
import { InklingError } from '../errors.ts';

/** What the ingest gate holds right now (for tests and logs). */
export interface InflightGauge {
  readonly requests: number;
  readonly bytes: number;
}

/**
 * Bounds the ingest work in flight: at most `maxRequests` requests and `maxBytes` body
 * bytes at once. A request reserves its declared Content-Length (or `bodyLimit` when it
 * declares none) **before** its body is read, and frees it when answered; one that does
 * not fit is answered 429 with Retry-After at once, its body unread.
 */
export function inflightGate(options: {
  maxRequests: number;
  maxBytes: number;
  /** The most a request may send (a body without Content-Length reserves this much). */
  bodyLimit: (path: string) => number;
}): { gate: MiddlewareHandler; gauge: InflightGauge } {
  let requests = 0;
  let bytes = 0;
  const gauge = {
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
  };

  const gate: MiddlewareHandler = async function inflightGate(c, next) {
    const limit = options.bodyLimit(c.req.path);
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    // A body over the route's limit is refused (413) without being read: it reserves nothing more.
    const reserve = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
    if (requests + 1 > options.maxRequests || bytes + reserve > options.maxBytes) {
      throw new InklingError(429, 'overloaded', 'The collector is busy; retry shortly.', { 'Retry-After': '1' });
    }
    requests++;
    bytes += reserve;
    try {
      await next();
    } finally {
      requests--;
      bytes -= reserve;
    }
  };
  return { gate, gauge };
}
