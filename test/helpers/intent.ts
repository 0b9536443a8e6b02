import type { Collector } from '../../collector/app.ts';
import type { CreatedSite } from '../../collector/sites.ts';

let seq = 0;
/** A unique messageId. */
export const mid = () => `m-${Date.now().toString(36)}-${process.pid}-${++seq}`;

const DAY = 86_400_000;
/** An ISO timestamp `days` days before `from`. */
export const daysAgo = (days: number, from = Date.now()) => new Date(from - days * DAY).toISOString();

export const page = (anonymousId: string | null, path: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId: mid(),
  ...(anonymousId ? { anonymousId } : {}),
  properties: { path },
  ...extra,
});

export const track = (
  ids: { anonymousId?: string; userId?: string },
  event: string,
  extra: Record<string, unknown> = {},
) => ({
  type: 'track',
  messageId: mid(),
  ...ids,
  event,
  ...extra,
});

export const identify = (anonymousId: string, userId: string, traits: Record<string, unknown> = {}) => ({
  type: 'identify',
  messageId: mid(),
  anonymousId,
  userId,
  traits,
});

/** Talks to a collector as a site's page (write key) and its sales team (secret key) would. */
export function intentClient(collector: Collector, site: CreatedSite) {
  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const bearer = { authorization: `Bearer ${site.secretKey}` };
  const post = async (batch: object[], key: string) => {
    const res = await collector.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(key) },
      body: JSON.stringify({ batch }),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  return {
    /** As the site's pages do: with the write key (an identify is verified only by its `user_hash`). */
    send: (batch: object[]) => post(batch, site.writeKey),
    /** As a server-side library does: with the secret key in place of the write key (trusted). */
    sendAsServer: (batch: object[]) => post(batch, site.secretKey),
    async person(id: string) {
      const res = await collector.app.request(`/v1/people/${encodeURIComponent(id)}`, { headers: bearer });
      if (res.status !== 200) throw new Error(`GET person answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as {
        id: string;
        userId: string | null;
        anonymousIds: string[];
        traits: Record<string, unknown>;
        account: { id: string; domain: string | null; name: string | null; score: number; tier: string } | null;
        score: number;
        tier: string;
        type: string;
        trend: string;
        explanation: { signal: string; points: number; firstAt: string; lastAt: string }[];
      };
    },
    get(path: string, headers: Record<string, string> = bearer) {
      return collector.app.request(path, { headers });
    },
    put(path: string, body: unknown, headers: Record<string, string> = bearer) {
      return collector.app.request(path, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    },
  };
}

/** Every item of a timeline (`/v1/people/:id/signals`, `/v1/accounts/:id/signals`), read page by page with `limit`. */
export async function readTimeline<T>(api: ReturnType<typeof intentClient>, path: string, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { data: T[]; nextCursor: string | null };
    items.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}
