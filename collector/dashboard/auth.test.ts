import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBrowser, hiddenField, newDashboardUser } from '../../test/helpers/dashboard.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { TEST_LIMITS } from '../../test/helpers/server.ts';
import { type Collector, createCollector } from '../app.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

let tdb: TestDatabase;
let collector: Collector;
/** A collector whose sign-in limit is 3 attempts per email. */
let strict: Collector;

beforeAll(async () => {
  tdb = await openTestDatabase();
  collector = createCollector({ db: tdb.db, rescoreIntervalMs: 0, limits: TEST_LIMITS });
  strict = createCollector({
    db: tdb.db,
    rescoreIntervalMs: 0,
    limits: TEST_LIMITS,
    loginLimits: { perEmail: 3, perAddress: 100, windowSeconds: 600 },
  });
});
afterAll(async () => {
  await collector?.drain();
  await strict?.drain();
  await tdb?.close();
});

const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('inkling_session='));

describe('dashboard sign-in', () => {
  it('should send a visitor without a session to the sign-in page, keeping where they were going', async () => {
    const browser = dashboardBrowser(collector.app);
    const today = await browser.get('/dashboard');
    expect(today.status).toBe(302);
    expect(today.headers.get('location')).toBe('/dashboard/login');
    const model = await browser.get('/dashboard/model');
    expect(model.headers.get('location')).toBe('/dashboard/login?next=%2Fdashboard%2Fmodel');
  });

  it('should serve the sign-in form with email, password and a CSRF token under a strict CSP', async () => {
    const res = await dashboardBrowser(collector.app).get('/dashboard/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page).toContain('<input type="email" name="email"');
    expect(page).toContain('<input type="password" name="password"');
    expect(hiddenField(page, 'csrf')).toMatch(/^[\w-]{32}$/);
    // No inline script or style: every <script> has a src, and no style attribute or element.
    expect(page.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
    expect(page).not.toMatch(/<style|style="/);
  });

  it('should sign a user in with an HttpOnly, SameSite=Lax session cookie and show their pages', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(
      tdb.db,
      site.siteId,
      'rep',
      `Mixed.Case-${Date.now()}@Sales.example`.toLowerCase(),
    );
    const browser = dashboardBrowser(collector.app);
    const res = await browser.signIn(user.email.toUpperCase(), user.password);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookie = sessionCookie(res) ?? '';
    expect(cookie).toMatch(/^inkling_session=site_\w+\.[\w-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/dashboard');
    expect(cookie).not.toContain('Secure');
    const today = await browser.get('/dashboard');
    expect(today.status).toBe(200);
    expect(await today.text()).toContain(user.name);
    // Only the token's hash is stored.
    const token = cookie.split(';')[0]?.split('.')[1] ?? '';
    const rows = await tdb.db.query<{ id: string }>('select id from dashboard_sessions where site_id = $1', [
      site.siteId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.id).not.toContain(token);
  });

  it('should mark the session cookie Secure over https', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    const form = await collector.app.request('https://dash.example/dashboard/login');
    const csrf = hiddenField(await form.text(), 'csrf') ?? '';
    const loginCookie = form.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(form.headers.getSetCookie()[0]).toContain('Secure');
    const res = await collector.app.request('https://dash.example/dashboard/login', {
      method: 'POST',
      headers: {
        cookie: loginCookie,
        origin: 'https://dash.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ email: user.email, password: user.password, csrf }).toString(),
    });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).toContain('Secure');
  });

  it('should refuse a wrong password or an unknown email with the same message and no session', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    for (const [email, password] of [
      [user.email, `${user.password}x`],
      [`nobody-${Date.now()}@sales.example`, user.password],
    ] as const) {
      const browser = dashboardBrowser(collector.app);
      const res = await browser.signIn(email, password);
      expect(res.status).toBe(401);
      expect(sessionCookie(res)).toBeUndefined();
      expect(await res.text()).toContain('Wrong email or password.');
      expect((await browser.get('/dashboard')).status).toBe(302);
    }
  });

  it('should answer 403 to a sign-in without its CSRF token, or a form posted from another origin', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    const browser = dashboardBrowser(collector.app);
    await browser.get('/dashboard/login');
    const missing = await browser.post('/dashboard/login', { email: user.email, password: user.password });
    expect(missing.status).toBe(403);
    expect(sessionCookie(missing)).toBeUndefined();
    const form = await (await browser.get('/dashboard/login')).text();
    const fields = { email: user.email, password: user.password, csrf: hiddenField(form, 'csrf') ?? '' };
    const foreign = await browser.post('/dashboard/login', fields, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('sent from another site');
    expect(sessionCookie(foreign)).toBeUndefined();
  });

  it('should answer 403 to a signed-in form without the session CSRF token, and sign out with it', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    const browser = dashboardBrowser(collector.app);
    expect((await browser.signIn(user.email, user.password)).status).toBe(303);
    const refused = await browser.post('/dashboard/logout', {});
    expect(refused.status).toBe(403);
    const wrong = await browser.post('/dashboard/logout', { _csrf: 'not-the-token' });
    expect(wrong.status).toBe(403);
    const today = await browser.get('/dashboard');
    expect(today.status).toBe(200);
    const csrf = hiddenField(await today.text(), '_csrf') ?? '';
    const out = await browser.post('/dashboard/logout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/dashboard/login');
    expect(browser.jar.has('inkling_session')).toBe(false);
    const [{ n } = { n: -1 }] = await tdb.db.query<{ n: number }>(
      'select count(*)::int as n from dashboard_sessions where site_id = $1',
      [site.siteId],
    );
    expect(n).toBe(0);
    expect((await browser.get('/dashboard')).status).toBe(302);
  });

  it('should answer 429 after too many attempts for one email, even with the right password', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    const browser = dashboardBrowser(strict.app);
    for (let i = 0; i < 3; i++) expect((await browser.signIn(user.email, 'wrong-password')).status).toBe(401);
    const limited = await browser.signIn(user.email, user.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many sign-in attempts');
    expect(sessionCookie(limited)).toBeUndefined();
  });

  it('should keep a user to their own site: a forged cookie naming another site signs no one in', async () => {
    const a = await newSite(tdb.db);
    const b = await newSite(tdb.db);
    const userB = await newDashboardUser(tdb.db, b.siteId);
    const browser = dashboardBrowser(collector.app);
    await browser.signIn(userB.email, userB.password);
    const value = browser.jar.get('inkling_session') ?? '';
    expect(value.startsWith(`${b.siteId}.`)).toBe(true);
    browser.jar.set('inkling_session', value.replace(b.siteId, a.siteId));
    expect((await browser.get('/dashboard')).status).toBe(302);
  });

  it('should ask for the site when one email and password sign in to two sites, and sign in with ?site=', async () => {
    const a = await newSite(tdb.db);
    const b = await newSite(tdb.db);
    const email = `both-${Date.now()}@sales.example`;
    const userA = await newDashboardUser(tdb.db, a.siteId, 'rep', email);
    await tdb.db.query(
      'insert into dashboard_users select $1, id || $2, email, name, role, slack_member_id, password_hash, created_at from dashboard_users where site_id = $3 and id = $4',
      [b.siteId, '-b', a.siteId, userA.id],
    );
    const ambiguous = await dashboardBrowser(collector.app).signIn(email, userA.password);
    expect(ambiguous.status).toBe(409);
    expect(await ambiguous.text()).toContain('?site=');
    const browser = dashboardBrowser(collector.app);
    const res = await browser.signIn(email, userA.password, `?site=${b.siteId}`);
    expect(res.status).toBe(303);
    expect(browser.jar.get('inkling_session')?.startsWith(`${b.siteId}.`)).toBe(true);
  });

  it('should return to the page asked for after sign-in, never to another site', async () => {
    const site = await newSite(tdb.db);
    const user = await newDashboardUser(tdb.db, site.siteId);
    const back = await dashboardBrowser(collector.app).signIn(user.email, user.password, '?next=%2Fdashboard%2Fmodel');
    expect(back.headers.get('location')).toBe('/dashboard/model');
    const away = await dashboardBrowser(collector.app).signIn(
      user.email,
      user.password,
      '?next=https%3A%2F%2Fevil.example',
    );
    expect(away.headers.get('location')).toBe('/dashboard');
  });
});
