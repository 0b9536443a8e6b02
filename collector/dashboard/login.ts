import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { clientAddress } from '../overload/client-address.ts';
import { type DashboardDeps, type DashboardEnv, isHttps, sendPage } from './context.ts';
import { errorPage } from './error-page.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import { createLoginThrottle } from './login-limits.ts';
import { DECOY_HASH, verifyPassword } from './passwords.ts';
import { SESSION_COOKIE, sameToken } from './security.ts';
import { createSession, deleteSession, findSession, SESSION_DAYS } from './sessions.ts';
import { findUsersByEmail } from './users.ts';

/** Before a session exists, the sign-in form's CSRF token is also in this cookie (double submit). */
const LOGIN_CSRF_COOKIE = 'inkling_login_csrf';

interface LoginView {
  csrf: string;
  email?: string;
  site?: string;
  next?: string;
  message?: string;
}

function loginPage(v: LoginView) {
  return layout({
    title: 'Sign in',
    body: html`<section class="card narrow">
<h1>Sign in</h1>
${v.message ? html`<p class="alert" role="alert">${v.message}</p>` : ''}
<form method="post" action="/dashboard/login" class="stack">
<input type="hidden" name="csrf" value="${v.csrf}">
${v.site ? html`<input type="hidden" name="site" value="${v.site}">` : ''}
${v.next ? html`<input type="hidden" name="next" value="${v.next}">` : ''}
<label>Email <input type="email" name="email" value="${v.email ?? ''}" autocomplete="username" required maxlength="254" autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="200"></label>
<button type="submit" class="primary">Sign in</button>
</form>
</section>`,
  });
}

/** A path inside the dashboard to return to after sign-in; anything else goes to Today. */
function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/dashboard(?:[/?][^\\\s]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : undefined;
}

const siteParam = (v: unknown) => (typeof v === 'string' && /^site_[0-9A-Za-z]{1,40}$/.test(v) ? v : undefined);
const field = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === 'string' ? (form[name] as string) : '';

/**
 * `GET /dashboard/login` and `POST /dashboard/login` (no session needed). The form has
 * `email` and `password`; the email is found across sites, and when the same address and
 * password sign in to several sites, the sign-in link names the site (`?site=site_...`).
 */
export function registerLogin(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  const throttle = createLoginThrottle(deps.loginLimits);
  const cookieOptions = (secure: boolean) => ({ path: '/dashboard', httpOnly: true, secure, sameSite: 'Lax' as const });

  const showForm = (c: Context, v: Omit<LoginView, 'csrf'>, status: ContentfulStatusCode = 200) => {
    const csrf = randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, {
      ...cookieOptions(isHttps(c, deps)),
      path: '/dashboard/login',
      sameSite: 'Strict',
      maxAge: 3600,
    });
    return sendPage(c, loginPage({ ...v, csrf }), status);
  };

  app.get('/dashboard/login', async (c) => {
    if (await findSession(deps.db, getCookie(c, SESSION_COOKIE)))
      return c.redirect(safeNext(c.req.query('next')) ?? '/dashboard', 303);
    return showForm(c, { site: siteParam(c.req.query('site')), next: safeNext(c.req.query('next')) });
  });

  app.post('/dashboard/login', async (c) => {
    const form = await c.req.parseBody();
    if (!sameToken(field(form, 'csrf'), getCookie(c, LOGIN_CSRF_COOKIE))) {
      return showForm(c, { message: 'The sign-in form had expired. Please try again.' }, 403);
    }
    const email = field(form, 'email').trim().toLowerCase().slice(0, 254);
    const password = field(form, 'password').slice(0, 200);
    const site = siteParam(form.site);
    const next = safeNext(form.next);
    const wait = await throttle.attempt(email, clientAddress(c, deps.trustProxy));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return sendPage(
        c,
        errorPage(429, `Too many sign-in attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`),
        429,
      );
    }
    const candidates = email && password ? await findUsersByEmail(deps.db, email, site) : [];
    if (candidates.length === 0) await verifyPassword(password, DECOY_HASH);
    const matches = [];
    for (const user of candidates) if (await verifyPassword(password, user.passwordHash)) matches.push(user);
    if (matches.length > 1) {
      return showForm(
        c,
        {
          email,
          next,
          message: 'This email signs in to several sites: open the sign-in link of your site (it ends with ?site=...).',
        },
        409,
      );
    }
    const user = matches[0];
    if (!user) return showForm(c, { email, site, next, message: 'Wrong email or password.' }, 401);
    await throttle.succeeded(email);
    const value = await createSession(deps.db, user);
    setCookie(c, SESSION_COOKIE, value, { ...cookieOptions(isHttps(c, deps)), maxAge: SESSION_DAYS * 86_400 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/dashboard/login' });
    deps.log.info('dashboard sign-in', { siteId: user.siteId, userId: user.id });
    return c.redirect(next ?? '/dashboard', 303);
  });
}

/** `POST /dashboard/logout`, registered behind `requireSession` (a live session and its CSRF token). */
export function registerLogout(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.post('/dashboard/logout', async (c) => {
    const session = c.get('session');
    await deleteSession(deps.db, session.siteId, session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard', secure: isHttps(c, deps) });
    return c.redirect('/dashboard/login', 303);
  });
}
