import { Hono } from 'hono';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { InklingError, RETRY_AFTER_SECONDS } from '../errors.ts';
import { registerAccount } from './account.ts';
import { registerAssets } from './assets.ts';
import { registerCalibration } from './calibration.ts';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { errorPage } from './error-page.ts';
import { registerLogin, registerLogout } from './login.ts';
import { registerModel } from './model.ts';
import { registerPerson } from './person.ts';
import { registerRules } from './rules.ts';
import { registerSearch } from './search.ts';
import { dashboardHeaders, requireSession, sameOriginForms } from './security.ts';
import { registerToday } from './today.ts';
import { createTrendsCache } from './trends-cache.ts';

/**
 * The dashboard: server-rendered pages under `/dashboard`, one file per page, each with a
 * `register...(app, deps)`. In order: the CSP and safe headers on every answer, the assets
 * and the sign-in page (no session needed), the same-origin check of every form, then the
 * session (and its CSRF token on every POST) for everything else. A new page registers after
 * `requireSession` and uses `layout()` and `html`.
 */
export function dashboardRoutes(deps: DashboardDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const trends = createTrendsCache(deps);
  // `/dashboard/*` also matches `/dashboard` itself.
  app.use('/dashboard/*', dashboardHeaders());
  app.use('/dashboard/*', sameOriginForms(deps));
  registerAssets(app);
  registerLogin(app, deps);

  app.use('/dashboard/*', requireSession(deps));
  registerLogout(app, deps);
  registerToday(app, deps, trends);
  registerModel(app, deps);
  registerCalibration(app, deps);
  registerSearch(app, deps);
  registerAccount(app, deps);
  registerPerson(app, deps);
  registerRules(app, deps);
  // Mistyped paths: a page, not the API's JSON.
  app.all('/dashboard/*', (c) => sendPage(c, errorPage(404, 'There is no such page.', c.get('session')), 404));

  app.onError((err, c) => {
    if (err instanceof InklingError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return sendPage(c, errorPage(err.status, err.message, c.get('session')), err.status);
    }
    if (isDatabaseUnavailable(err)) {
      c.header('Retry-After', RETRY_AFTER_SECONDS);
      return sendPage(c, errorPage(503, 'The database is unavailable; retry in a moment.'), 503);
    }
    deps.log.error('dashboard error', { method: c.req.method, path: c.req.path, err });
    return sendPage(c, errorPage(500, 'Something went wrong on our side; it has been logged.'), 500);
  });
  return app;
}
