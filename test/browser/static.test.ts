import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticRoutes } from '../../collector/routes/static.ts';
import { listSites } from '../../collector/sites.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let tdb: TestDatabase;
let dist: string;
let site: { writeKey: string };

beforeAll(async () => {
  tdb = await openTestDatabase();
  site = await newSite(tdb.db);
  dist = mkdtempSync(join(tmpdir(), 'inkling-dist-'));
  writeFileSync(join(dist, 'inkling.js'), '!function(){/* the SDK */}();');
});
afterAll(async () => {
  rmSync(dist, { recursive: true, force: true });
  await tdb.close();
});

const app = () => staticRoutes(tdb.db, { distDir: dist });

describe('GET /inkling.js', () => {
  it('should serve the built script with a content type, cache headers and an ETag', async () => {
    const res = await app().request('/inkling.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    expect(res.headers.get('etag')).toMatch(/^W\/"[\w-]+"$/);
    expect(await res.text()).toBe('!function(){/* the SDK */}();');
  });

  it('should answer 304 without a body when If-None-Match holds the current ETag', async () => {
    const routes = app();
    const etag = (await routes.request('/inkling.js')).headers.get('etag') as string;
    const res = await routes.request('/inkling.js', { headers: { 'If-None-Match': `"other", ${etag}` } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(await res.text()).toBe('');
    const stale = await routes.request('/inkling.js', { headers: { 'If-None-Match': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('should gzip for clients that accept it', async () => {
    const res = await app().request('/inkling.js', { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe('!function(){/* the SDK */}();');
  });

  it('should serve a rebuilt script with a new ETag', async () => {
    const routes = app();
    const before = (await routes.request('/inkling.js')).headers.get('etag');
    writeFileSync(join(dist, 'inkling.js'), '!function(){/* rebuilt */}();');
    utimesSync(join(dist, 'inkling.js'), new Date(), new Date(Date.now() + 5000));
    const res = await routes.request('/inkling.js');
    expect(res.headers.get('etag')).not.toBe(before);
    expect(await res.text()).toContain('rebuilt');
  });

  it('should answer 503 telling to run npm run build when the script is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'inkling-nodist-'));
    try {
      const res = await staticRoutes(tdb.db, { distDir: empty }).request('/inkling.js');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('sdk_not_built');
      expect(body.error.message).toContain('npm run build');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('GET /examples/', () => {
  it('should fill the snippet with the ?key= write key and the configured public URL (not the Host), and remember the key for the next pages', async () => {
    const routes = staticRoutes(tdb.db, { distDir: dist, publicUrl: 'https://ink.example.com' });
    const res = await routes.request(`http://evil.test:8787/examples/?key=${site.writeKey}`, {
      headers: { host: 'evil.test:8787', 'x-forwarded-host': 'evil.test' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain(
      '<script>window.inkling=window.inkling||function(){(inkling.q=inkling.q||[]).push(arguments)}</script>',
    );
    expect(html).toContain(
      `<script async src="https://ink.example.com/inkling.js" data-key="${site.writeKey}"></script>`,
    );
    expect(html).not.toContain('evil.test');
    const cookie = (res.headers.get('set-cookie') as string).split(';')[0] as string;
    const next = await routes.request('http://collector.test:8787/examples/pricing.html', { headers: { cookie } });
    expect(await next.text()).toContain(`data-key="${site.writeKey}"`);
  });

  it("should use the oldest site's write key (the demo site) when none is given", async () => {
    const [oldest] = await listSites(tdb.db);
    const html = await (await app().request('/examples/demo.html')).text();
    expect(html).toContain(`data-key="${oldest?.writeKey}"`);
    expect(html).toContain('data-inkling-identify');
  });

  it('should ignore a key that is not a write key, rather than echo it into the page', async () => {
    const html = await (await app().request('/examples/?key=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')).text();
    expect(html).not.toContain('alert(1)');
  });

  it('should serve static files with their type and redirect /examples to /examples/', async () => {
    const css = await app().request('/examples/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const redirect = await app().request('/examples');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/examples/');
  });

  it.each([
    '/examples/../package.json',
    '/examples/%2e%2e/package.json',
    '/examples/..%2fpackage.json',
    '/examples/biome.json',
    '/examples/.hidden',
    '/examples/nope.html',
    '/examples/%E0%A4%A',
  ])('should answer 404 for %s', async (path) => {
    const res = await app().request(path);
    expect(res.status).toBe(404);
  });
});
