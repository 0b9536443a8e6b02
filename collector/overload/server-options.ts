import type { ServerOptions } from 'node:http';
import type { LoadLimits } from '../config.ts';

/**
 * Node's http server options that cut slow clients: the whole request (headers and body)
 * within `requestTimeoutMs`, the headers within `headersTimeoutMs` (answered 408, then
 * closed). Node checks these only every `connectionsCheckingInterval` (30 s by default,
 * which let a dribbled body live 329 s); here every second, or sooner for short limits.
 */
export function serverOptions(
  limits: Pick<LoadLimits, 'requestTimeoutMs' | 'headersTimeoutMs' | 'keepAliveTimeoutMs'>,
): ServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
  };
}
