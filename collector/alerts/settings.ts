import { type Backoff, DEFAULT_BACKOFF } from '../../shared/rules/retry.ts';
import { DEFAULT_GIVE_UP_MS } from './outbox.ts';

/** How the dispatcher delivers firings (README "Webhooks"). */
export interface DeliverySettings {
  /**
   * How long after a firing its deliveries are tried before they are dead-lettered
   * (`INKLING_DELIVERY_GIVE_UP_HOURS`). @default 86400000 (24 h)
   */
  giveUpMs: number;
  /** The retry backoff (full jitter). @default DEFAULT_BACKOFF (10 s doubling up to 1 h) */
  backoff: Backoff;
  /** One attempt's whole request, answer included. @default 10000 */
  timeoutMs: number;
  /**
   * How long a claimed delivery stays this process's: a process that dies mid-delivery
   * delays it by at most this. Longer than `timeoutMs`. @default 60000
   */
  leaseMs: number;
  /**
   * The safety-net poll for deliveries this process was not told of (another process's,
   * when no score-change notice woke it; a retry that came due). @default 5000
   */
  pollMs: number;
  /** Deliveries claimed, and sent concurrently, at a time. @default 10 */
  batch: number;
  /** How often digest rules are checked for a due digest. @default 60000 */
  digestIntervalMs: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  giveUpMs: DEFAULT_GIVE_UP_MS,
  backoff: DEFAULT_BACKOFF,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  pollMs: 5_000,
  batch: 10,
  digestIntervalMs: 60_000,
};

/**
 * Whether this collector process delivers (`INKLING_DELIVERY`: `on`, the default, or `off`).
 * Off, it still evaluates rules and writes their firings to the outbox in the scoring
 * transactions; a delivery worker (`npm run inkling -- deliver`) on the same PostgreSQL sends
 * them. A bad value stops the start.
 */
export function readDeliveryEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.INKLING_DELIVERY ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`INKLING_DELIVERY must be "on" or "off", got ${JSON.stringify(env.INKLING_DELIVERY)}`);
}

/** The settings the environment changes (`INKLING_DELIVERY_GIVE_UP_HOURS`); a bad value stops the start. */
export function readDeliverySettings(env: NodeJS.ProcessEnv = process.env): Partial<DeliverySettings> {
  const raw = env.INKLING_DELIVERY_GIVE_UP_HOURS;
  if (raw === undefined || raw === '') return {};
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) {
    throw new Error(
      `INKLING_DELIVERY_GIVE_UP_HOURS must be a number of hours above 0 and up to 720, got ${JSON.stringify(raw)}`,
    );
  }
  return { giveUpMs: Math.round(hours * 3_600_000) };
}
