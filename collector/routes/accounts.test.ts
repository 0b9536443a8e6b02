import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, identify, intentClient, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Site = Awaited<ReturnType<typeof newSite>>;

/** A visitor who browses, then identifies with a work email (which makes the account). */
function visitor(anonymousId: string, userId: string, email: string, extra: object[] = []) {
  return [
    page(anonymousId, '/pricing', { timestamp: daysAgo(1) }),
    ...extra,
    { type: 'identify', messageId: `${anonymousId}-id`, anonymousId, userId, traits: { email } },
  ];
}

/** A contact with their events, then their identify (work email: the account). */
const contact = (anonymousId: string, userId: string, email: string, events: object[]) => [
  ...events,
  { type: 'identify', messageId: `${anonymousId}-id`, anonymousId, userId, traits: { email } },
];

/** Pricing, a demo request and a case study, `days` days ago. */
const burst = (anonymousId: string, days: number) => [
  page(anonymousId, '/pricing', { timestamp: daysAgo(days) }),
  track({ anonymousId }, 'Demo Requested', { timestamp: daysAgo(days - 1 / 24) }),
  page(anonymousId, '/case-studies/acme', { timestamp: daysAgo(days - 2 / 24) }),
];

async function seedAccounts(site: Site) {
  const api = intentClient(collector, site);
  await api.send([
    ...visitor('acme-a', 'ann', 'ann@acme.com', [
      track({ anonymousId: 'acme-a' }, 'Demo Requested', { timestamp: daysAgo(1) }),
    ]),
    ...visitor('acme-b', 'bob', 'bob@acme.com'),
    ...visitor('init-a', 'cat', 'cat@initech.com'),
  ]);
  return api;
}

interface AccountBody {
  id: string;
  domain: string | null;
  score: number;
  tier: string;
  trend: string;
  contacts: { personId: string; score: number }[];
  categories: Record<string, number>;
}

interface ListBody {
  data: { id: string; domain?: string | null; score: number; tier: string; change7d: number }[];
  nextCursor: string | null;
}

describe('GET /v1/accounts/:id', () => {
  it('should answer an account by domain and by id with its contacts and signal mix', async () => {
    const site = await newSite(db);
    const api = await seedAccounts(site);
    const byDomain = await api.get('/v1/accounts/acme.com');
    expect(byDomain.status).toBe(200);
    const body = (await byDomain.json()) as AccountBody;
    expect(body.domain).toBe('acme.com');
    expect(body.score).toBeGreaterThan(0);
    expect(body.contacts).toHaveLength(2);
    expect(body.contacts.every((c) => typeof c.score === 'number')).toBe(true);
    expect(Object.keys(body.categories).length).toBeGreaterThan(0);
    const byId = (await (await api.get(`/v1/accounts/${body.id}`)).json()) as AccountBody;
    expect(byId).toEqual(body);
  });

  it('should answer 404 for an unknown account', async () => {
    const site = await newSite(db);
    const api = await seedAccounts(site);
    const res = await api.get('/v1/accounts/nowhere.example');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('account_not_found');
  });
});

