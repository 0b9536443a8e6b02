import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { createCollector } from '../app.ts';
import { findSiteBySecretKey, findSiteByWriteKey, rotateSiteKeys } from '../sites.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t.close());

const TOKEN = 'admin-token-for-tests';

describe('POST /v1/admin/sites', () => {
  it('should create a site and answer 201 with its keys and identity-verification secret', async () => {
    const { app } = createCollector({ db: t.db, config: { adminToken: TOKEN } });
    const res = await app.request('/v1/admin/sites', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', origins: ['https://acme.test'] }),
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({
      siteId: expect.stringMatching(/^site_/),
      name: 'Acme',
      origins: ['https://acme.test'],
      writeKey: expect.stringMatching(/^pk_/),
      secretKey: expect.stringMatching(/^sk_/),
      verificationSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
      retentionDays: null,
    });
    const ingest = await app.request(`/v1/page?key=${body.writeKey}`, {
      method: 'POST',
      body: JSON.stringify({ anonymousId: 'a', messageId: 'first' }),
    });
    expect(ingest.status).toBe(200);
  });

  it('should answer 401 without the admin token and 400 for a bad site', async () => {
    const { app } = createCollector({ db: t.db, config: { adminToken: TOKEN } });
    const none = await app.request('/v1/admin/sites', { method: 'POST', body: '{"name":"x"}' });
    expect(none.status).toBe(401);
    const wrong = await app.request('/v1/admin/sites', {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '{"name":"x"}',
    });
    expect(wrong.status).toBe(401);
    const bad = await app.request('/v1/admin/sites', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: 'x', origins: ['https://acme.test/path'] }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/^origins\.0: /);
  });

  it('should answer 400 for a site name holding NUL or a lone surrogate', async () => {
    const { app } = createCollector({ db: t.db, config: { adminToken: TOKEN } });
    for (const name of ['Acme\u0000', '\ud800Acme']) {
      const res = await app.request('/v1/admin/sites', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ name }),
      });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect((await res.json()).error.message).toBe('name: must not contain NUL or lone surrogates');
    }
  });

  it('should not exist when INKLING_ADMIN_TOKEN is unset', async () => {
    const { app } = createCollector({ db: t.db });
    const res = await app.request('/v1/admin/sites', { method: 'POST', body: '{"name":"x"}' });
    expect(res.status).toBe(404);
  });
});

describe('keys', () => {
  it('should store only a hash of the secret key and find the site by it', async () => {
    const site = await newSite(t.db);
    const rows = await t.db.query<Record<string, unknown>>('select * from sites where id = $1', [site.siteId]);
    expect(JSON.stringify(rows)).not.toContain(site.secretKey);
    expect(JSON.stringify(rows)).not.toContain(site.secretKey.slice(15));
    expect((await findSiteBySecretKey(t.db, site.secretKey))?.id).toBe(site.siteId);
    const tampered = `${site.secretKey.slice(0, -1)}${site.secretKey.endsWith('a') ? 'b' : 'a'}`;
    expect(await findSiteBySecretKey(t.db, tampered)).toBeUndefined();
  });

  it('should make the old keys stop working after a rotation', async () => {
    const site = await newSite(t.db);
    const rotated = await rotateSiteKeys(t.db, site.siteId, { write: true, secret: true });
    expect(rotated?.writeKey).toMatch(/^pk_/);
    expect(await findSiteByWriteKey(t.db, site.writeKey)).toBeUndefined();
    expect(await findSiteBySecretKey(t.db, site.secretKey)).toBeUndefined();
    expect((await findSiteBySecretKey(t.db, rotated?.secretKey as string))?.id).toBe(site.siteId);
    expect(await rotateSiteKeys(t.db, 'site_missing', { write: true, secret: false })).toBeUndefined();
  });
});

describe('health', () => {
  it('should answer /healthz and /readyz', async () => {
    const { app } = createCollector({ db: t.db });
    expect((await app.request('/healthz')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
