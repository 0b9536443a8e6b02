import pg from 'pg';

/**
 * The database cannot be reached: the connection was refused, dropped, terminated or timed
 * out. `onError` answers it with 503 and `Retry-After`; the caller should retry later.
 * `cause` keeps the driver's error (logged, never echoed).
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The database is unavailable.', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Node's socket and DNS errors: the server is down, unreachable or went away. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs the server sends when it cannot serve this connection: class 08 (connection
 * exception), the shutdown / terminate family 57P01-57P03 (admin or crash shutdown, cannot
 * connect now: starting up or in recovery), 53300 too many connections.
 */
function unavailableState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * Whether a driver error means "the database is unavailable" (as opposed to an error in the
 * statement, which is a bug or a constraint). Decided by class and code, never by message:
 * a server error is a `pg.DatabaseError` with a SQLSTATE; a socket error has a Node code;
 * node-postgres's own failures (connection terminated, connect or query timeout, a client
 * that lost its connection) are plain `Error`s, unlike programming errors (TypeError...).
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (err instanceof pg.DatabaseError) return typeof err.code === 'string' && unavailableState(err.code);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return SOCKET_CODES.has(code);
  return err.constructor === Error;
}

/** Turns a driver's connection failure into `DatabaseUnavailableError`; anything else as it is. */
export function classify(err: unknown): unknown {
  return !(err instanceof DatabaseUnavailableError) && isConnectionFailure(err)
    ? new DatabaseUnavailableError(err)
    : err;
}

/** Whether `err`, or an error it wraps (`cause`, as drizzle's query errors do), is an unavailable database. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
  }
  return false;
}

/**
 * Whether `err`, or an error it wraps, is an error the database server answered (a failed
 * statement: it has a SQLSTATE `code` and a `severity`, from node-postgres or PGlite alike).
 */
export function isDatabaseError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && typeof severity === 'string') return true;
  }
  return false;
}
