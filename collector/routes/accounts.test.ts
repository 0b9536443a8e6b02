import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, page, track } from '../../test/helpers/intent.ts';
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
  data: { id: string; score: number; tier: string; change7d: number }[];
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

  it('should list rising (+20 in 7 days) and cooling (-15 in 7 days) from the score history', async () => {
    const site = await newSite(db);
    const api = await seedAccounts(site);
    const people = (await (await api.get('/v1/people')).json()) as ListBody;
    const [top, , bottom] = people.data;
    if (!top || !bottom) throw new Error('expected three people');
    // The score each had 8 days ago: top was 25 lower (rising), bottom 20 higher (cooling).
    const history =
      'insert into score_history (site_id, subject_kind, subject_id, at, score, tier) values ($1, $2, $3, $4, $5, $6)';
    const past = new Date(Date.now() - 8 * 86_400_000);
    await db.query(history, [site.siteId, 'person', top.id, past, top.score - 25, 'low']);
    await db.query(history, [site.siteId, 'person', bottom.id, past, bottom.score + 20, 'high']);
    const rising = (await (await api.get('/v1/people?list=rising')).json()) as ListBody;
    expect(rising.data.map((p) => p.id)).toContain(top.id);
    expect(rising.data.map((p) => p.id)).not.toContain(bottom.id);
    expect(rising.data.every((p) => p.change7d >= 20)).toBe(true);
    const cooling = (await (await api.get('/v1/people?list=cooling')).json()) as ListBody;
    expect(cooling.data.map((p) => p.id)).toEqual([bottom.id]);
    expect(cooling.data[0]?.change7d).toBe(-20);
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
});
