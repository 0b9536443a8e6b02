import { beforeAll, describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { dashboardBrowser, newDashboardUser } from '../../test/helpers/dashboard.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { Trends } from './trends-data.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  db = env.db;
  collector = env.collector;
});

const XSS_ACCOUNT = '<script>alert("account")</script>';
const XSS_PERSON = '<img src=x onerror=alert(1)>';

/** Three contacts of hot.example who read pricing and ask for a demo (High), and a quiet one elsewhere. */
async function seedSite() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  for (const name of ['ana', 'bo', 'cy']) {
    const anon = `${name}-anon-${site.siteId}`;
    await api.sendAsServer([
      {
        type: 'identify',
        messageId: mid(),
        anonymousId: anon,
        userId: `${name}@hot.example`,
        traits: { email: `${name}@hot.example`, name: name === 'ana' ? XSS_PERSON : name },
      },
      page(anon, '/pricing'),
      page(anon, '/case-studies/acme'),
      track({ anonymousId: anon }, 'Demo Requested'),
    ]);
  }
  await api.sendAsServer([
    {
      type: 'identify',
      messageId: mid(),
      anonymousId: `dee-${site.siteId}`,
      userId: 'dee@quiet.example',
      traits: { email: 'dee@quiet.example' },
    },
    page(`dee-${site.siteId}`, '/blog/hello'),
  ]);
  const [hot] = await db.query<{ id: string; tier: string }>(
    `select a.id, s.tier from accounts a join account_scores s on s.site_id = a.site_id and s.account_id = a.id
     where a.site_id = $1 and a.domain = 'hot.example'`,
    [site.siteId],
  );
  if (hot?.tier !== 'high' || !hot) throw new Error(`the seeded account is not High: ${JSON.stringify(hot)}`);
  // The account's name as a visitor's `group` traits could set it: a script.
  await db.query('update accounts set name = $3 where site_id = $1 and id = $2', [site.siteId, hot.id, XSS_ACCOUNT]);
  return { site, hotId: hot.id };
}

async function signedIn(siteId: string, role: 'admin' | 'rep' = 'rep') {
  const user = await newDashboardUser(db, siteId, role);
  const browser = dashboardBrowser(collector.app);
  const res = await browser.signIn(user.email, user.password);
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return { user, browser };
}

const section = (page: string, id: string) =>
  page.slice(page.indexOf(`id="${id}"`), page.indexOf('</section>', page.indexOf(`id="${id}"`)));

function chartData(page: string): Trends {
  const m = /<script type="application\/json" id="today-data">(.*?)<\/script>/s.exec(page);
  if (!m) throw new Error('no chart data in the page');
  return JSON.parse(m[1] as string) as Trends;
}

describe('the Today page', () => {
  let seeded: Awaited<ReturnType<typeof seedSite>>;
  beforeAll(async () => {
    seeded = await seedSite();
  });

  it('should list the hot account under High intent and Rising, with score, tier, trend, owner and signals', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const res = await browser.get('/dashboard');
    expect(res.status).toBe(200);
    const html = await res.text();
    const high = section(html, 'list-high');
    expect(high).toContain(`href="/dashboard/accounts/${seeded.hotId}"`);
    expect(high).toContain('<span class="badge tier-high">high</span>');
    expect(high).toMatch(/class="trend trend-rising"/);
    expect(high).toContain('<li>Demo requested</li><li>Pricing page</li>');
    expect(high).toContain('<span class="muted">none</span>');
    expect(section(html, 'list-rising')).toContain(`/dashboard/accounts/${seeded.hotId}`);
    expect(html).not.toContain('quiet.example');
    expect(section(html, 'h-tiers')).toMatch(/data-num="1"/);
  });

  it('should escape a stored account name: a script in it renders as text', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const html = await (await browser.get('/dashboard')).text();
    expect(html).toContain('&lt;script&gt;alert(&quot;account&quot;)&lt;/script&gt;');
    expect(html).not.toContain(XSS_ACCOUNT);
    expect(html.match(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/g) ?? []).toEqual([]);
  });

  it('should keep to the accounts the user owns under "Mine"', async () => {
    const { user, browser } = await signedIn(seeded.site.siteId);
    const before = await (await browser.get('/dashboard?mine=1')).text();
    expect(section(before, 'list-high')).not.toContain(seeded.hotId);
    await db.query('update accounts set owner = $3 where site_id = $1 and id = $2', [
      seeded.site.siteId,
      seeded.hotId,
      user.email,
    ]);
    const after = await (await browser.get('/dashboard?mine=1')).text();
    expect(section(after, 'list-high')).toContain(`/dashboard/accounts/${seeded.hotId}`);
    expect(section(after, 'list-high')).toContain(user.email);
    await db.query('update accounts set owner = null where site_id = $1 and id = $2', [
      seeded.site.siteId,
      seeded.hotId,
    ]);
  });

  it('should carry the charts as JSON: signals per day by category, average score, time to high intent', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const html = await (await browser.get('/dashboard?days=90')).text();
    const data = chartData(html);
    expect(data.days).toHaveLength(90);
    const web = data.volume.find((v) => v.category === 'web');
    // Six page views that count (pricing and case study, three contacts); the blog post counts too.
    expect(web?.counts.at(-1)).toBe(7);
    expect(data.volume.find((v) => v.category === 'form')?.counts.at(-1)).toBe(3);
    expect(data.averageScore.at(-1)).toBeGreaterThan(0);
    expect(data.timeToHigh.accounts).toBe(1);
    expect(data.timeToHigh.medianHours).toBeGreaterThanOrEqual(0);
    expect(html).toContain('<script defer src="/dashboard/assets/uplot.iife.min.js"></script>');
  });

  it("should show a user of another site none of this site's accounts", async () => {
    const other = await newSite(db);
    const { browser } = await signedIn(other.siteId, 'admin');
    const html = await (await browser.get('/dashboard')).text();
    expect(html).not.toContain(seeded.hotId);
    expect(html).toContain('No account is at High intent yet.');
    const search = await (await browser.get('/dashboard/search?q=hot.example')).text();
    expect(search).not.toContain(seeded.hotId);
    expect(search).toContain('No account matches');
  });
});

