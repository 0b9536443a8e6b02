import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { type AppOptions, type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';

let t: TestDatabase;
const opened: Collector[] = [];
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  for (const c of opened) await c.drain();
  await t?.close();
});

function collectorWith(options: Partial<AppOptions> = {}): Collector {
  const c = createCollector({ db: t.db, rescoreIntervalMs: 0, ...options });
  opened.push(c);
  return c;
}

let seq = 0;
function batchBody(writeKey: string): string {
  return JSON.stringify({
    writeKey,
    batch: [{ type: 'track', event: 'Load Tested', anonymousId: 'anon-load', messageId: `ovl-${++seq}` }],
  });
}

function post(c: Collector, body: BodyInit, headers: Record<string, string> = {}) {
  return c.app.request('/v1/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

/** A request body the test hands out in one piece once `release` is called; `started` resolves when it is being read. */
function heldBody(text: string) {
  let release = () => {};
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      markStarted();
      await released;
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  return { stream, started, release };
}

async function expectShed(res: Response, code: string) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

describe('rate limits', () => {
  it('should answer 429 with Retry-After and the JSON error once a client address passes its limit', async () => {
    const c = collectorWith({
      config: { trustProxy: true },
      limits: { ratePerAddress: 3, ratePerKey: 0, rateWindowSeconds: 3600 },
    });
    const site = await newSite(t.db);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++)
      expect((await post(c, batchBody(site.writeKey), from('198.51.100.7'))).status).toBe(200);
    await expectShed(await post(c, batchBody(site.writeKey), from('198.51.100.7')), 'rate_limited');
    expect((await post(c, batchBody(site.writeKey), from('198.51.100.8'))).status).toBe(200);
  });

  it('should answer 429 with Retry-After and the JSON error once a write key passes its limit, other keys unaffected', async () => {
    const c = collectorWith({ limits: { ratePerKey: 2, ratePerAddress: 0, rateWindowSeconds: 3600 } });
    const [busy, quiet] = [await newSite(t.db), await newSite(t.db)];
    for (let i = 0; i < 2; i++) expect((await post(c, batchBody(busy.writeKey))).status).toBe(200);
    await expectShed(await post(c, batchBody(busy.writeKey)), 'rate_limited');
    expect((await post(c, batchBody(quiet.writeKey))).status).toBe(200);
  });
});

describe('unknown write keys', () => {
  it('should refuse random keys with 401 without asking the database, and a well-shaped unknown key only once', async () => {
    let calls = 0;
    // Every statement, transaction and drizzle query goes through one of these three.
    const counted = new Proxy(t.db, {
      get(target, name, receiver) {
        if (name === 'query' || name === 'transaction' || name === 'orm') calls++;
        return Reflect.get(target, name, receiver);
      },
    }) as Database;
    // No outbox dispatcher: its background claims would be counted too.
    const c = collectorWith({ db: counted, delivery: { enabled: false } });
    const before = calls;
    for (let i = 0; i < 300; i++) {
      const res = await post(c, batchBody(randomBytes(12).toString('base64url')));
      expect(res.status).toBe(401);
    }
    expect(calls - before).toBe(0);

    const shaped = Array.from({ length: 20 }, () => `pk_${randomBytes(18).toString('hex').slice(0, 24)}`);
    for (const key of shaped) expect((await post(c, batchBody(key))).status).toBe(401);
    const afterFirst = calls;
    // The counter sees the lookups (one per key at most, none for a repeat).
    expect(afterFirst - before).toBeGreaterThan(0);
    expect(afterFirst - before).toBeLessThanOrEqual(shaped.length);
    for (const key of shaped) expect((await post(c, batchBody(key))).status).toBe(401);
    expect(calls).toBe(afterFirst);
  });
});

describe('work in flight', () => {
  it('should answer 429 overloaded before reading the body when the in-flight requests are at their limit', async () => {
    const c = collectorWith({ limits: { maxInflightRequests: 1 } });
    const site = await newSite(t.db);
    const held = heldBody(batchBody(site.writeKey));
    const first = post(c, held.stream);
    await held.started;
    await expectShed(await post(c, batchBody(site.writeKey)), 'overloaded');
    held.release();
    expect((await first).status).toBe(200);
    expect((await post(c, batchBody(site.writeKey))).status).toBe(200);
  });

  it('should answer 429 overloaded when a body would pass the in-flight bytes, and take a body that fits', async () => {
    // A body without Content-Length reserves the batch limit (500 KB) while it is read.
    const c = collectorWith({ limits: { maxInflightBytes: 600 * 1024 } });
    const site = await newSite(t.db);
    const held = heldBody(batchBody(site.writeKey));
    const first = post(c, held.stream);
    await held.started;
    await expectShed(await post(c, 'x', { 'content-length': String(200 * 1024) }), 'overloaded');
    const small = batchBody(site.writeKey);
    expect((await post(c, small, { 'content-length': String(Buffer.byteLength(small)) })).status).toBe(200);
    held.release();
    expect((await first).status).toBe(200);
  });
});

describe('Sales API and admin body limits', () => {
  /** A 50 MB body made on demand; `pulled` says how much of it the collector asked for. */
  function hugeBody() {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const meter = { pulled: 0 };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (meter.pulled >= 50 * 1024 * 1024) return controller.close();
        meter.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return { stream, meter };
  }

  it('should answer 413 with the JSON error to a 50 MB PUT /v1/config without reading it whole', async () => {
    const c = collectorWith();
    const site = await newSite(t.db);
    const auth = { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' };
    const streamed = hugeBody();
    const res = await c.app.request('/v1/config', {
      method: 'PUT',
      headers: auth,
      body: streamed.stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    expect(streamed.meter.pulled).toBeLessThan(4 * 1024 * 1024);

    const declared = hugeBody();
    const res2 = await c.app.request('/v1/config', {
      method: 'PUT',
      headers: { ...auth, 'content-length': String(50 * 1024 * 1024) },
      body: declared.stream,
      duplex: 'half',
    } as RequestInit);
    expect(res2.status).toBe(413);
    expect(declared.meter.pulled).toBeLessThan(4 * 1024 * 1024);
  });

  it('should answer 413 to an admin body and a link body over the limit', async () => {
    const c = collectorWith({ config: { adminToken: 'admin-token-for-limits' } });
    const site = await newSite(t.db);
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const admin = await c.app.request('/v1/admin/sites', {
      method: 'POST',
      headers: { authorization: 'Bearer admin-token-for-limits', 'content-type': 'application/json' },
      body: big,
    });
    expect(admin.status).toBe(413);
    const link = await c.app.request('/v1/links', {
      method: 'POST',
      headers: { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(link.status).toBe(413);
    expect((await link.json()).error.code).toBe('payload_too_large');
  });
});
