/**
 * When a failed delivery is tried again (the dispatcher's retry policy, pure): exponential
 * backoff with full jitter, or what the receiver asked for with `Retry-After`.
 */

export interface Backoff {
  /** The first retry's longest wait. @default 10000 */
  baseMs: number;
  /** No wait is longer than this (before `Retry-After`). @default 3600000 */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 10_000, maxMs: 3_600_000 };

/**
 * The wait before retry number `attempt` (1 after the first failure): a uniform draw in
 * [0, min(maxMs, baseMs * 2^(attempt-1))) ("full jitter", so that many failed deliveries
 * to one endpoint do not come back all at once). `random` is in [0, 1).
 */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.floor(random * ceiling);
}

/**
 * The wait a `Retry-After` header asks for: delay-seconds (`120`) or an HTTP date, as
 * milliseconds from `now` (0 for a date in the past); null when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its day and zone ("Wed, 21 Oct 2015 07:28:00 GMT").
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** What an answer means for a delivery. */
export type AnswerOutcome = 'delivered' | 'gone' | 'retry';

/**
 * 2xx: delivered. 410 Gone: the endpoint is gone for good (dead at once, the rule turned
 * off). Everything else, redirects and other 4xx included, is retried: a receiver that
 * answers 400 or 404 is often a deploy in progress, and the give-up time bounds it.
 */
export function answerOutcome(status: number): AnswerOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}

export type NextStep = { status: 'pending'; nextAttemptAt: number } | { status: 'dead' };

/**
 * After a failed attempt number `attempts` at `now`: retry at the receiver's `Retry-After`
 * when it sent one, else after the backoff; dead when that is at or past `giveUpAt`.
 */
export function nextStep(
  attempts: number,
  now: number,
  giveUpAt: number,
  backoff: Backoff,
  random: number,
  retryAfter: number | null,
): NextStep {
  const wait = retryAfter ?? backoffDelayMs(attempts, backoff, random);
  const at = now + wait;
  return at >= giveUpAt ? { status: 'dead' } : { status: 'pending', nextAttemptAt: at };
}
