import type { Context } from 'hono';

/**
 * The client's address: the first `X-Forwarded-For` entry when the collector trusts its proxy
 * (`INKLING_TRUST_PROXY`), else the socket's peer (Node's server); undefined under `app.request()`.
 */
export function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
