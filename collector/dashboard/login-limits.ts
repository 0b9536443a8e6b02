import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { LoginLimits } from './context.ts';

/** Sign-in attempts counted per email and per client address (in memory, per process). */
export interface LoginThrottle {
  /** Counts one attempt; answers the seconds to wait when either count is over its limit, else 0. */
  attempt(email: string, address: string | undefined): Promise<number>;
  /** Forgets the email's failures after a good sign-in. */
  succeeded(email: string): Promise<void>;
}

export function createLoginThrottle(limits: LoginLimits): LoginThrottle {
  const make = (points: number) =>
    points > 0 ? new RateLimiterMemory({ points, duration: limits.windowSeconds, keyPrefix: '' }) : undefined;
  const byEmail = make(limits.perEmail);
  const byAddress = make(limits.perAddress);
  const consume = async (limiter: RateLimiterMemory | undefined, key: string): Promise<number> => {
    if (!limiter) return 0;
    try {
      await limiter.consume(key);
      return 0;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  };
  return {
    async attempt(email, address) {
      const a = address ? await consume(byAddress, address) : 0;
      const e = await consume(byEmail, email.trim().toLowerCase());
      return Math.max(a, e);
    },
    async succeeded(email) {
      await byEmail?.delete(email.trim().toLowerCase());
    },
  };
}
