import type { BatchBody, Message } from '../shared/messages.ts';
import { nav } from './env.ts';
import type { Send } from './retry-queue.ts';

export type Transport = [
  send: Send,
  /** Hands a batch to sendBeacon (the page is going away); no answer is read. */
  beacon: (batch: Message[]) => boolean,
  /** `GET {api}/v1/intent` for an anonymous id; its answer goes to `answered`. */
  lookup: (anonymousId: string) => void,
];

/**
 * Delivery to `POST {api}/v1/batch`. `send` uses fetch with keepalive and a text/plain
 * body (no CORS preflight); network errors, 5xx and 429 ask for a retry, honouring
 * Retry-After (seconds); any other answer, a 4xx for a batch that can never be valid
 * included, is final. The write key travels in the body, and in `?key=` for beacons and
 * the intent lookup (write keys are `pk_` and letters or digits: nothing to encode).
 *
 * Every JSON answer read, the ingest answer with the visitor's `intent` (so a page learns
 * its tier without a round trip of its own) and the lookup's, is handed to `answered`,
 * which must not throw (a throw would read as a failed send); a body that is not JSON, or a
 * lookup that fails, is ignored.
 */
export function createTransport(api: string, key: string, answered: (answer: unknown) => void): Transport {
  const url = `${api}/v1/batch`;
  const q = `key=${key}`;
  const body = (batch: Message[]) =>
    JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: key } satisfies BatchBody);
  const read = (r: Response) => r.json().then(answered, () => {});
  return [
    async (batch) => {
      const r = await fetch(url, { method: 'POST', body: body(batch), keepalive: true });
      if (r.status > 499 || r.status === 429) return +(r.headers.get('retry-after') as string) * 1000 || 0;
      await read(r);
    },
    (batch) => nav.sendBeacon(`${url}?${q}`, body(batch)),
    (id) => fetch(`${api}/v1/intent?anonymousId=${id}&${q}`).then(read, () => {}),
  ];
}
