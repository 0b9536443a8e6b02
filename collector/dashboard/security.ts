import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { errorPage } from './error-page.ts';
import { findSession } from './sessions.ts';

/** The session cookie: `<site id>.<token>`, HttpOnly, SameSite=Lax, Secure on https. */
export const SESSION_COOKIE = 'inkling_session';

/**
 * The one Content-Security-Policy of every dashboard answer: scripts, styles and everything
 * else from the collector itself, no inline script or style, no plugins, no framing, forms
 * posted only here.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** CSP and the other safe headers (hono's secureHeaders), on every `/dashboard` answer. */
export function dashboardHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    // The collector may be served over plain http on a laptop; HSTS is the proxy's to set.
    strictTransportSecurity: false,
  });
  return async function dashboardSecureHeaders(c, next) {
    await headers(c, next);
  };
}

/**
 * A form posted from another origin is refused (hono's csrf(): Origin or Sec-Fetch-Site),
 * as a 403 page. The request's own origin and the public URL's are accepted (behind a proxy
 * the request URL may say http while the browser says https).
 */
export function sameOriginForms(deps: Pick<DashboardDeps, 'publicUrl'>): MiddlewareHandler {
  const publicOrigin = new URL(deps.publicUrl).origin;
  const check = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin });
  return async function originCheck(c, next) {
    try {
      await check(c, async () => {});
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) {
        return sendPage(c, errorPage(403, 'This form was sent from another site and was refused.'), 403);
      }
      throw err;
    }
    await next();
  };
}

/** Whether two tokens are equal, in constant time. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every dashboard path but the sign-in page and the assets needs a live session: without
 * one a GET is sent to the sign-in page (with `next`), anything else gets 403. A POST must
 * also carry the session's CSRF token in its `_csrf` field.
 */
export function requireSession(deps: Pick<DashboardDeps, 'db'>): MiddlewareHandler<DashboardEnv> {
  return async function sessionAuth(c, next) {
    const session = await findSession(deps.db, getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const url = new URL(c.req.url);
        const back =
          url.pathname === '/dashboard' && !url.search ? '' : `?next=${encodeURIComponent(url.pathname + url.search)}`;
        return c.redirect(`/dashboard/login${back}`, 302);
      }
      return sendPage(c, errorPage(403, 'Your session has ended: sign in again.'), 403);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const field = form._csrf;
      if (!sameToken(typeof field === 'string' ? field : undefined, session.csrfToken)) {
        return sendPage(
          c,
          errorPage(403, 'This form is out of date or was not sent from the dashboard. Reload and try again.'),
          403,
        );
      }
    }
    c.set('session', session);
    await next();
  };
}