describe('GET /v1/accounts and GET /v1/people', () => {
  it('should page through the people by score, highest first, without repeats', async () => {
    const site = await newSite(db);
    const api = await seedAccounts(site);
    const seen: ListBody['data'] = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(`/v1/people?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as ListBody;
      seen.push(...body.data);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((p) => p.id)).size).toBe(3);
    const scores = seen.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const ascending = (await (await api.get('/v1/people?sort=score')).json()) as ListBody;
    expect(ascending.data.map((p) => p.id)).toEqual(seen.map((p) => p.id).reverse());
  });

  it('should filter accounts by tier', async () => {
    const site = await newSite(db);
    const api = await seedAccounts(site);
    const all = (await (await api.get('/v1/accounts')).json()) as ListBody;
    expect(all.data).toHaveLength(2);
    const tier = all.data[0]?.tier ?? 'low';
    const filtered = (await (await api.get(`/v1/accounts?tier=${tier}`)).json()) as ListBody;
    expect(filtered.data.length).toBeGreaterThan(0);
    expect(filtered.data.every((a) => a.tier === tier)).toBe(true);
    const other = ['high', 'medium', 'low'].find((x) => x !== tier);
    const none = (await (await api.get(`/v1/accounts?tier=${other}`)).json()) as ListBody;
    expect(none.data.every((a) => a.tier === other)).toBe(true);
    expect(none.data.length + filtered.data.length).toBeLessThanOrEqual(2);
  });

  it('should list a backfilled account that cooled in list=cooling right after install, and a new one in rising', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // Imported today: two Globex contacts active 35-36 days ago (50 % a week ago, 25 % now),
    // two Hooli contacts active 3 days ago, two Umbrella contacts active 20 days ago only.
    await api.send([
      ...contact('gx-1', 'gia', 'gia@globex.com', burst('gx-1', 35)),
      ...contact('gx-2', 'gus', 'gus@globex.com', burst('gx-2', 36)),
      ...contact('hl-1', 'hal', 'hal@hooli.com', burst('hl-1', 3)),
      ...contact('hl-2', 'hed', 'hed@hooli.com', burst('hl-2', 3)),
      ...contact('um-1', 'uma', 'uma@umbrella.com', burst('um-1', 20)),
      ...contact('um-2', 'ugo', 'ugo@umbrella.com', burst('um-2', 20)),
    ]);
    const cooling = (await (await api.get('/v1/accounts?list=cooling')).json()) as ListBody;
    const rising = (await (await api.get('/v1/accounts?list=rising')).json()) as ListBody;
    expect(cooling.data.map((a) => a.domain)).toEqual(['globex.com']);
    expect(rising.data.map((a) => a.domain)).toEqual(['hooli.com']);
    const globex = (await (await api.get('/v1/accounts/globex.com')).json()) as ListBody['data'][number];
    expect(globex.change7d).toBe(cooling.data[0]?.change7d);
    expect(globex.change7d).toBeLessThanOrEqual(-15);
    // Every account's change7d agrees with its list membership.
    const all = (await (await api.get('/v1/accounts')).json()) as ListBody;
    expect(all.data).toHaveLength(3);
    for (const a of all.data) {
      expect(
        rising.data.some((r) => r.id === a.id),
        a.domain ?? a.id,
      ).toBe(a.change7d >= 20);
      expect(
        cooling.data.some((r) => r.id === a.id),
        a.domain ?? a.id,
      ).toBe(a.change7d <= -15);
    }
  });

  it('should answer 400 for a bad tier, list, sort, limit or cursor', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    for (const q of ['tier=hot', 'list=falling', 'sort=name', 'limit=0', 'limit=501', 'cursor=nonsense']) {
      for (const path of ['/v1/people', '/v1/accounts']) {
        const res = await api.get(`${path}?${q}`);
        expect(res.status, `${path}?${q}`).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^invalid_/);
      }
    }
  });

  it('should answer 400 invalid_cursor to a cursor with a huge, fractional, negative or over-100 score or a bad id', async () => {
    const api = intentClient(collector, await newSite(db));
    const cursors = [
      '[1e300,"x"]',
      '[99999999999999999999,"x"]',
      '[2.5,"x"]',
      '[-1,"x"]',
      '[101,"x"]',
      '[5,"\\u0000"]',
    ];
    cursors.push(`[5,"${'x'.repeat(2000)}"]`, '[5]', '{"0":5,"1":"x"}', '[5,"x",1]');
    for (const cursor of cursors) {
      for (const path of ['/v1/people', '/v1/accounts']) {
        const res = await api.get(`${path}?cursor=${Buffer.from(cursor).toString('base64url')}`);
        expect(res.status, `${path} ${cursor.slice(0, 40)}`).toBe(400);
        expect(await res.json()).toEqual({
          error: { code: 'invalid_cursor', message: 'cursor is not one this API returned.' },
        });
      }
    }
    const edge = Buffer.from('[100,"zzz"]').toString('base64url');
    expect((await api.get(`/v1/people?cursor=${edge}`)).status).toBe(200);
  });

  it("should refuse one list's cursor on the other list", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      identify('cur-a', 'cur-a@one.example', { email: 'cur-a@one.example' }),
      identify('cur-b', 'cur-b@two.example', { email: 'cur-b@two.example' }),
    ]);
    for (const [from, to] of [
      ['/v1/people', '/v1/accounts'],
      ['/v1/accounts', '/v1/people'],
    ] as const) {
      const page = (await (await api.get(`${from}?limit=1`)).json()) as { nextCursor: string | null };
      expect(page.nextCursor, from).not.toBeNull();
      expect((await api.get(`${from}?limit=1&cursor=${page.nextCursor}`)).status).toBe(200);
      const other = await api.get(`${to}?limit=1&cursor=${page.nextCursor}`);
      expect(other.status, `${from}'s cursor on ${to}`).toBe(400);
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    }
  });
});
