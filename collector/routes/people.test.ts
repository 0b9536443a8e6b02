import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../shared/scoring/index.ts';
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

interface SignalsPage {
  data: {
    id: string;
    type: string;
    event: string | null;
    path: string | null;
    signal: string | null;
    category: string | null;
  }[];
  nextCursor: string | null;
}

describe('GET /v1/people/:id/signals', () => {
  it('should list the events newest first with their signal, page by page', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const events = [
      page('sig-1', '/pricing', { timestamp: daysAgo(7) }),
      page('sig-1', '/blog/launch', { timestamp: daysAgo(6) }),
      track({ anonymousId: 'sig-1' }, 'Something Unknown', { timestamp: daysAgo(5) }),
      track({ anonymousId: 'sig-1' }, 'Demo Requested', { timestamp: daysAgo(4) }),
      page('sig-1', '/about', { timestamp: daysAgo(3) }),
      page('sig-1', '/product', { timestamp: daysAgo(2) }),
      page('sig-1', '/pricing', { timestamp: daysAgo(1) }),
    ];
    await api.send(events);
    const seen: SignalsPage['data'] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const res = await api.get(`/v1/people/sig-1/signals?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as SignalsPage;
      sizes.push(body.data.length);
      seen.push(...body.data);
      cursor = body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.messageId).reverse());
    expect(seen.at(-1)).toMatchObject({ type: 'page', path: '/pricing', signal: 'pricing_page' });
    expect(seen.find((e) => e.event === 'Something Unknown')).toMatchObject({ signal: null, category: null });
    expect(seen.find((e) => e.event === 'Demo Requested')?.signal).toBe('demo_requested');
  });

  it('should answer 400 for a bad limit or cursor', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('lim', '/pricing')]);
    expect((await api.get('/v1/people/lim/signals?limit=501')).status).toBe(400);
    expect((await api.get('/v1/people/lim/signals?cursor=nonsense')).status).toBe(400);
  });

  it('should answer 400 invalid_cursor to an event cursor with huge, fractional or negative numbers', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('evc', '/pricing')]);
    const positions = [
      '9999999999999999~1',
      '-9999999999999999~1',
      '99999999999999999999~1',
      '1e300~1',
      '1.5~1',
      '1~2.5',
      '1~-1',
      '1~99999999999999999',
      '~1',
      '1~',
    ];
    for (const position of positions) {
      const res = await api.get(`/v1/people/evc/signals?cursor=${Buffer.from(position).toString('base64url')}`);
      expect(res.status, position).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    }
    for (const position of ['9007199254740991~9007199254740991', '-9007199254740991~0']) {
      const res = await api.get(`/v1/people/evc/signals?cursor=${Buffer.from(position).toString('base64url')}`);
      expect(res.status, position).toBe(200);
    }
  });
});

/** Pricing, a demo request and a case study, `days` days ago (as an import would send them). */
const burst = (anonymousId: string, days: number) => [
  page(anonymousId, '/pricing', { timestamp: daysAgo(days) }),
  track({ anonymousId }, 'Demo Requested', { timestamp: daysAgo(days - 1 / 24) }),
  page(anonymousId, '/case-studies/acme', { timestamp: daysAgo(days - 2 / 24) }),
];

interface PeopleList {
  data: { id: string; score: number; change7d: number }[];
}

describe('GET /v1/people?list=rising|cooling (the change over 7 days by event time)', () => {
  it('should put people in rising and cooling by what their events gave 7 days ago, not by when they were imported', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      ...burst('back-old', 20), // backfilled only: a week ago it was worth more than now
      ...burst('back-new', 20),
      ...burst('back-new', 3), // backfilled, then active again 3 days ago
      ...burst('cooled', 35), // 50 % a week ago, 25 % now
      page('new-pricing', '/pricing', { timestamp: daysAgo(2) }), // a new visitor, score 29
      page('new-blog', '/blog/launch', { timestamp: daysAgo(2) }), // a new visitor, score under 20
    ]);
    const person = async (anon: string) => {
      const { id, score, change7d } = (await (await api.get(`/v1/people/${anon}`)).json()) as PeopleList['data'][0];
      return { id, score, change7d };
    };
    const [backOld, backNew, cooled, newPricing, newBlog] = await Promise.all(
      ['back-old', 'back-new', 'cooled', 'new-pricing', 'new-blog'].map(person),
    );
    // All of them got score history rows just now: the lists must not read those.
    const [history] = await db.query<{ n: number }>(
      "select count(distinct subject_id)::int as n from score_history where site_id = $1 and subject_kind = 'person'",
      [site.siteId],
    );
    expect(history?.n).toBe(5);

    const ids = async (list: string) =>
      ((await (await api.get(`/v1/people?list=${list}`)).json()) as PeopleList).data.map((p) => p.id).sort();
    expect(await ids('rising')).toEqual([backNew!.id, newPricing!.id].sort());
    expect(await ids('cooling')).toEqual([cooled!.id]);

    expect(backOld!.change7d).toBeLessThan(0);
    expect(backNew!.change7d).toBeGreaterThanOrEqual(20);
    expect(backNew!.change7d).toBeLessThan(backNew!.score);
    expect(cooled!.change7d).toBeLessThanOrEqual(-15);
    // A new visitor scored 0 a week ago: the change is the whole score, rising only from 20.
    expect(newPricing).toMatchObject({ change7d: newPricing!.score });
    expect(newPricing!.score).toBeGreaterThanOrEqual(20);
    expect(newBlog).toMatchObject({ change7d: newBlog!.score });
    expect(newBlog!.score).toBeLessThan(20);
    // The list answers the same change7d as the person.
    const all = ((await (await api.get('/v1/people')).json()) as PeopleList).data;
    expect(all.find((p) => p.id === cooled!.id)?.change7d).toBe(cooled!.change7d);
  });
});

describe('GET /v1/people/:id explanation', () => {
  it('should name each top signal with the dates of its first and last counted event', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const times = [daysAgo(9), daysAgo(4), daysAgo(2)];
    await api.send(times.map((timestamp) => page('dated', '/pricing', { timestamp })));
    const body = (await (await api.get('/v1/people/dated')).json()) as {
      explanation: { signal: string; count: number; firstAt: string; lastAt: string }[];
    };
    expect(body.explanation.find((c) => c.signal === 'pricing_page')).toMatchObject({
      count: 3,
      firstAt: times[0],
      lastAt: times[2],
    });
    expect(body.explanation.every((c) => !Number.isNaN(Date.parse(c.firstAt)) && c.lastAt >= c.firstAt)).toBe(true);
  });
});

describe('secret-key routes', () => {
  it('should answer 401 without the secret key, and 404 for another site', async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    await intentClient(collector, site).send([page('private', '/pricing')]);
    const api = intentClient(collector, site);
    expect((await api.get('/v1/people/private', {})).status).toBe(401);
    expect((await api.get('/v1/people/private', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
    expect((await api.get('/v1/config', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
    const res = await api.get('/v1/people/private', { authorization: `Bearer ${other.secretKey}` });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'person_not_found' } });
    expect((await api.get('/v1/people/private/signals', { authorization: `Bearer ${other.secretKey}` })).status).toBe(
      404,
    );
    expect((await api.get('/v1/people/private')).status).toBe(200);
  });
});

describe('/v1/config', () => {
  it('should answer the default model for a site without one', async () => {
    const site = await newSite(db);
    const res = await intentClient(collector, site).get('/v1/config');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(defaultConfig);
  });

  it('should refuse an invalid model with 400 and the path of the problem, storing nothing', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const bad = structuredClone(defaultConfig) as { tiers: { medium: number; high: number } };
    bad.tiers = { medium: 80, high: 60 };
    const res = await api.put('/v1/config', bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_config');
    expect(body.error.message).toContain('tiers.high');
    expect(await (await api.get('/v1/config')).json()).toEqual(defaultConfig);
  });

  it('should refuse a model with NUL or a lone surrogate in a name or label with 400 and its path', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    type Mutable = { signals: Record<string, { label: string }>; categories: Record<string, { label: string }> };
    const nul = structuredClone(defaultConfig) as unknown as Mutable;
    (nul.signals.email_opened as { label: string }).label = 'Email\u0000opened';
    const lone = structuredClone(defaultConfig) as unknown as Mutable;
    (lone.categories.email as { label: string }).label = 'Email \ud800';
    for (const [model, path] of [
      [nul, 'signals.email_opened.label'],
      [lone, 'categories.email.label'],
    ] as const) {
      const res = await api.put('/v1/config', model);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error).toEqual({
        code: 'invalid_config',
        message: `${path}: must not contain NUL or lone surrogates`,
      });
    }
    expect(await (await api.get('/v1/config')).json()).toEqual(defaultConfig);
  });

  it("should store a new model and rescore the site's people and accounts", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      page('cfg-1', '/pricing'),
      {
        type: 'identify',
        messageId: 'cfg-id',
        anonymousId: 'cfg-1',
        userId: 'kim',
        traits: { email: 'kim@globex.com' },
      },
    ]);
    const before = await api.person('kim');
    expect(before.tier).toBe('low');
    const model = structuredClone(defaultConfig) as typeof defaultConfig & { tiers: { medium: number; high: number } };
    model.tiers = { medium: 5, high: 10 };
    const res = await api.put('/v1/config', model);
    expect(res.status).toBe(200);
    expect(await (await api.get('/v1/config')).json()).toEqual(model);
    const after = await api.person('kim');
    expect(after.score).toBe(before.score);
    expect(after.tier).toBe('high');
    expect(after.account?.tier).toBe('high');
  });
});
