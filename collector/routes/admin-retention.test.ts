import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { createCollector } from '../app.ts';
import { MIN_RETENTION_DAYS } from '../db/retention.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t.close());

const TOKEN = 'admin-token-for-retention-tests';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function admin() {
  return createCollector({ db: t.db, rescoreIntervalMs: 0, config: { adminToken: TOKEN } }).app;
}

const storedRetention = async (siteId: string) =>
  (await t.db.query<{ retention_days: number | null }>('select retention_days from sites where id = $1', [siteId]))[0]
    ?.retention_days;

describe("a site's event retention through the admin API", () => {
  it('should create a site with a retention and list it, and default to null (the global setting)', async () => {
    const app = admin();
    const res = await app.request('/v1/admin/sites', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Kept a year', retentionDays: 365 }),
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.retentionDays).toBe(365);
    expect(await storedRetention(created.siteId)).toBe(365);
    const plain = await (
      await app.request('/v1/admin/sites', { method: 'POST', headers, body: JSON.stringify({ name: 'Default' }) })
    ).json();
    expect(plain.retentionDays).toBeNull();
    const listed = (await (await app.request('/v1/admin/sites', { headers })).json()).sites as {
      siteId: string;
      retentionDays: number | null;
    }[];
    expect(listed.find((s) => s.siteId === created.siteId)?.retentionDays).toBe(365);
    expect(listed.find((s) => s.siteId === plain.siteId)?.retentionDays).toBeNull();
  });

  it(`should refuse a retention under ${MIN_RETENTION_DAYS} days with 400 and say why, storing nothing`, async () => {
    const app = admin();
    const res = await app.request('/v1/admin/sites', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Too short', retentionDays: 30 }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      code: 'invalid_site',
      message: `retentionDays: must be at least ${MIN_RETENTION_DAYS} days: the default scoring model reads events up to ${MIN_RETENTION_DAYS} days old`,
    });
    const site = await newSite(t.db);
    for (const retentionDays of [MIN_RETENTION_DAYS - 1, 250.5, '300', -1]) {
      const patched = await app.request(`/v1/admin/sites/${site.siteId}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ retentionDays }),
      });
      expect(patched.status, String(retentionDays)).toBe(400);
    }
    expect(await storedRetention(site.siteId)).toBeNull();
  });

  it("should change an existing site's retention with PATCH, back to null too, and answer 404 for no such site", async () => {
    const app = admin();
    const site = await newSite(t.db);
    const patch = (siteId: string, body: string) =>
      app.request(`/v1/admin/sites/${siteId}`, { method: 'PATCH', headers, body });
    const set = await patch(site.siteId, JSON.stringify({ retentionDays: MIN_RETENTION_DAYS }));
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ siteId: site.siteId, retentionDays: MIN_RETENTION_DAYS });
    expect(await storedRetention(site.siteId)).toBe(MIN_RETENTION_DAYS);
    const cleared = await patch(site.siteId, JSON.stringify({ retentionDays: null }));
    expect((await cleared.json()).retentionDays).toBeNull();
    expect(await storedRetention(site.siteId)).toBeNull();
    expect((await patch('site_missing', JSON.stringify({ retentionDays: 400 }))).status).toBe(404);
    expect((await patch(site.siteId, '{not json')).status).toBe(400);
    const anonymous = await app.request(`/v1/admin/sites/${site.siteId}`, {
      method: 'PATCH',
      body: JSON.stringify({ retentionDays: 400 }),
    });
    expect(anonymous.status).toBe(401);
  });
});
