import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../collector/app.ts';
import type { Database } from '../collector/db/client.ts';
import {
  bodyText,
  cursor,
  hostileJson,
  hostileText,
  messageText,
  queryValue,
  unstorableText,
  urlComponent,
  withHostileLeaf,
} from './helpers/arbitraries.ts';
import { useTestCollector } from './helpers/collector.ts';
import { newSite } from './helpers/db.ts';
import { type Auth, KNOWN_IDS, type Operation, operationsOf, PLAUSIBLE, validBody } from './helpers/fuzz-routes.ts';

/**
 * Property-based tests: generated ids, query strings, cursors and bodies thrown at every
 * route in /openapi.json, and each route's valid body with one string or key made hostile.
 * Never a 500, every error is the JSON error body, the collector keeps serving, and a
 * valid message is stored whatever its batch siblings hold.
 * fast-check prints the seed and the shrunk input of a failure; `FUZZ_SEED=<seed>` replays
 * it. The run counts keep the file well under a minute on a loaded machine.
 */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** `FUZZ_RUNS=5000` for a longer hunt by hand; CI keeps the default. */
const ROUTE_RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SIBLING_RUNS = Math.ceil(ROUTE_RUNS / 12);
/** The default runs take a few seconds; a longer hunt gets the time it needs. */
const TIMEOUT_MS = Math.max(30_000, ROUTE_RUNS * 60);
const ADMIN_TOKEN = 'fuzz-admin-token-'.padEnd(40, 'x');

let db: Database;
let collector: Collector;
let site: Awaited<ReturnType<typeof newSite>>;
let operations: Operation[];
useTestCollector((env) => {
  db = env.db;
});
beforeAll(async () => {
  // The admin token serves the admin routes too, so every documented route is live.
  collector = createCollector({ db, rescoreIntervalMs: 0, config: { adminToken: ADMIN_TOKEN } });
  site = await newSite(db);
  const doc = await (await collector.app.request('/openapi.json')).json();
  operations = operationsOf(doc);
});
afterAll(async () => {
  await collector?.drain();
});

/** The valid credentials of an operation, or a hostile stand-in. */
function authHeader(auth: Auth, mode: 'valid' | 'none' | 'hostile', hostile: string): Record<string, string> {
  if (mode === 'none') return {};
  if (mode === 'hostile') {
    const basic = Buffer.from(`${hostile}:`).toString('base64');
    return { authorization: auth === 'write' ? `Basic ${basic}` : `Bearer sk_${basic}` };
  }
  if (auth === 'write') return { authorization: `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}` };
  if (auth === 'secret') return { authorization: `Bearer ${site.secretKey}` };
  if (auth === 'admin') return { authorization: `Bearer ${ADMIN_TOKEN}` };
  return {};
}

const request = fc.record({
  operation: fc.nat(),
  params: fc.array(fc.oneof(urlComponent, fc.constantFrom(...KNOWN_IDS)), { minLength: 2, maxLength: 2 }),
  known: fc.array(fc.tuple(fc.constantFrom('absent', 'plausible', 'plausible', 'hostile'), fc.nat(), queryValue), {
    minLength: 6,
    maxLength: 6,
  }),
  extra: fc.array(fc.tuple(urlComponent, urlComponent), { maxLength: 2 }),
  cursor: fc.option(cursor, { nil: undefined, freq: 2 }),
  auth: fc.constantFrom('valid', 'valid', 'valid', 'none', 'hostile'),
  hostileKey: hostileText(),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
  contentEncoding: fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'br'),
  body: bodyText,
});

type Request = typeof request extends fc.Arbitrary<infer R> ? R : never;

/** The URL and init of one generated request to `op`. */
function build(op: Operation, r: Request): [string, RequestInit] {
  let n = 0;
  // Erasing the known person would leave the other routes nothing to find.
  const params = op.method === 'DELETE' ? r.params.map((p) => `${p}-not-known`) : r.params;
  const path = op.path.replace(/\{\w+\}/g, () => params[n++ % params.length] ?? '');
  const query = new URLSearchParams();
  op.query.forEach((name, i) => {
    const [kind, pick, hostile] = r.known[i % r.known.length] ?? ['absent', 0, ''];
    const plausible = PLAUSIBLE[name] ?? [];
    if (kind === 'hostile') query.set(name, hostile);
    else if (kind === 'plausible' && plausible.length > 0) query.set(name, plausible[pick % plausible.length] ?? '');
  });
  if (r.cursor !== undefined) query.set('cursor', r.cursor);
  const raw = [query.toString(), ...r.extra.map(([k, v]) => `${k}=${v}`)].filter(Boolean).join('&');
  const headers: Record<string, string> = authHeader(op.auth, r.auth as 'valid', r.hostileKey);
  if (r.contentType) headers['content-type'] = r.contentType;
  if (r.contentEncoding) headers['content-encoding'] = r.contentEncoding;
  const init: RequestInit = { method: op.method, headers };
  if (op.method !== 'GET' && op.method !== 'HEAD') init.body = r.body;
  return [`http://collector.test${path}${raw ? `?${raw}` : ''}`, init];
}

