import { beforeAll, describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { hiddenField } from '../../test/helpers/dashboard.ts';
import {
  inlineScripts,
  section,
  seedHotAccount,
  signedIn,
  XSS_ACCOUNT,
  XSS_PROPERTY,
} from '../../test/helpers/dashboard-seed.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { TIMELINE_PAGE } from './account.ts';
import type { ScoreHistory } from './detail-data.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  db = env.db;
  collector = env.collector;
});

function historyData(page: string): ScoreHistory {
  const m = /<script type="application\/json" id="history-data">(.*?)<\/script>/s.exec(page);
  if (!m) throw new Error('no history data in the page');
  return JSON.parse(m[1] as string) as ScoreHistory;
}

describe('the account page', () => {
  let seeded: Awaited<ReturnType<typeof seedHotAccount>>;
  beforeAll(async () => {
    seeded = await seedHotAccount(db, collector);
  });

  it('should show the score, tier, contacts, category mix, why, and a timeline that says what happened', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const res = await browser.get(`/dashboard/accounts/${seeded.hotId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(section(html, 'h-score')).toContain('<span class="badge tier-high">high</span>');
    expect(section(html, 'h-score')).toMatch(/<svg class="gauge"[^>]*aria-label="Score \d+ of 100"/);
    const contacts = section(html, 'h-contacts');
    expect(contacts).toContain('Contacts (<span class="num" data-num="3">3</span>)');
    expect(contacts).toContain(`href="/dashboard/people/${seeded.anaId}"`);
    expect(contacts).toMatch(/<time datetime="\d{4}-/);
    expect(section(html, 'h-mix')).toMatch(/<rect x="128"[^>]*class="mix-bar"/);
    expect(section(html, 'h-why')).toContain('Demo requested');
    const timeline = section(html, 'h-timeline');
    expect(timeline).toContain('<strong>Demo Requested</strong>');
    expect(timeline).toContain('Viewed /pricing');
    expect(timeline).toMatch(/<span class="signal">Pricing page <span class="pts">\+/);
    expect(timeline).toContain('by <a href="/dashboard/people/');
    // Three contacts' four events (identify, two pages, a track): one page of 12 < TIMELINE_PAGE.
    expect(timeline.match(/<li>\n<div class="when">/g)).toHaveLength(12);
    expect(timeline).not.toContain('Older events');
  });

  it('should find the account by its domain too, and carry its score history with the tier crossings', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const html = await (await browser.get('/dashboard/accounts/hot.example?days=90')).text();
    expect(html).toContain('Score over 90 days');
    const history = historyData(html);
    expect(history.at.length).toBeGreaterThan(1);
    expect(history.score.at(-1)).toBeGreaterThanOrEqual(70);
    expect(history.crossings.map((x) => x.to)).toContain('high');
    // First scored minutes ago: the line still spans the 90 days, from 0.
    expect(Date.now() / 1000 - history.at[0]!).toBeGreaterThan(89 * 86_400);
    expect(history.score[0]).toBe(0);
    expect(section(html, 'h-history')).toMatch(/→ <span class="badge tier-high">high<\/span>/);
  });

  it('should escape a script in the account name and in event properties, and never link a javascript: URL', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const html = await (await browser.get(`/dashboard/accounts/${seeded.hotId}`)).text();
    expect(html).toContain('&lt;script&gt;alert(&quot;account&quot;)&lt;/script&gt;');
    expect(html).not.toContain(XSS_ACCOUNT);
    expect(html).toContain('Viewed &lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain(XSS_PROPERTY);
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<dd>javascript:alert(3)</dd>');
    expect(inlineScripts(html)).toEqual([]);
  });

  it('should page the timeline with a cursor', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const anon = `pager-${site.siteId}`;
    await api.sendAsServer([
      {
        type: 'identify',
        messageId: `m-${anon}`,
        anonymousId: anon,
        userId: 'pat@pager.example',
        traits: { email: 'pat@pager.example' },
      },
      ...Array.from({ length: TIMELINE_PAGE + 4 }, (_, i) => page(anon, `/docs/${i}`)),
    ]);
    const { browser } = await signedIn(db, collector, site.siteId);
    const first = await (await browser.get('/dashboard/accounts/pager.example')).text();
    const next = /<a href="([^"]+)">Older events<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/cursor=/);
    const second = await (await browser.get(next as string)).text();
    const count = (h: string) => section(h, 'h-timeline').match(/<li>\n<div class="when">/g)?.length;
    expect(count(first)).toBe(TIMELINE_PAGE);
    // The rest: the pages not on the first, and the identify.
    expect(count(second)).toBe(5);
    expect(second).not.toContain('Older events');
    expect(second).toContain('>Newest</a>');
  });

  it('should answer 404 for an unknown account and for an account of another site', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const missing = await browser.get('/dashboard/accounts/acc_nothing');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no such account on this site.');
    const other = await newSite(db);
    const stranger = await signedIn(db, collector, other.siteId, 'admin');
    const res = await stranger.browser.get(`/dashboard/accounts/${seeded.hotId}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('hot.example');
    const post = await stranger.browser.post(`/dashboard/accounts/${seeded.hotId}/owner`, {
      _csrf: hiddenField(await (await stranger.browser.get('/dashboard')).text(), '_csrf') as string,
      owner: 'x@other.example',
    });
    expect(post.status).toBe(404);
    const [row] = await db.query<{ owner: string | null }>(
      'select owner from accounts where site_id = $1 and id = $2',
      [seeded.site.siteId, seeded.hotId],
    );
    expect(row?.owner).toBeNull();
  });
});

