import type { MiddlewareHandler } from 'hono';
import { InklingError } from '../errors.ts';

/** What the ingest gate holds right now (for tests and logs). */
export interface InflightGauge {
  readonly requests: number;
  readonly bytes: number;
  /** How many requests it admits at once now (adapts to the observed store latency). */
  readonly limit: number;
}

export interface InflightGate {
  gate: MiddlewareHandler;
  gauge: InflightGauge;
  /** Reports how long an admitted request waited for its rows to be stored and scored. */
  observe(ms: number): void;
}

/** The fewest requests the gate admits at once, so that group commit still batches. */
const MIN_LIMIT = 4;

/**
 * Bounds the ingest work in flight: at most `limit` requests and `maxBytes` body bytes at
 * once. A request reserves its declared Content-Length (or `bodyLimit` when it declares
 * none) **before** its body is read, and frees it when answered; one that does not fit is
 * answered 429 with Retry-After at once, its body unread.
 *
 * Why adaptive: an accepted request waits about (requests in flight) / (throughput), and
 * throughput varies tenfold (scoring on or off, a busy machine). So `limit` starts at
 * `initialRequests` and doubles with each store faster than half of `targetMs` until a store
 * is slow (slow start: a burst on a cold collector is not all admitted at once, to wait for
 * its slow first groups); then it drops by a quarter (at most once per `targetMs`) when a
 * store takes longer than `targetMs`, and grows by one for each store faster than half of it,
 * never past `maxRequests`.
 */
export function inflightGate(options: {
  maxRequests: number;
  /** Where the bound starts. @default maxRequests */
  initialRequests?: number;
  maxBytes: number;
  targetMs: number;
  /** The most a request may send (a body without Content-Length reserves this much). */
  bodyLimit: (path: string) => number;
  now?: () => number;
}): InflightGate {
  const now = options.now ?? Date.now;
  const floor = Math.min(MIN_LIMIT, options.maxRequests);
  let limit = Math.max(floor, Math.min(options.maxRequests, options.initialRequests ?? options.maxRequests));
  let slowStart = limit < options.maxRequests;
  let lastDecrease = Number.NEGATIVE_INFINITY;
  let requests = 0;
  let bytes = 0;

  const gate: MiddlewareHandler = async function inflightGate(c, next) {
    const most = options.bodyLimit(c.req.path);
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    // A body over the route's limit is refused (413) without being read: it reserves nothing more.
    const reserve = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, most) : most;
    if (requests + 1 > limit || bytes + reserve > options.maxBytes) {
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

  return {
    gate,
    gauge: {
      get requests() {
        return requests;
      },
      get bytes() {
        return bytes;
      },
      get limit() {
        return limit;
      },
    },
    observe(ms) {
      if (ms > options.targetMs) {
        const at = now();
        // Requests admitted before a decrease report late: one decrease per target period.
        if (at - lastDecrease < options.targetMs) return;
        lastDecrease = at;
        slowStart = false;
        limit = Math.max(floor, Math.floor(limit * 0.75));
      } else if (ms <= options.targetMs / 2) {
        limit = Math.min(options.maxRequests, slowStart ? limit * 2 : limit + 1);
      }
    },
  };
}
