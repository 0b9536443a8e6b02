import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { classify, DatabaseUnavailableError, isConnectionFailure, isDatabaseUnavailable } from './unavailable.ts';

const serverError = (code: string) => Object.assign(new pg.DatabaseError('server says no', 0, 'error'), { code });
const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('which database errors mean "unavailable, retry later"', () => {
  it('should count refused, reset and timed-out sockets, and node-postgres connection errors', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']) {
      expect(isConnectionFailure(socketError(code)), code).toBe(true);
    }
    // node-postgres's own: a terminated connection, a connect or query timeout.
    expect(isConnectionFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('should count the server shutting down, terminating the backend or refusing connections', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300']) {
      expect(isConnectionFailure(serverError(code)), code).toBe(true);
    }
  });

  it('should not count errors in the statement or in the code', () => {
    expect(isConnectionFailure(serverError('23505'))).toBe(false);
    expect(isConnectionFailure(serverError('42P01'))).toBe(false);
    expect(isConnectionFailure(new TypeError('x is not a function'))).toBe(false);
    expect(isConnectionFailure(socketError('ENOENT'))).toBe(false);
    expect(isConnectionFailure('a string')).toBe(false);
  });

  it('should find an unavailable database behind a wrapping error, as drizzle wraps it', () => {
    const wrapped = new Error('Failed query: select 1', { cause: classify(socketError('ECONNREFUSED')) });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: classify(serverError('23505')) }))).toBe(false);
    expect(classify(serverError('23505'))).not.toBeInstanceOf(DatabaseUnavailableError);
  });
});
