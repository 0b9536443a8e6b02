import type { Collector } from '../../collector/app.ts';
import type { Database } from '../../collector/db/client.ts';
import { dashboardBrowser, newDashboardUser } from './dashboard.ts';
import { newSite } from './db.ts';
import { intentClient, mid, page, track } from './intent.ts';

/** A script as a visitor could store it: as an account's name (group traits) or an event's property. */
export const XSS_ACCOUNT = '<script>alert("account")</script>';
export const XSS_PROPERTY = '<img src=x onerror=alert(2)>';
export const XSS_URL = 'javascript:alert(3)';

/**
 * A site with one High account, hot.example: three contacts who read pricing, a case study
 * (its title a script) and ask for a demo; the account named with a script. Answers the
 * site, the account's id and the id of its contact ana.
 */
export async function seedHotAccount(db: Database, collector: Collector) {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  for (const name of ['ana', 'bo', 'cy']) {
    const anon = `${name}-anon-${site.siteId}`;
    // Distinct times, a minute apart: the order of the timeline and of the devices' latest user agent is defined.
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await api.sendAsServer([
      {
        type: 'identify',
        messageId: mid(),
        anonymousId: anon,
        userId: `${name}@hot.example`,
        traits: { email: `${name}@hot.example`, name },
        timestamp: at(4),
        context: {
          userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36',
        },
      },
      page(anon, '/pricing', {
        timestamp: at(3),
        context: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1' },
      }),
      page(anon, '/case-studies/acme', {
        timestamp: at(2),
        properties: { path: '/case-studies/acme', title: XSS_PROPERTY, url: XSS_URL },
      }),
      track({ anonymousId: anon }, 'Demo Requested', { timestamp: at(1) }),
    ]);
  }
  const [hot] = await db.query<{ id: string; tier: string }>(
    `select a.id, s.tier from accounts a join account_scores s on s.site_id = a.site_id and s.account_id = a.id
     where a.site_id = $1 and a.domain = 'hot.example'`,
    [site.siteId],
  );
  if (hot?.tier !== 'high' || !hot) throw new Error(`the seeded account is not High: ${JSON.stringify(hot)}`);
  await db.query('update accounts set name = $3 where site_id = $1 and id = $2', [site.siteId, hot.id, XSS_ACCOUNT]);
  const [ana] = await db.query<{ id: string }>('select id from persons where site_id = $1 and user_id = $2', [
    site.siteId,
    'ana@hot.example',
  ]);
  return { site, hotId: hot.id, anaId: ana!.id };
}

/** A signed-in dashboard user of the site and their cookie-keeping `app.request()` browser. */
export async function signedIn(db: Database, collector: Collector, siteId: string, role: 'admin' | 'rep' = 'rep') {
  const user = await newDashboardUser(db, siteId, role);
  const browser = dashboardBrowser(collector.app);
  const res = await browser.signIn(user.email, user.password);
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return { user, browser };
}

/** The part of a page from the element with `id` to the end of its section. */
export const section = (html: string, id: string) =>
  html.slice(html.indexOf(`id="${id}"`), html.indexOf('</section>', html.indexOf(`id="${id}"`)));

/** No script element but the served files and JSON data blocks. */
export const inlineScripts = (html: string) =>
  html.match(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/g) ?? [];
