import type { BatchBody, Message } from '../shared/messages.ts';
import { nav } from './env.ts';
import type { Send } from './retry-queue.ts';

/**
 * Delivery to `POST {api}/v1/batch`. `send` uses fetch with keepalive and a text/plain body
 * (no CORS preflight); network errors, 5xx and 429 ask for a retry, honouring Retry-After
 * (seconds); any other answer, a 4xx for a batch that can never be valid included, is final.
 * `beacon` hands a batch to sendBeacon when the page is going away. The write key travels
 * in the body, and in `?key=` for beacons.
 */
export function createTransport(api: string, key: string): [send: Send, beacon: (batch: Message[]) => boolean] {
  const url = `${api}/v1/batch`;
  const body = (batch: Message[]) =>
    JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: key } satisfies BatchBody);
  return [
    async (batch) => {
      const r = await fetch(url, { method: 'POST', body: body(batch), keepalive: true, credentials: 'omit' });
      if (r.status > 499 || r.status === 429) return +(r.headers.get('retry-after') as string) * 1000 || 0;
    },
    (batch) => nav.sendBeacon(`${url}?key=${encodeURIComponent(key)}`, body(batch)),
  ];
}
