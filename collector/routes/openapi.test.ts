import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { ROUTES } from '../ingest/paths.ts';
import { messageSchema } from '../ingest/schema.ts';

let collector: Collector;
let db: Database;
useTestCollector((env) => {
  ({ collector, db } = env);
});

async function fetchDoc() {
  const res = await collector.app.request('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return JSON.parse(await res.text());
}

describe('GET /openapi.json', () => {
  it('should be an OpenAPI 3.1 document with the ingest, intent, links, config and admin paths', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toMatch(/^3\.1\./);
    for (const path of [
      '/v1/batch',
      '/v1/track',
      '/v1/identify',
      '/v1/intent',
      '/v1/links',
      '/l/{slug}',
      '/v1/config',
      '/v1/admin/sites',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.components.schemas.Intent.properties.tier.enum.sort()).toEqual(['high', 'low', 'medium']);
  });

  it('should describe the message as the validator judges it', async () => {
    const doc = await fetchDoc();
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(doc.components.schemas.Message);
    const samples: unknown[] = [
      { type: 'track', messageId: 'm1', anonymousId: 'a1', event: 'Demo Requested' },
      { type: 'page', messageId: 'm2', userId: 'u1', properties: { path: '/pricing' } },
      { type: 'group', messageId: 'm3', anonymousId: 'a1', groupId: 'acme' },
      { type: 'track', messageId: 'm4', anonymousId: 'a1' },
      { type: 'launch', messageId: 'm5', anonymousId: 'a1' },
      { type: 'page', messageId: 'm6', anonymousId: 'a1', properties: 'not an object' },
      { type: 'track', messageId: 'm7', anonymousId: 'x'.repeat(300), event: 'E' },
    ];
    const verdicts = samples.map((m) => [validate(m), messageSchema.safeParse(m).success]);
    expect(verdicts).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });
});

/** `/v1/people/:id` as an OpenAPI path: `/v1/people/{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{path}');

describe('GET /openapi.json covers every public route', () => {
  it('should document every route the collector serves, with its method', async () => {
    const doc = await fetchDoc();
    const admin = createCollector({ db, rescoreIntervalMs: 0, config: { adminToken: 'x'.repeat(32) } });
    const served = new Set<string>();
    for (const app of [collector.app, admin.app]) {
      for (const r of app.routes) {
        if (r.method === 'ALL' || r.method === 'OPTIONS') continue; // middleware and preflights
        // The dashboard's pages and assets are for people (HTML, README "Dashboard"), not the API.
        if (r.path === '/dashboard' || r.path.startsWith('/dashboard/')) continue;
        if (r.path === '/v1/:route') {
          for (const name of Object.keys(ROUTES)) served.add(`post /v1/${name}`);
          continue;
        }
        served.add(`${r.method.toLowerCase()} ${openApiPath(r.path)}`);
      }
    }
    await admin.drain();
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    expect(served.size).toBeGreaterThan(30);
  });

  it('should describe each Sales API answer exactly as the routes answer it (no field missing or undocumented)', async () => {
    const doc = await fetchDoc();
    const ajv = new Ajv2020({ strict: false });
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      page('oa-1', '/pricing', {
        properties: { path: '/pricing', url: 'https://acme.test/pricing', title: 'Pricing' },
      }),
      page('oa-1', '/product'),
      page('oa-1', '/customers/acme'),
      track({ anonymousId: 'oa-1' }, 'Demo Requested'),
      {
        type: 'identify',
        messageId: `oa-id-${Date.now()}`,
        anonymousId: 'oa-1',
        userId: 'ann@oa-acme.com',
        traits: { email: 'ann@oa-acme.com' },
      },
    ]);
    const checks: [string, string, string][] = [
      ['/v1/people', '/v1/people', 'get'],
      ['/v1/people?list=rising&tier=high&limit=1', '/v1/people', 'get'],
      ['/v1/people/ann@oa-acme.com', '/v1/people/{id}', 'get'],
      ['/v1/people/ann@oa-acme.com/signals?limit=3', '/v1/people/{id}/signals', 'get'],
      ['/v1/accounts', '/v1/accounts', 'get'],
      ['/v1/accounts/oa-acme.com', '/v1/accounts/{id}', 'get'],
      ['/v1/accounts/oa-acme.com/signals', '/v1/accounts/{id}/signals', 'get'],
      ['/v1/calibration', '/v1/calibration', 'get'],
      ['/healthz', '/healthz', 'get'],
      ['/readyz', '/readyz', 'get'],
    ];
    for (const [url, path, method] of checks) {
      const res = await api.get(url);
      expect(res.status, url).toBe(200);
      const body = await res.json();
      const validate = ajv.compile(doc.paths[path][method].responses['200'].content['application/json'].schema);
      expect(validate(body) ? [] : validate.errors, url).toEqual([]);
      if (Array.isArray(body.data)) expect(body.data.length, url).toBeGreaterThan(0);
    }
    const erased = await collector.app.request('/v1/people/ann@oa-acme.com', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(erased.status).toBe(200);
    const validate = ajv.compile(
      doc.paths['/v1/people/{id}'].delete.responses['200'].content['application/json'].schema,
    );
    const body = await erased.json();
    expect(validate(body) ? [] : validate.errors).toEqual([]);
  });
});