describe('search', () => {
  let seeded: Awaited<ReturnType<typeof seedSite>>;
  beforeAll(async () => {
    seeded = await seedSite();
  });

  it('should find an account by domain and by id, and people by email, linking to their pages', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const byDomain = await (await browser.get('/dashboard/search?q=hot.example')).text();
    expect(byDomain).toContain(`href="/dashboard/accounts/${seeded.hotId}"`);
    expect(byDomain).toMatch(/href="\/dashboard\/people\/[^"]+">bo</);
    const byId = await (await browser.get(`/dashboard/search?q=${encodeURIComponent(seeded.hotId)}`)).text();
    expect(byId).toContain(`href="/dashboard/accounts/${seeded.hotId}"`);
    const byEmail = await (await browser.get('/dashboard/search?q=CY%40hot.example')).text();
    expect(byEmail).toMatch(/href="\/dashboard\/people\/[^"]+">cy</);
    expect(byEmail).not.toContain('>bo<');
  });

  it("should show the domain of an account named by its work email's domain once, not under itself", async () => {
    const [quiet] = await db.query<{ id: string; name: string | null }>(
      "select id, name from accounts where site_id = $1 and domain = 'quiet.example'",
      [seeded.site.siteId],
    );
    expect(quiet?.name).toBe('quiet.example');
    const { browser } = await signedIn(seeded.site.siteId);
    const page = await (await browser.get('/dashboard/search?q=quiet')).text();
    expect(page).toContain(`<a href="/dashboard/accounts/${quiet?.id}">quiet.example</a>`);
    expect(page).not.toContain('<span class="sub">quiet.example</span>');
    // An account whose name differs shows its domain under the name.
    const hot = await (await browser.get('/dashboard/search?q=hot.example')).text();
    expect(hot).toContain('<span class="sub">hot.example</span>');
  });

  it('should escape a stored person name and the query itself', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const html = await (await browser.get('/dashboard/search?q=%3Cimg')).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('value="&lt;img"');
  });

  it('should match % and _ literally', async () => {
    const { browser } = await signedIn(seeded.site.siteId);
    const html = await (await browser.get('/dashboard/search?q=%25')).text();
    expect(html).toContain('No account matches');
    expect(html).toContain('No person matches');
  });
});

describe('the Model page and the assets', () => {
  it("should show the site's tiers and each signal's points now", async () => {
    const site = await newSite(db);
    const { browser } = await signedIn(site.siteId);
    const html = await (await browser.get('/dashboard/model')).text();
    expect(html).toContain('score <span class="num" data-num="70">70</span> and above');
    expect(html).toMatch(/Pricing page <code class="sub">pricing_page<\/code>[\s\S]*?data-num="(\d+(\.\d)?)"/);
    await collector.configs.save(site.siteId, {
      ...(await collector.configs.config(site.siteId)),
      tiers: { medium: 30, high: 60 },
    });
    const changed = await (await browser.get('/dashboard/model')).text();
    expect(changed).toContain('score <span class="num" data-num="60">60</span> and above');
  });

  it('should serve uPlot and the dashboard files without a session, and answer a page for an unknown path', async () => {
    const js = await collector.app.request('/dashboard/assets/uplot.iife.min.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('uPlot');
    expect((await collector.app.request('/dashboard/assets/dashboard.css')).status).toBe(200);
    expect((await collector.app.request('/dashboard/assets/..%2Fhtml.ts')).status).toBe(404);
    const site = await newSite(db);
    const { browser } = await signedIn(site.siteId);
    const missing = await browser.get('/dashboard/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
  });
});
