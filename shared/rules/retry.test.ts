import { describe, expect, it } from 'vitest';
import { answerOutcome, backoffDelayMs, DEFAULT_BACKOFF, nextStep, retryAfterMs } from './retry.ts';

const backoff = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelayMs', () => {
  it('should double the longest wait with each attempt, up to the maximum', () => {
    // random just below 1: the ceiling itself (floored).
    const top = (attempt: number) => backoffDelayMs(attempt, backoff, 0.999_999);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(top)).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999]);
  });

  it('should draw the wait uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, backoff, 0)).toBe(0);
    expect(backoffDelayMs(3, backoff, 0.5)).toBe(2000);
    expect(backoffDelayMs(3, backoff, 0.25)).toBe(1000);
  });

  it('should not overflow for a huge attempt count', () => {
    expect(backoffDelayMs(10_000, DEFAULT_BACKOFF, 0.5)).toBe(1_800_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-30T10:00:00Z');
  it('should read delay-seconds', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
  });
  it('should read an HTTP date, a past one as no wait', () => {
    expect(retryAfterMs('Mon, 30 Nov 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('should ignore what is absent or unreadable', () => {
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
    expect(retryAfterMs('1.5', now)).toBeNull();
  });
});

describe('answerOutcome', () => {
  it('should count 2xx as delivered, 410 as gone and everything else as a retry', () => {
    expect([200, 201, 204, 299].map(answerOutcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(answerOutcome(410)).toBe('gone');
    expect([301, 400, 404, 408, 429, 500, 503].map(answerOutcome)).toEqual(Array(7).fill('retry'));
  });
});

describe('nextStep', () => {
  const now = 1_000_000;
  it('should retry after the backoff, or after Retry-After when sent', () => {
    expect(nextStep(1, now, now + 100_000, backoff, 0.5, null)).toEqual({
      status: 'pending',
      nextAttemptAt: now + 500,
    });
    expect(nextStep(1, now, now + 100_000, backoff, 0.5, 30_000)).toEqual({
      status: 'pending',
      nextAttemptAt: now + 30_000,
    });
  });
  it('should give up when the next attempt would be at or past the give-up time', () => {
    expect(nextStep(1, now, now + 500, backoff, 0.5, null)).toEqual({ status: 'dead' });
    expect(nextStep(1, now, now + 100_000, backoff, 0, 200_000)).toEqual({ status: 'dead' });
  });
});
