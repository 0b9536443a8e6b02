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
  /**
   * The collector's public origin (`INKLING_PUBLIC_URL`, no trailing slash): tracked links'
   * `shortUrl` and the example site's script URL. Never taken from a request's Host header.
   * @default 'http://HOST:PORT'
   */
  publicUrl: string;
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
    publicUrl: publicUrlOf(env.INKLING_PUBLIC_URL, host, port),
  };
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
