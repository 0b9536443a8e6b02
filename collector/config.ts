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
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8787 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  }
  const logLevel = env.INKLING_LOG_LEVEL;
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.INKLING_DATA_DIR || './.inkling',
    adminToken: env.INKLING_ADMIN_TOKEN || undefined,
    trustProxy: env.INKLING_TRUST_PROXY === 'true' || env.INKLING_TRUST_PROXY === '1',
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
  };
}