/**
 * The one documented 503 this test may see: the SDK is not built yet. The other, the
 * database being unavailable, cannot be true here (the database is up), so it fails.
 */
const DOCUMENTED_503 = ['sdk_not_built'];

/**
 * Below 500 (or a documented 503), the whole body readable, and an error is
 * `{"error": {"code", "message"}}`.
 */
async function expectHandled(res: Response, what: string): Promise<void> {
  const text = await res.text(); // a stream that fails half way throws here
  const seen = `${what} -> ${res.status} ${text.slice(0, 200)}`;
  if (res.status < 400) return;
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, seen).toBe('string');
  expect(typeof body.error?.message, seen).toBe('string');
  if (res.status === 503) expect(DOCUMENTED_503, seen).toContain(body.error?.code);
  else expect(res.status, seen).toBeLessThan(500);
}

/** A valid ingest and a valid Sales API read both answer 200. */
async function expectServing(): Promise<void> {
  const ok = await collector.app.request('/v1/track', {
    method: 'POST',
    headers: authHeader('write', 'valid', ''),
    body: JSON.stringify({
      type: 'track',
      event: 'Still Serving',
      anonymousId: 'fz-ok',
      messageId: `fz-ok-${Date.now()}`,
    }),
  });
  expect(ok.status).toBe(200);
  expect((await collector.app.request('/v1/people', { headers: authHeader('secret', 'valid', '') })).status).toBe(200);
}

describe('every route under generated input', () => {
  it(
    'should never answer 500 to generated ids, query strings, cursors, keys and bodies, and keep serving',
    async () => {
      expect(operations.length).toBeGreaterThan(30);
      const seeded = await collector.app.request('/v1/batch', {
        method: 'POST',
        headers: authHeader('write', 'valid', ''),
        body: JSON.stringify({
          batch: [
            { type: 'page', anonymousId: 'fz-known', messageId: 'fz-seed-1', properties: { path: '/pricing' } },
            { type: 'identify', anonymousId: 'fz-known', userId: 'ann@fz-acme.com', messageId: 'fz-seed-2' },
            { type: 'track', anonymousId: 'fz-known', event: 'Demo Requested', messageId: 'fz-seed-3' },
          ],
        }),
      });
      expect(seeded.status).toBe(200);
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const op = operations[r.operation % operations.length] as Operation;
          const [url, init] = build(op, r);
          await expectHandled(await collector.app.request(url, init), `${op.method} ${url}`);
        }),
        { numRuns: ROUTE_RUNS, seed },
      );
      await expectServing();
    },
    TIMEOUT_MS,
  );

  it(
    'should never answer 500 to a valid body with one string or key made hostile',
    async () => {
      // One route per body kind (the short ingest aliases share their long route's code).
      const bodied = operations.filter((op) => validBody(op) !== undefined && !/^\/v1\/(\w|import)$/.test(op.path));
      expect(bodied.length).toBeGreaterThanOrEqual(9);
      const mutation = fc.record({
        operation: fc.nat(),
        pick: fc.nat(),
        text: fc.oneof(unstorableText, hostileText()),
        asKey: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ operation, pick, text, asKey }) => {
          const op = bodied[operation % bodied.length] as Operation;
          const body = JSON.stringify(withHostileLeaf(validBody(op), pick, text, asKey));
          const headers = { ...authHeader(op.auth, 'valid', ''), 'content-type': 'application/json' };
          const res = await collector.app.request(op.path, { method: op.method, headers, body });
          await expectHandled(res, `${op.method} ${op.path} ${body.slice(0, 300)}`);
        }),
        { numRuns: Math.ceil(ROUTE_RUNS / 2), seed },
      );
      await expectServing();
    },
    TIMEOUT_MS,
  );

  it(
    'should store the valid message of a generated batch whatever its siblings hold',
    async () => {
      let n = 0;
      const sibling = fc.record({
        before: fc.array(messageText, { maxLength: 3 }),
        after: fc.array(messageText, { maxLength: 3 }),
        properties: fc.dictionary(hostileText(12), hostileJson(3), { maxKeys: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(sibling, async ({ before, after, properties }) => {
          const messageId = `fz-sib-${process.pid}-${++n}-${Date.now()}`;
          const valid = JSON.stringify({
            type: 'track',
            event: 'Fuzz Sibling',
            anonymousId: 'fz-sib',
            messageId,
            properties,
          });
          const res = await collector.app.request('/v1/batch', {
            method: 'POST',
            headers: authHeader('write', 'valid', ''),
            body: `{"batch":[${[...before, valid, ...after].join(',')}]}`,
          });
          const text = await res.text();
          expect(res.status, text.slice(0, 300)).toBe(200);
          const { rejected } = JSON.parse(text) as { rejected: { index: number }[] };
          expect(rejected.map((x) => x.index)).not.toContain(before.length);
          const stored = await db.query('select 1 from events where site_id = $1 and message_id = $2', [
            site.siteId,
            messageId,
          ]);
          expect(stored).toHaveLength(1);
        }),
        { numRuns: SIBLING_RUNS, seed },
      );
      await expectServing();
    },
    TIMEOUT_MS,
  );
});