describe("the account's owner", () => {
  let seeded: Awaited<ReturnType<typeof seedHotAccount>>;
  beforeAll(async () => {
    seeded = await seedHotAccount(db, collector);
  });
  const owner = async () =>
    (
      await db.query<{ owner: string | null }>('select owner from accounts where site_id = $1 and id = $2', [
        seeded.site.siteId,
        seeded.hotId,
      ])
    )[0]?.owner;

  it('should let an admin set and clear it through the form, with the CSRF token', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId, 'admin');
    const html = await (await browser.get(`/dashboard/accounts/${seeded.hotId}`)).text();
    const token = hiddenField(section(html, 'h-owner'), '_csrf');
    expect(token).toBeTruthy();
    const set = await browser.post(`/dashboard/accounts/${seeded.hotId}/owner`, {
      _csrf: token as string,
      owner: ' Ann@Sales.Example ',
    });
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe(`/dashboard/accounts/${seeded.hotId}?saved=1`);
    expect(await owner()).toBe('ann@sales.example');
    const after = await (await browser.get(`/dashboard/accounts/${seeded.hotId}?saved=1`)).text();
    expect(after).toContain('Owner saved.');
    expect(section(after, 'h-owner')).toContain('value="ann@sales.example"');
    const bad = await browser.post(`/dashboard/accounts/${seeded.hotId}/owner`, {
      _csrf: token as string,
      owner: 'nope',
    });
    expect(bad.status).toBe(400);
    expect(await owner()).toBe('ann@sales.example');
    const cleared = await browser.post(`/dashboard/accounts/hot.example/owner`, { _csrf: token as string, owner: '' });
    expect(cleared.status).toBe(303);
    expect(await owner()).toBeNull();
  });

  it('should refuse a post without the CSRF token, and show a rep the owner read-only', async () => {
    const admin = await signedIn(db, collector, seeded.site.siteId, 'admin');
    const noToken = await admin.browser.post(`/dashboard/accounts/${seeded.hotId}/owner`, { owner: 'x@sales.example' });
    expect(noToken.status).toBe(403);
    expect(await owner()).toBeNull();
    const rep = await signedIn(db, collector, seeded.site.siteId, 'rep');
    const html = await (await rep.browser.get(`/dashboard/accounts/${seeded.hotId}`)).text();
    expect(section(html, 'h-owner')).not.toContain('<form');
    expect(section(html, 'h-owner')).toContain('Only an admin can change the owner.');
    const token = hiddenField(html, '_csrf') as string;
    const res = await rep.browser.post(`/dashboard/accounts/${seeded.hotId}/owner`, {
      _csrf: token,
      owner: 'x@sales.example',
    });
    expect(res.status).toBe(403);
    expect(await owner()).toBeNull();
  });
});
