import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import { readConfig } from '../config.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Site = Awaited<ReturnType<typeof newSite>>;

function createLink(site: Site, body: unknown, key = site.secretKey) {
  return collector.app.request('http://collector.test/v1/links', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

describe('POST /v1/links', () => {
  it('should answer 201 with a slug and a short URL on the default public URL, whatever the Host', async () => {
    const site = await newSite(db);
    const res = await createLink(site, { url: 'https://acme.test/pricing', recipient: 'u-lnk-0' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.slug).toMatch(/^[\w-]{8,}$/);
    expect(body.shortUrl).toBe(`http://127.0.0.1:8787/l/${body.slug}`);
  });

  it('should build the short URL from INKLING_PUBLIC_URL even when the Host header is forged', async () => {
    const site = await newSite(db);
    const publicUrl = readConfig({ INKLING_PUBLIC_URL: 'https://ink.example.com/' }).publicUrl;
    const configured = createCollector({ db, rescoreIntervalMs: 0, config: { publicUrl } });
    try {
      const res = await configured.app.request('http://evil.test/v1/links', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${site.secretKey}`,
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
        },
        body: JSON.stringify({ url: 'https://acme.test/pricing' }),
      });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body.shortUrl).toBe(`https://ink.example.com/l/${body.slug}`);
    } finally {
      await configured.drain();
    }
  });

  it('should answer 400 for a url that is not http(s) and 401 for a write key', async () => {
    const site = await newSite(db);
    expect((await createLink(site, { url: 'javascript:alert(1)' })).status).toBe(400);
    expect((await createLink(site, { url: 'not a url' })).status).toBe(400);
    expect((await createLink(site, { url: 'https://acme.test/' }, site.writeKey)).status).toBe(401);
    const notJson = await collector.app.request('/v1/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${site.secretKey}` },
      body: '{"url":',
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe('invalid_json');
  });

  it('should answer 400 invalid_body for NUL or a lone surrogate in url or recipient, storing nothing', async () => {
    const site = await newSite(db);
    for (const body of [
      { url: 'https://acme.test/\u0000' },
      { url: 'https://acme.test/', recipient: 'u-\u0000' },
      { url: 'https://acme.test/\ud800' },
      { url: 'https://acme.test/', recipient: '\udc00u' },
    ]) {
      const res = await createLink(site, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
    }
    expect(await db.query('select slug from links where site_id = $1', [site.siteId])).toEqual([]);
    expect((await createLink(site, { url: 'https://acme.test/', recipient: 'u-ok' })).status).toBe(201);
  });
});

describe('GET /l/:slug', () => {
  it('should redirect with ink_lnk and record Tracked Link Opened for the recipient', async () => {
    const site = await newSite(db);
    const { slug } = await (
      await createLink(site, { url: 'https://acme.test/pricing?x=1', recipient: 'u-lnk-1' })
    ).json();
    const res = await collector.app.request(`/l/${slug}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://acme.test/pricing');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('ink_lnk')).toBe(slug);
    const events = await db.query<{ event: string; user_id: string; properties: Record<string, unknown> }>(
      'select event, user_id, properties from events where site_id = $1',
      [site.siteId],
    );
    expect(events).toEqual([
      {
        event: 'Tracked Link Opened',
        user_id: 'u-lnk-1',
        properties: { slug, url: 'https://acme.test/pricing?x=1' },
      },
    ]);
  });

  it('should redirect a HEAD request without recording an open (a scanner or a preview checks the link)', async () => {
    const site = await newSite(db);
    const { slug } = await (await createLink(site, { url: 'https://acme.test/pricing', recipient: 'u-lnk-h' })).json();
    const opens = () =>
      db.query<{ event: string }>('select event from events where site_id = $1', [site.siteId]).then((r) => r.length);
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const head = await collector.app.request(`/l/${slug}`, { method: 'HEAD', headers: { 'user-agent': chrome } });
    expect(head.status).toBe(302);
    expect(new URL(head.headers.get('location') ?? '').searchParams.get('ink_lnk')).toBe(slug);
    expect(await opens()).toBe(0);
    expect((await collector.app.request(`/l/${slug}`, { headers: { 'user-agent': chrome } })).status).toBe(302);
    expect(await opens()).toBe(1);
  });

  it('should answer 404 JSON for an unknown slug', async () => {
    const res = await collector.app.request('/l/nope-not-a-slug');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it("should count the visitor's earlier anonymous browsing for the recipient once they land", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([{ type: 'identify', messageId: mid(), userId: 'u-lnk-2', traits: { email: 'pat@acme.test' } }]);
    await api.send([page('lnk-anon', '/pricing'), track({ anonymousId: 'lnk-anon' }, 'Demo Requested')]);
    const before = await api.person('u-lnk-2');
    const { slug } = await (await createLink(site, { url: 'https://acme.test/', recipient: 'u-lnk-2' })).json();
    await collector.app.request(`/l/${slug}`);
    await api.send([track({ anonymousId: 'lnk-anon' }, 'Tracked Link Landed', { properties: { link: slug } })]);
    const after = await api.person('u-lnk-2');
    expect(after.anonymousIds).toContain('lnk-anon');
    expect(after.explanation.map((e) => e.signal)).toEqual(expect.arrayContaining([expect.stringMatching(/demo/i)]));
    expect(after.score).toBeGreaterThan(before.score);
    expect((await api.person('lnk-anon')).id).toBe(after.id);
  });

  it('should not link anyone for a landing with an unknown slug', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([track({ anonymousId: 'lnk-stray' }, 'Tracked Link Landed', { properties: { link: 'nope' } })]);
    expect((await api.person('lnk-stray')).userId).toBeNull();
  });
});
