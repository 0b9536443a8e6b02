import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, readConfig } from './config.ts';

describe('readConfig limits', () => {
  it('should use the documented defaults when no limit is set', () => {
    expect(readConfig({}).limits).toEqual(DEFAULT_LIMITS);
  });

  it('should take limits from the environment, 0 switching a rate limit off', () => {
    const { limits } = readConfig({ INKLING_MAX_INFLIGHT_BYTES: '1048576', INKLING_RATE_LIMIT_PER_ADDRESS: '0' });
    expect(limits.maxInflightBytes).toBe(1_048_576);
    expect(limits.ratePerAddress).toBe(0);
  });

  it('should refuse to start with a limit that is not a whole number, or a zero timeout', () => {
    expect(() => readConfig({ INKLING_MAX_INFLIGHT_REQUESTS: 'lots' })).toThrow(/INKLING_MAX_INFLIGHT_REQUESTS/);
    expect(() => readConfig({ INKLING_REQUEST_TIMEOUT_MS: '0' })).toThrow(/INKLING_REQUEST_TIMEOUT_MS/);
  });
});

describe('readConfig switches', () => {
  it('should prepare statements unless INKLING_PREPARED_STATEMENTS turns it off, and refuse a typo', () => {
    expect(readConfig({}).preparedStatements).toBe(true);
    expect(readConfig({ INKLING_PREPARED_STATEMENTS: 'off' }).preparedStatements).toBe(false);
    expect(readConfig({ INKLING_PREPARED_STATEMENTS: 'on' }).preparedStatements).toBe(true);
    expect(() => readConfig({ INKLING_PREPARED_STATEMENTS: 'no' })).toThrow(/INKLING_PREPARED_STATEMENTS/);
  });
});
