import { isLogLevel, type LogLevel } from './log.ts';

/** Runtime configuration, read once from the environment (CONTRACT.md "Environment"). */
export interface Config {
  /** @default 8787 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** postgres://... ; undefined = embedded PGlite. */
  databaseUrl: string | undefined;
  /** @default './.inkling' */
  dataDir: string;
  /** undefined = admin API off. */
  adminToken: string | undefined;
  /** Take the client address from X-Forwarded-For (behind a proxy). @default false */
  trustProxy: boolean;
  /** @default 'info' */
  logLevel: LogLevel;
  /** How much work the collector takes on at once (README "Under load"). */
  limits: LoadLimits;
  /**
   * The collector's public origin (`INKLING_PUBLIC_URL`, no trailing slash): tracked links'
   * `shortUrl` and the example site's script URL. Never taken from a request's Host header.
   * @default 'http://HOST:PORT'
   */
  publicUrl: string;
  /**
   * Refuse rules whose webhook or Slack URL names a loopback or private host
   * (`INKLING_WEBHOOK_DENY_PRIVATE=1`). @default false: self-hosted collectors post to them.
   */
  denyPrivateWebhooks: boolean;
  /**
   * Prepare the collector's statements on each PostgreSQL connection
   * (`INKLING_PREPARED_STATEMENTS=off` to turn off, behind a pooler that does not keep a
   * session's prepared statements). @default true
   */
  preparedStatements: boolean;
}

/** The bounds that keep the collector answering under overload; every one is an env var. */
export interface LoadLimits {
  /** A whole request, headers and body, must arrive within this (then 408 and closed). @default 15000 */
  requestTimeoutMs: number;
  /** The request headers must arrive within this. @default 10000 */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @default 5000 */
  keepAliveTimeoutMs: number;
  /** Ingest requests being read, checked or stored at once, at most; more get 429. @default 64 */
  maxInflightRequests: number;
  /**
   * Where the adaptive request bound starts (slow start: it grows while batches are fast), so
   * that a burst on a cold collector does not admit more than it can answer quickly. @default 8
   */
  initialInflightRequests: number;
  /**
   * The store-and-score time an accepted ingest request should not pass: above it the
   * collector admits fewer requests at once (down to 4), below half of it more. @default 500
   */
  targetLatencyMs: number;
  /** Ingest body bytes (declared, else the route's limit) in flight at once; more get 429. @default 33554432 (32 MiB) */
  maxInflightBytes: number;
  /** Rows queued for the writer before ingest answers 429. @default 50000 */
  maxPendingRows: number;
  /** Ingest requests per window per write key (site); 0 = no limit. @default 1000 */
  ratePerKey: number;
  /** Ingest requests per window per client address; 0 = no limit. @default 200 */
  ratePerAddress: number;
  /** The rate limits' window, in seconds. @default 1 */
  rateWindowSeconds: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  requestTimeoutMs: 15_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxInflightRequests: 64,
  initialInflightRequests: 8,
  targetLatencyMs: 500,
  maxInflightBytes: 32 * 1024 * 1024,
  maxPendingRows: 50_000,
  ratePerKey: 1000,
  ratePerAddress: 200,
  rateWindowSeconds: 1,
};

/** The environment variable of each limit (README "Configuration" lists them all). */
export const LIMIT_ENV: Record<keyof LoadLimits, string> = {
  requestTimeoutMs: 'INKLING_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'INKLING_HEADERS_TIMEOUT_MS',
  keepAliveTimeoutMs: 'INKLING_KEEP_ALIVE_TIMEOUT_MS',
  maxInflightRequests: 'INKLING_MAX_INFLIGHT_REQUESTS',
  initialInflightRequests: 'INKLING_INITIAL_INFLIGHT_REQUESTS',
  targetLatencyMs: 'INKLING_TARGET_LATENCY_MS',
  maxInflightBytes: 'INKLING_MAX_INFLIGHT_BYTES',
  maxPendingRows: 'INKLING_MAX_PENDING_ROWS',
  ratePerKey: 'INKLING_RATE_LIMIT_PER_KEY',
  ratePerAddress: 'INKLING_RATE_LIMIT_PER_ADDRESS',
  rateWindowSeconds: 'INKLING_RATE_LIMIT_WINDOW_SECONDS',
};

/** The limits from the environment; an unset variable keeps its default, a bad one stops the start. */
export function readLimits(env: NodeJS.ProcessEnv = process.env): LoadLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(LIMIT_ENV) as (keyof LoadLimits)[]) {
    const raw = env[LIMIT_ENV[name]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    // Why: only a rate limit can be switched off (0); a zero bound or timeout would refuse everything.
    const min = name === 'ratePerKey' || name === 'ratePerAddress' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new Error(`${LIMIT_ENV[name]} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
    }
    limits[name] = value;
  }
  return limits;
}

/** The public URL when nothing configures one (the default HOST and PORT). */
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8787';

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8787 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  }
  const logLevel = env.INKLING_LOG_LEVEL;
  const host = env.HOST || '127.0.0.1';
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.INKLING_DATA_DIR || './.inkling',
    adminToken: env.INKLING_ADMIN_TOKEN || undefined,
    trustProxy: env.INKLING_TRUST_PROXY === 'true' || env.INKLING_TRUST_PROXY === '1',
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
    limits: readLimits(env),
    publicUrl: publicUrlOf(env.INKLING_PUBLIC_URL, host, port),
    denyPrivateWebhooks: env.INKLING_WEBHOOK_DENY_PRIVATE === 'true' || env.INKLING_WEBHOOK_DENY_PRIVATE === '1',
    preparedStatements: onOff('INKLING_PREPARED_STATEMENTS', env.INKLING_PREPARED_STATEMENTS, true),
  };
}

/** A switch: `on`/`true`/`1` or `off`/`false`/`0`, `fallback` when unset; anything else refuses to start. */
function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (['on', 'true', '1'].includes(value)) return true;
  if (['off', 'false', '0'].includes(value)) return false;
  throw new Error(`${name} must be on or off, got ${JSON.stringify(value)}`);
}

/** `INKLING_PUBLIC_URL` made canonical (an http(s) URL, no trailing slash), else http://HOST:PORT. */
function publicUrlOf(value: string | undefined, host: string, port: number): string {
  if (!value) return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new Error(`INKLING_PUBLIC_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url.href.replace(/\/+$/, '');
}
