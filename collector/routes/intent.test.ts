import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const NEUTRAL = { tier: 'low', score: 0, type: 'unknown', trend: 'stable', account: null };

async function hot(site: Awaited<ReturnType<typeof newSite>>, anonymousId: string) {
  await intentClient(collector, site).send([
    page(anonymousId, '/pricing'),
    track({ anonymousId }, 'Demo Requested'),
    track({ anonymousId }, 'Trial Started'),
    { type: 'group', messageId: mid(), anonymousId, groupId: `acme-${anonymousId}`, traits: { name: 'Acme' } },
  ]);
}

describe('GET /v1/intent', () => {
  it("should answer the visitor's stored tier, score, type, trend and account", async () => {
    const site = await newSite(db);
    await hot(site, 'int-hot');
    const res = await collector.app.request('/v1/intent?anonymousId=int-hot', { headers: basic(site.writeKey) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    const person = await intentClient(collector, site).person('int-hot');
    expect(body).toEqual({
      tier: person.tier,
      score: person.score,
      type: person.type,
      trend: person.trend,
      account: { tier: person.account?.tier, score: person.account?.score },
    });
    expect(body.score).toBeGreaterThan(0);
    expect(body.type).toBe('buying');
  });

  it('should accept the write key as ?key=', async () => {
    const site = await newSite(db);
    await hot(site, 'int-q');
    const res = await collector.app.request(`/v1/intent?anonymousId=int-q&key=${site.writeKey}`);
    expect(res.status).toBe(200);
    expect((await res.json()).score).toBeGreaterThan(0);
  });

  it("should answer the same neutral shape for an unknown id and for another site's key", async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    await hot(site, 'int-mine');
    const unknown = await collector.app.request('/v1/intent?anonymousId=nobody', { headers: basic(site.writeKey) });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual(NEUTRAL);
    const foreign = await collector.app.request('/v1/intent?anonymousId=int-mine', { headers: basic(other.writeKey) });
    expect(foreign.status).toBe(200);
    expect(await foreign.json()).toEqual(NEUTRAL);
  });

  it('should answer 401 without a write key and refuse a secret key', async () => {
    const site = await newSite(db);
    expect((await collector.app.request('/v1/intent?anonymousId=x')).status).toBe(401);
    const res = await collector.app.request('/v1/intent?anonymousId=x', {
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(res.status).toBe(401);
  });

  it("should allow the site's origins (CORS) and refuse others", async () => {
    const site = await newSite(db, ['https://shop.example']);
    const ok = await collector.app.request('/v1/intent?anonymousId=x', {
      headers: { ...basic(site.writeKey), origin: 'https://shop.example' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const bad = await collector.app.request('/v1/intent?anonymousId=x', {
      headers: { ...basic(site.writeKey), origin: 'https://evil.example' },
    });
    expect(bad.status).toBe(403);
  });
});

describe('the ingest answer', () => {
  it("should carry the visitor's tier just scored, as GET /v1/intent answers it", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const first = await api.send([page('ing-1', '/blog')]);
    expect(first).toMatchObject({ success: true, accepted: 1, rejected: [], intent: { tier: 'low' } });
    const second = await api.send([track({ anonymousId: 'ing-1' }, 'Demo Requested'), page('ing-1', '/pricing')]);
    expect(second.intent.score).toBeGreaterThan(first.intent.score);
    const lookup = await collector.app.request('/v1/intent?anonymousId=ing-1', { headers: basic(site.writeKey) });
    expect(second.intent).toEqual(await lookup.json());
  });

  it('should carry no intent for a batch about several visitors', async () => {
    const site = await newSite(db);
    const answer = await intentClient(collector, site).send([page('ing-a', '/x'), page('ing-b', '/y')]);
    expect(answer).toEqual({ success: true, accepted: 2, rejected: [] });
  });

  it('should carry no intent when scoring is off', async () => {
    const site = await newSite(db);
    const plain = createCollector({ db: db, scoring: false });
    try {
      const answer = await intentClient(plain, site).send([page('ing-off', '/pricing')]);
      expect(answer).toEqual({ success: true, accepted: 1, rejected: [] });
    } finally {
      await plain.drain();
    }
  });
});
