import { beforeAll, describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { hiddenField } from '../../test/helpers/dashboard.ts';
import { inlineScripts, section, seedHotAccount, signedIn, XSS_PROPERTY } from '../../test/helpers/dashboard-seed.ts';
import { newSite } from '../../test/helpers/db.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  db = env.db;
  collector = env.collector;
});

describe('the person page', () => {
  let seeded: Awaited<ReturnType<typeof seedHotAccount>>;
  beforeAll(async () => {
    seeded = await seedHotAccount(db, collector);
  });

  it('should show the score, intent, why, identities with devices, the account link and the timeline', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const res = await browser.get(`/dashboard/people/${seeded.anaId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>ana</h1>');
    expect(html).toContain(`href="/dashboard/accounts/${seeded.hotId}"`);
    expect(section(html, 'h-score')).toContain('Intent: <strong>Buying</strong>');
    expect(section(html, 'h-why')).toContain('Demo requested');
    expect(section(html, 'h-why')).toMatch(/Pricing page[\s\S]*?<strong>\+<span class="num" data-num="[\d.]+">/);
    const ids = section(html, 'h-ids');
    expect(ids).toContain('ana@hot.example');
    expect(ids).toContain(`<code>ana-anon-${seeded.site.siteId}</code>`);
    // The latest event with a user agent: the pricing page, from an iPhone (the identify came from a Mac).
    expect(ids).toContain('<strong>Safari on iOS</strong>');
    const timeline = section(html, 'h-timeline');
    expect(timeline).toContain('<strong>Demo Requested</strong>');
    expect(timeline.match(/<li>\n<div class="when">/g)).toHaveLength(4);
    expect(timeline).not.toContain('by <a');
  });

  it("should name the device of a visitor tracked by Inkling's script, from the browser's own request", async () => {
    const site = await newSite(db);
    // What the script's request carries: the browser's User-Agent and fetch metadata, no context.userAgent.
    const res = await collector.app.request('/v1/batch', {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        'sec-fetch-site': 'same-origin',
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
      },
      body: JSON.stringify({
        writeKey: site.writeKey,
        batch: [{ type: 'page', messageId: 'dev-1', anonymousId: 'dev-anon', properties: { path: '/pricing' } }],
      }),
    });
    expect(res.status).toBe(200);
    const { browser } = await signedIn(db, collector, site.siteId);
    const page = await browser.get('/dashboard/people/dev-anon');
    expect(page.status).toBe(200);
    expect(section(await page.text(), 'h-ids')).toContain('<strong>Chrome on Linux</strong>');
  });

  it('should find the person by user id and anonymous id too', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    for (const ref of ['bo@hot.example', `bo-anon-${seeded.site.siteId}`]) {
      const res = await browser.get(`/dashboard/people/${encodeURIComponent(ref)}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<h1>bo</h1>');
    }
  });

  it('should escape a script in an event property', async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId);
    const html = await (await browser.get(`/dashboard/people/${seeded.anaId}`)).text();
    expect(html).toContain('Viewed &lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain(XSS_PROPERTY);
    expect(html).not.toContain('href="javascript:');
    expect(inlineScripts(html)).toEqual([]);
  });

  it("should answer 404 for an unknown person and another site's person, and refuse an owner change without CSRF", async () => {
    const { browser } = await signedIn(db, collector, seeded.site.siteId, 'admin');
    expect((await browser.get('/dashboard/people/per_nobody')).status).toBe(404);
    const other = await newSite(db);
    const stranger = await signedIn(db, collector, other.siteId, 'admin');
    expect((await stranger.browser.get(`/dashboard/people/${seeded.anaId}`)).status).toBe(404);
    const noToken = await browser.post(`/dashboard/people/${seeded.anaId}/owner`, { owner: 'x@sales.example' });
    expect(noToken.status).toBe(403);
    const token = hiddenField(await (await browser.get(`/dashboard/people/${seeded.anaId}`)).text(), '_csrf') as string;
    const set = await browser.post(`/dashboard/people/${seeded.anaId}/owner`, {
      _csrf: token,
      owner: 'Ann@Sales.Example',
    });
    expect(set.status).toBe(303);
    const [row] = await db.query<{ owner: string | null }>('select owner from persons where site_id = $1 and id = $2', [
      seeded.site.siteId,
      seeded.anaId,
    ]);
    expect(row?.owner).toBe('ann@sales.example');
  });
});
