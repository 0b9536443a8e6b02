import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InklingError } from '../errors.ts';

/** The two ingest rate limits: per write key (site) and per client address. */
export interface RateLimits {
  /** Counts one request of this client address; throws 429 when it is over its limit. */
  address(address: string | undefined): Promise<void>;
  /** Counts one request for this site; throws 429 when it is over its limit. */
  site(siteId: string): Promise<void>;
}

/**
 * In-memory fixed windows (rate-limiter-flexible), so they hold per process: behind N
 * processes a client gets up to N times the limit. A limit of 0 is off.
 */
export function createRateLimits(options: { perKey: number; perAddress: number; windowSeconds: number }): RateLimits {
  const byKey = limiter(options.perKey, options.windowSeconds, 'the write key');
  const byAddress = limiter(options.perAddress, options.windowSeconds, 'this client address');
  return {
    async address(address) {
      if (address) await byAddress?.(address);
    },
    async site(siteId) {
      await byKey?.(siteId);
    },
  };
}

function limiter(points: number, duration: number, who: string) {
  if (points <= 0) return undefined;
  const memory = new RateLimiterMemory({ points, duration });
  return async function consume(key: string): Promise<void> {
    try {
      await memory.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new InklingError(
        429,
        'rate_limited',
        `Too many requests for ${who}: at most ${points} every ${duration} s; retry in ${seconds} s.`,
        { 'Retry-After': String(seconds) },
      );
    }
  };
}
