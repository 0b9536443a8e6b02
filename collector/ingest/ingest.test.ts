import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let seq = 0;
const mid = () => `m-${Date.now().toString(36)}-${++seq}`;

function post(path: string, body: unknown, init: { key?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.key) headers.authorization = `Basic ${Buffer.from(`${init.key}:`).toString('base64')}`;
  const payload: BodyInit =
    typeof body === 'string'
      ? body
      : body instanceof Uint8Array
        ? new Blob([body as Uint8Array<ArrayBuffer>])
        : JSON.stringify(body);
  return collector.app.request(path, { method: 'POST', headers, body: payload });
}

async function rows(siteId: string) {
  return db.query<Record<string, unknown>>('select * from events where site_id = $1 order by id', [siteId]);
}

describe('POST /v1/batch', () => {
  it('should store a batch with parsed user agent, truncated ip, utm fields and the contract answer', async () => {
    const site = await newSite(db);
    const res = await post(
      '/v1/batch',
      {
        batch: [
          {
            type: 'page',
            messageId: mid(),
            anonymousId: 'anon-1',
            name: 'Pricing',
            properties: { url: 'https://acme.test/pricing?utm_source=newsletter&utm_medium=email', path: '/pricing' },
            context: { userAgent: CHROME, ip: '203.0.113.77', page: { referrer: 'https://google.com/' } },
          },
          {
            type: 'track',
            messageId: mid(),
            userId: 'u-1',
            event: 'Demo Requested',
            context: { campaign: { source: 'linkedin', name: 'q4' }, ip: '2001:db8:abcd:12:1:2:3:4' },
          },
        ],
      },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 2, rejected: [] });
    // Two visitors: each goes to its own lane of the writer, so their ids need not follow the batch.
    const stored = await rows(site.siteId);
    const page = stored.find((r) => r.type === 'page');
    const track = stored.find((r) => r.type === 'track');
    expect(page).toMatchObject({
      type: 'page',
      name: 'Pricing',
      anonymous_id: 'anon-1',
      path: '/pricing',
      referrer: 'https://google.com/',
      utm_source: 'newsletter',
      utm_medium: 'email',
      browser: 'Chrome',
      os: 'Mac OS',
      device_type: 'desktop',
      is_bot: false,
      ip: '203.0.113.0',
    });
    expect((page!.context as Record<string, unknown>).ip).toBe('203.0.113.0');
    expect(track).toMatchObject({
      event: 'Demo Requested',
      user_id: 'u-1',
      utm_source: 'linkedin',
      utm_campaign: 'q4',
    });
    expect(track?.ip).toBe('2001:db8:abcd::');
    expect(JSON.stringify([page, track])).not.toContain('203.0.113.77');
  });

  it("should complete the page's search and context.campaign from the URL, as analytics.js would send them", async () => {
    const site = await newSite(db);
    const url = 'https://acme.test/pricing?utm_source=newsletter&utm_campaign=q4&plan=pro';
    const own = { source: 'ads', name: 'kept' };
    const res = await post(
      '/v1/batch',
      {
        batch: [
          {
            type: 'page',
            anonymousId: 'a',
            messageId: mid(),
            properties: { url, path: '/pricing' },
            context: { page: { url } },
          },
          {
            type: 'track',
            event: 'Own',
            anonymousId: 'a',
            messageId: mid(),
            context: { page: { url, search: '?x' }, campaign: own },
          },
          {
            type: 'track',
            event: 'Plain',
            anonymousId: 'a',
            messageId: mid(),
            context: { page: { url: 'https://acme.test/' } },
          },
        ],
      },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    const [page, kept, plain] = await rows(site.siteId);
    const search = '?utm_source=newsletter&utm_campaign=q4&plan=pro';
    expect(page!.properties).toMatchObject({ search });
    expect(page!.context).toMatchObject({ page: { url, search }, campaign: { source: 'newsletter', name: 'q4' } });
    expect(page!.utm_campaign).toBe('q4');
    expect(kept!.context).toMatchObject({ page: { search: '?x' }, campaign: own });
    expect(kept!.utm_source).toBe('ads');
    expect(plain!.context).toEqual({ page: { url: 'https://acme.test/', search: '' } });
  });

  it('should correct the timestamp for client clock skew from sentAt', async () => {
    const site = await newSite(db);
    // The client's clock runs one hour fast: it says the event happened at 11:00 and was sent at 11:00:10.
    const before = Date.now();
    const res = await post(
      '/v1/batch',
      {
        sentAt: '2030-01-01T11:00:10.000Z',
        batch: [
          { type: 'track', event: 'Skewed', anonymousId: 'a', messageId: mid(), timestamp: '2030-01-01T11:00:00.000Z' },
        ],
      },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    const [row] = await rows(site.siteId);
    const ts = (row!.timestamp as Date).getTime();
    const received = (row!.received_at as Date).getTime();
    expect(received - ts).toBe(10_000);
    expect(received).toBeGreaterThanOrEqual(before - 1000);
    expect((row!.original_timestamp as Date).toISOString()).toBe('2030-01-01T11:00:00.000Z');
  });

  it('should store bots and flag them', async () => {
    const site = await newSite(db);
    await post(
      '/v1/batch',
      { batch: [{ type: 'page', anonymousId: 'crawler', messageId: mid(), context: { userAgent: GOOGLEBOT } }] },
      { key: site.writeKey },
    );
    const [row] = await rows(site.siteId);
    expect(row).toMatchObject({ is_bot: true, device_type: 'bot' });
  });

  it('should reject bad messages with their index and reason and store their valid siblings', async () => {
    const site = await newSite(db);
    const good = mid();
    const res = await post(
      '/v1/batch',
      {
        batch: [
          { type: 'track', anonymousId: 'a', messageId: 'no-event' },
          { type: 'track', event: 'Ok', anonymousId: 'a', messageId: good },
          { type: 'track', event: 'No id', messageId: 'no-ids' },
          { type: 'launch', anonymousId: 'a', messageId: 'bad-type' },
          { type: 'page', anonymousId: 'a', messageId: 'old', timestamp: '1970-01-01T00:00:00Z' },
          'not an object',
          { type: 'group', anonymousId: 'a', messageId: 'no-group' },
        ],
      },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(body.rejected[0]).toEqual({ index: 0, messageId: 'no-event', error: 'event: is required' });
    expect(body.rejected[1].error).toMatch(/anonymousId or userId/);
    expect(body.rejected[2].error).toMatch(/type must be one of/);
    expect(body.rejected[3].error).toMatch(/^timestamp: .*2000/);
    expect(body.rejected[5].error).toBe('groupId: is required');
    expect((await rows(site.siteId)).map((r) => r.message_id)).toEqual([good]);
  });

  it('should answer 400 when no message is valid, listing why', async () => {
    const site = await newSite(db);
    const res = await post('/v1/batch', { batch: [{ type: 'track', anonymousId: 'a' }] }, { key: site.writeKey });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('no_valid_messages');
    expect(body.rejected).toHaveLength(1);
  });

  it('should answer 400 with a JSON error for a body that is not JSON', async () => {
    const site = await newSite(db);
    const res = await post('/v1/batch', '{"batch": [', { key: site.writeKey });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_json');
  });

  it('should answer 400 when batch is not an array', async () => {
    const site = await newSite(db);
    const res = await post('/v1/batch', { batch: { type: 'track' } }, { key: site.writeKey });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_batch');
  });

  it('should answer 413 for a 600 KB batch', async () => {
    const site = await newSite(db);
    const batch = Array.from({ length: 30 }, () => ({
      type: 'track',
      event: 'Big',
      anonymousId: 'a',
      messageId: mid(),
      properties: { blob: 'x'.repeat(20_000) },
    }));
    const res = await post('/v1/batch', { batch }, { key: site.writeKey });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect(await rows(site.siteId)).toHaveLength(0);
  });

  it('should answer 413 for more than 2,500 messages', async () => {
    const site = await newSite(db);
    const batch = Array.from({ length: 2501 }, (_, i) => ({ type: 'page', anonymousId: 'a', messageId: `n${i}` }));
    const res = await post('/v1/batch', { batch }, { key: site.writeKey });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('too_many_messages');
  });

  it('should reject a message over 32 KB and keep its siblings; all oversized answers 413', async () => {
    const site = await newSite(db);
    const big = {
      type: 'track',
      event: 'Big',
      anonymousId: 'a',
      messageId: 'big',
      properties: { s: 'y'.repeat(33_000) },
    };
    const res = await post(
      '/v1/batch',
      { batch: [big, { type: 'track', event: 'Small', anonymousId: 'a', messageId: mid() }] },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).rejected).toEqual([{ index: 0, messageId: 'big', error: 'message exceeds 32 KB' }]);
    const only = await post('/v1/batch', { batch: [big] }, { key: site.writeKey });
    expect(only.status).toBe(413);
    const single = await post('/v1/track', big, { key: site.writeKey });
    expect(single.status).toBe(413);
  });

  it('should accept gzip bodies and refuse a gzip bomb with 413', async () => {
    const site = await newSite(db);
    const ok = gzipSync(
      JSON.stringify({ batch: [{ type: 'track', event: 'Zipped', anonymousId: 'z', messageId: mid() }] }),
    );
    const res = await post('/v1/batch', ok, { key: site.writeKey, headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    // 20 MB of zeros compresses to ~20 KB.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"batch":[],"pad":"'), Buffer.alloc(20_000_000, 48), Buffer.from('"}')]),
    );
    expect(bomb.length).toBeLessThan(100_000);
    const res2 = await post('/v1/batch', bomb, { key: site.writeKey, headers: { 'content-encoding': 'gzip' } });
    expect(res2.status).toBe(413);
    const res3 = await post('/v1/batch', 'not gzip', { key: site.writeKey, headers: { 'content-encoding': 'gzip' } });
    expect(res3.status).toBe(400);
  });

  it('should accept text/plain bodies with the write key in the body or in ?key=', async () => {
    const site = await newSite(db);
    const a = await post(
      '/v1/batch',
      { writeKey: site.writeKey, batch: [{ type: 'page', anonymousId: 'b', messageId: mid() }] },
      { headers: { 'content-type': 'text/plain' } },
    );
    expect(a.status).toBe(200);
    const b = await post(
      `/v1/batch?key=${site.writeKey}`,
      { batch: [{ type: 'page', anonymousId: 'b', messageId: mid() }] },
      { headers: { 'content-type': 'text/plain;charset=UTF-8' } },
    );
    expect(b.status).toBe(200);
    expect(await rows(site.siteId)).toHaveLength(2);
  });

  it('should answer 401 for a missing or unknown write key', async () => {
    const batch = { batch: [{ type: 'page', anonymousId: 'a', messageId: mid() }] };
    const missing = await post('/v1/batch', batch);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('missing_key');
    const unknown = await post('/v1/batch', batch, { key: 'pk_doesnotexist' });
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error.code).toBe('unknown_key');
  });

  it('should answer 401 unknown_key, not a 503, for a write key holding NUL (Basic auth or the body)', async () => {
    const message = { type: 'page', anonymousId: 'a', messageId: mid() };
    for (const res of [
      await post('/v1/batch', { batch: [message] }, { key: 'pk_\u0000' }),
      await post('/v1/page', { ...message, writeKey: 'pk_\u0000x' }),
    ]) {
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unknown_key');
    }
  });
});

describe('single-message routes', () => {
  it('should take the message type from the path, long and short', async () => {
    const site = await newSite(db);
    const routes: [string, Record<string, unknown>, string][] = [
      ['/v1/track', { event: 'A' }, 'track'],
      ['/v1/t', { event: 'B' }, 'track'],
      ['/v1/page', { name: 'Home' }, 'page'],
      ['/v1/p', {}, 'page'],
      ['/v1/identify', { traits: { email: 'x@acme.test' } }, 'identify'],
      ['/v1/i', {}, 'identify'],
      ['/v1/group', { groupId: 'acme' }, 'group'],
      ['/v1/g', { groupId: 'acme' }, 'group'],
      ['/v1/alias', { previousId: 'anon-9' }, 'alias'],
      ['/v1/a', { previousId: 'anon-8' }, 'alias'],
      ['/v1/screen', { name: 'Settings' }, 'screen'],
      ['/v1/s', {}, 'screen'],
    ];
    for (const [path, extra, type] of routes) {
      const res = await post(path, { userId: 'u-7', messageId: mid(), type: 'page', ...extra }, { key: site.writeKey });
      expect(res.status, path).toBe(200);
      expect(await res.json(), path).toMatchObject({ success: true, accepted: 1 });
      const [last] = await db.query<{ type: string }>(
        'select type from events where site_id = $1 order by id desc limit 1',
        [site.siteId],
      );
      expect(last?.type, path).toBe(type);
    }
    const short = await post(
      '/v1/b',
      { batch: [{ type: 'page', userId: 'u', messageId: mid() }] },
      { key: site.writeKey },
    );
    expect(short.status).toBe(200);
  });

  it('should answer 404 with a JSON error for an unknown route', async () => {
    const res = await post('/v1/launch', {});
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});

describe('hostile input', () => {
  it('should store NUL characters, lone surrogates and invalid UTF-8 without a 500', async () => {
    const site = await newSite(db);
    const id1 = mid();
    const id2 = mid();
    const res = await post(
      '/v1/batch',
      {
        batch: [
          {
            type: 'track',
            event: 'Nul\u0000Event',
            anonymousId: 'a',
            messageId: id1,
            properties: { 'k\u0000ey': 'v\u0000al', lone: '\ud800x', pair: '😀' },
          },
        ],
      },
      { key: site.writeKey },
    );
    expect(res.status).toBe(200);
    // Raw bytes 0xC3 0x28 are not UTF-8.
    const invalid = Buffer.concat([
      Buffer.from(`{"batch":[{"type":"track","event":"Bad `),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(`","anonymousId":"a","messageId":"${id2}"}]}`),
    ]);
    const res2 = await post('/v1/batch', invalid, { key: site.writeKey });
    expect(res2.status).toBe(200);
    const stored = await rows(site.siteId);
    expect(stored[0]?.event).toBe('NulEvent');
    expect(stored[0]?.properties).toEqual({ key: 'val', lone: '\ufffdx', pair: '😀' });
    expect(stored[1]?.event).toBe('Bad \ufffd(');
  });

  it('should drop __proto__ keys and reject hostile nesting', async () => {
    const site = await newSite(db);
    const deep = `{"batch":[{"type":"track","event":"Deep","anonymousId":"a","messageId":"deep","properties":${'{"a":'.repeat(100)}1${'}'.repeat(100)}},{"type":"track","event":"Proto","anonymousId":"a","messageId":"proto","properties":{"__proto__":{"polluted":true},"ok":1}}]}`;
    const res = await post('/v1/batch', deep, { key: site.writeKey });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.rejected).toEqual([{ index: 0, messageId: 'deep', error: 'nested deeper than 16 levels' }]);
    const [row] = await rows(site.siteId);
    expect(row?.properties).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should answer 400 to nesting 10,000 deep (in properties, arrays, or the batch context) and keep serving', async () => {
    const site = await newSite(db);
    const objects = `{"batch":[{"type":"track","event":"Deep","anonymousId":"a","messageId":"deep-o","properties":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}]}`;
    const arrays = `{"batch":[{"type":"track","event":"Deep","anonymousId":"a","messageId":"deep-a","properties":{"x":${'['.repeat(60_000)}${']'.repeat(60_000)}}}]}`;
    const context = `{"batch":[{"type":"track","event":"Ok","anonymousId":"a","messageId":"deep-c"}],"context":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    for (const [body, error] of [
      [objects, { index: 0, messageId: 'deep-o', error: 'nested deeper than 16 levels' }],
      [arrays, { index: 0, messageId: 'deep-a', error: 'nested deeper than 16 levels' }],
    ] as const) {
      const res = await post('/v1/batch', body, { key: site.writeKey });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'no_valid_messages' }, rejected: [error] });
    }
    // With a valid sibling, the deep message alone is rejected and the sibling is stored.
    const sibling = `{"batch":[{"type":"track","event":"Sibling","anonymousId":"a","messageId":"deep-s"},${objects.slice(10, -2)}]}`;
    const mixed = await post('/v1/batch', sibling, { key: site.writeKey });
    expect(mixed.status).toBe(200);
    expect(await mixed.json()).toMatchObject({
      rejected: [{ index: 1, messageId: 'deep-o', error: 'nested deeper than 16 levels' }],
    });
    const res = await post('/v1/batch', context, { key: site.writeKey });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_batch', message: 'context: nested deeper than 16 levels' },
    });
    const ok = await post(
      '/v1/batch',
      JSON.stringify({ batch: [{ type: 'track', event: 'After', anonymousId: 'a', messageId: 'after-deep' }] }),
      {
        key: site.writeKey,
      },
    );
    expect(ok.status).toBe(200);
    expect((await rows(site.siteId)).map((r) => r.event)).toEqual(['Sibling', 'After']);
  });

  it('should never answer 500 to malformed bodies', async () => {
    const site = await newSite(db);
    const bodies = [
      '',
      'null',
      '[]',
      '"string"',
      '42',
      '{"batch":null}',
      '{"batch":[null,1,"x",[]]}',
      '{"batch":[{"type":"track","event":{"x":1},"anonymousId":"a"}]}',
      '{"batch":[{"type":"track","event":"x","anonymousId":{"a":1}}]}',
      '{"batch":[{"type":"track","event":"x","anonymousId":"a","properties":[1,2]}]}',
      '{"batch":[{"type":"track","event":"x","anonymousId":"a","timestamp":"yesterday"}]}',
      '{"batch":[{"type":"track","event":"x","anonymousId":"a","timestamp":"9999-12-31T00:00:00Z"}]}',
      '{"batch":[{"type":"track","event":"x","anonymousId":"a","context":"str"}]}',
      '{"batch":[{"type":"page","anonymousId":"a","context":{"ip":"999.1.1.1","page":{"url":"::::"}}}]}',
      `{"batch":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      '{"batch":[],"sentAt":"garbage"}',
      `{"batch":[{"type":"track","event":"${'e'.repeat(300)}","anonymousId":"a"}]}`,
      `{"batch":[{"type":"track","event":"x","anonymousId":"${'a'.repeat(300)}"}]}`,
    ];
    for (const body of bodies) {
      const res = await post('/v1/batch', body, { key: site.writeKey });
      expect(res.status, body.slice(0, 80)).toBeLessThan(500);
      expect(res.headers.get('content-type'), body.slice(0, 80)).toMatch(/application\/json/);
    }
  });
});

describe('idempotency', () => {
  const batchOf = (ids: string[]) => ({
    batch: ids.map((messageId) => ({ type: 'track', event: 'Retry', anonymousId: 'r', messageId })),
  });

  it('should store a repeated messageId once, also within one batch', async () => {
    const site = await newSite(db);
    const ids = [mid(), mid(), mid()];
    for (let i = 0; i < 3; i++) {
      const res = await post('/v1/batch', batchOf(ids), { key: site.writeKey });
      expect((await res.json()).accepted).toBe(3);
    }
    await post('/v1/batch', batchOf([ids[0] as string, ids[0] as string]), { key: site.writeKey });
    expect(await rows(site.siteId)).toHaveLength(3);
  });

  it('should store the same batch once when it arrives twice at the same moment, on two collectors', async () => {
    const site = await newSite(db);
    const other = createCollector({ db });
    const ids = Array.from({ length: 50 }, mid);
    const send = (c: Collector) =>
      c.app.request('/v1/batch', {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}` },
        body: JSON.stringify(batchOf(ids)),
      });
    const answers = await Promise.all([send(collector), send(other), send(collector), send(other)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await rows(site.siteId)).toHaveLength(50);
    await other.drain();
  });

  it('should keep messageIds of different sites apart', async () => {
    const a = await newSite(db);
    const b = await newSite(db);
    const ids = [mid()];
    await post('/v1/batch', batchOf(ids), { key: a.writeKey });
    await post('/v1/batch', batchOf(ids), { key: b.writeKey });
    expect(await rows(a.siteId)).toHaveLength(1);
    expect(await rows(b.siteId)).toHaveLength(1);
  });
});

describe('CORS', () => {
  it('should answer the analytics.js preflight for a site origin and refuse others', async () => {
    await newSite(db, ['https://shop.allowed.test']);
    const ok = await collector.app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.allowed.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.allowed.test');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('should refuse ingest from an origin the site does not list, and store nothing', async () => {
    const site = await newSite(db, ['https://mine.test']);
    const batch = { batch: [{ type: 'page', anonymousId: 'a', messageId: mid() }] };
    const bad = await post('/v1/batch', batch, { key: site.writeKey, headers: { origin: 'https://evil.test' } });
    expect(bad.status).toBe(403);
    expect(await rows(site.siteId)).toHaveLength(0);
    const good = await post('/v1/batch', batch, { key: site.writeKey, headers: { origin: 'https://mine.test' } });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://mine.test');
  });
});
