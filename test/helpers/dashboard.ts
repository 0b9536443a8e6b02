import type { Hono } from 'hono';
import { createUser, type DashboardUser, type Role } from '../../collector/dashboard/users.ts';
import type { Database } from '../../collector/db/client.ts';

/** `app.request()`'s default origin: forms posted from the dashboard's own pages carry it. */
export const ORIGIN = 'http://localhost';

/** A dashboard user of a site with a known password. */
export async function newDashboardUser(
  db: Database,
  siteId: string,
  role: Role = 'rep',
  email = `rep-${Math.random().toString(36).slice(2, 8)}@sales.example`,
): Promise<DashboardUser & { password: string }> {
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  const user = await createUser(db, siteId, {
    email,
    name: `Rep ${email.split('@')[0]}`,
    role,
    password,
    slackMemberId: null,
  });
  return { ...user, password };
}

/** An attribute value as the browser reads it (the escapes `html` writes). */
function decodeEntities(value: string): string {
  const map: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
    '&#96;': '`',
  };
  return value.replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (e) => map[e] as string);
}

/** The value of a hidden field in a page. */
export function hiddenField(page: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(page)?.[1];
}

/**
 * A browser's view of the dashboard through `app.request()`: it keeps the cookies the app
 * sets (and forgets the ones it clears), sends them back, and posts forms from the
 * dashboard's origin unless told otherwise. Redirects are not followed.
 */
export function dashboardBrowser(app: Hono) {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const browser = {
    jar,
    async get(path: string): Promise<Response> {
      return remember(await app.request(path, { headers: { cookie: cookie() } }));
    },
    async post(
      path: string,
      fields: Record<string, string>,
      options: { origin?: string | null } = {},
    ): Promise<Response> {
      const headers: Record<string, string> = { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' };
      const origin = options.origin === undefined ? ORIGIN : options.origin;
      if (origin) headers.origin = origin;
      return remember(
        await app.request(path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() }),
      );
    },
    /** Opens the sign-in page and posts it; answers the POST's response. */
    async signIn(email: string, password: string, query = ''): Promise<Response> {
      const form = await (await browser.get(`/dashboard/login${query}`)).text();
      const fields: Record<string, string> = { email, password };
      for (const name of ['csrf', 'site', 'next']) {
        const value = hiddenField(form, name);
        if (value !== undefined) fields[name] = decodeEntities(value);
      }
      return browser.post('/dashboard/login', fields);
    },
  };
  return browser;
}
