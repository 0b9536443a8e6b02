import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBrowser } from '../../test/helpers/dashboard.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { type Collector, createCollector } from '../app.ts';

let t: TestDatabase;
let collector: Collector;
const TOKEN = 'admin-token-for-user-tests';

beforeAll(async () => {
  t = await openTestDatabase();
  collector = createCollector({ db: t.db, rescoreIntervalMs: 0, config: { adminToken: TOKEN } });
});
afterAll(async () => {
  await collector?.drain();
  await t?.close();
});

const addUser = (siteId: string, body: unknown, token = TOKEN) =>
  collector.app.request(`/v1/admin/sites/${siteId}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /v1/admin/sites/:siteId/users', () => {
  it('should create a dashboard user who can then sign in, answering 201 without the password', async () => {
    const site = await newSite(t.db);
    // Unique per run: the PostgreSQL test database keeps earlier runs' users.
    const local = `ann-${Date.now()}`;
    const res = await addUser(site.siteId, {
      email: ` ${local.toUpperCase()}@Acme.TEST `,
      name: 'Ann',
      role: 'rep',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({ id: expect.stringMatching(/^usr_/), email: `${local}@acme.test`, name: 'Ann', role: 'rep' });
    const [row] = await t.db.query<{ password_hash: string }>(
      'select password_hash from dashboard_users where site_id = $1 and id = $2',
      [site.siteId, body.id],
    );
    expect(row?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(row?.password_hash).not.toContain('correct horse');
    const signIn = await dashboardBrowser(collector.app).signIn(`${local}@acme.test`, 'correct horse battery');
    expect(signIn.status).toBe(303);
  });

  it('should answer 409 for an email the site already has, in any case, and accept it on another site', async () => {
    const site = await newSite(t.db);
    const user = { email: 'bob@acme.test', name: 'Bob', role: 'admin', password: 'a long password' };
    expect((await addUser(site.siteId, user)).status).toBe(201);
    const again = await addUser(site.siteId, { ...user, email: 'BOB@acme.test' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('duplicate_email');
    const other = await newSite(t.db);
    expect((await addUser(other.siteId, user)).status).toBe(201);
  });

  it('should answer 400 for bad input, 404 for an unknown site and 401 without the token', async () => {
    const site = await newSite(t.db);
    const good = { email: 'cy@acme.test', name: 'Cy', role: 'rep', password: 'a long password' };
    for (const bad of [
      { ...good, email: 'not-an-email' },
      { ...good, role: 'owner' },
      { ...good, password: 'short' },
      { ...good, name: '' },
      { ...good, extra: 1 },
      '{"email":',
    ]) {
      const res = await addUser(site.siteId, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).error.code).toMatch(/^invalid_(user|json)$/);
    }
    const unknown = await addUser('site_nope', good);
    expect(unknown.status).toBe(404);
    expect((await addUser(site.siteId, good, 'wrong')).status).toBe(401);
  });
});
