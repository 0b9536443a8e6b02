import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { newSite, type TestDatabase } from '../../test/helpers/db.ts';
import { type TestServer, useTestServer } from '../../test/helpers/server.ts';

let t: TestDatabase;
let server: TestServer;
useTestServer((env) => {
  ({ t, server } = env);
});

let seq = 0;

/**
 * One POST over a real socket: with a Content-Length (the body read in one piece) or chunked
 * (the body streamed and cut at the limit), optionally gzip-encoded.
 */
function post(
  path: string,
  key: string,
  body: Uint8Array,
  how: { chunked: boolean; gzip?: boolean },
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    };
    if (how.gzip) headers['content-encoding'] = 'gzip';
    if (!how.chunked) headers['content-length'] = String(body.byteLength);
    const req = request(`${server.url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    // Several writes, so that a chunked body arrives in several chunks.
    const step = 64 * 1024;
    for (let at = 0; at < body.byteLength; at += step) req.write(body.subarray(at, at + step));
    req.end();
  });
}

function batchOf(n: number, blob = ''): Uint8Array {
  const batch = Array.from({ length: n }, (_, i) => ({
    type: 'track',
    event: 'Body Read',
    anonymousId: `body-${i % 3}`,
    messageId: `body-${++seq}-${i}`,
    properties: { i, blob },
  }));
  return Buffer.from(JSON.stringify({ batch }));
}

async function stored(siteId: string): Promise<number> {
  const [row] = await t.db.query<{ n: number }>('select count(*)::int as n from events where site_id = $1', [siteId]);
  return row?.n ?? 0;
}

describe('ingest body over a real socket, with and without Content-Length', () => {
  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked' : 'with Content-Length';
    it(`should store a batch sent ${how}, raw and gzip-encoded`, async () => {
      const site = await newSite(t.db);
      const raw = await post('/v1/batch', site.writeKey, batchOf(20), { chunked });
      expect(raw).toEqual({ status: 200, json: { success: true, accepted: 20, rejected: [] } });
      const zipped = await post('/v1/batch', site.writeKey, gzipSync(batchOf(5)), { chunked, gzip: true });
      expect(zipped).toEqual({ status: 200, json: { success: true, accepted: 5, rejected: [] } });
      expect(await stored(site.siteId)).toBe(25);
    });

    it(`should answer 413 to a batch over 500 KB sent ${how}, and store nothing`, async () => {
      const site = await newSite(t.db);
      const body = batchOf(30, 'x'.repeat(20_000));
      expect(body.byteLength).toBeGreaterThan(500 * 1024);
      const res = await post('/v1/batch', site.writeKey, body, { chunked });
      expect(res).toEqual({
        status: 413,
        json: { error: { code: 'payload_too_large', message: 'Body exceeds 500 KB.' } },
      });
      expect(await stored(site.siteId)).toBe(0);
    });

    it(`should answer 413 to a single message over 32 KB sent ${how}`, async () => {
      const site = await newSite(t.db);
      const body = Buffer.from(
        JSON.stringify({
          event: 'Big',
          anonymousId: 'a',
          messageId: `big-${++seq}`,
          properties: { b: 'x'.repeat(40_000) },
        }),
      );
      const res = await post('/v1/track', site.writeKey, body, { chunked });
      expect(res).toEqual({
        status: 413,
        json: { error: { code: 'payload_too_large', message: 'Body exceeds 32 KB.' } },
      });
    });
  }

  it('should store nothing from a client that goes away mid-body, and serve the next one', async () => {
    const site = await newSite(t.db);
    for (const chunked of [false, true]) {
      const body = batchOf(20);
      await new Promise<void>((resolve) => {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}`,
        };
        if (!chunked) headers['content-length'] = String(body.byteLength);
        const req = request(`${server.url}/v1/batch`, { method: 'POST', headers });
        req.on('error', () => resolve());
        req.write(body.subarray(0, 100));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await stored(site.siteId)).toBe(0);
    const next = await post('/v1/batch', site.writeKey, batchOf(3), { chunked: false });
    expect(next).toEqual({ status: 200, json: { success: true, accepted: 3, rejected: [] } });
  });

  it('should answer 400 invalid_json and empty_body alike with Content-Length and chunked', async () => {
    const site = await newSite(t.db);
    for (const chunked of [false, true]) {
      const bad = await post('/v1/batch', site.writeKey, Buffer.from('{"batch": ['), { chunked });
      expect(bad).toEqual({
        status: 400,
        json: { error: { code: 'invalid_json', message: 'Body is not valid JSON.' } },
      });
      const empty = await post('/v1/batch', site.writeKey, Buffer.from('  '), { chunked });
      expect(empty).toEqual({
        status: 400,
        json: { error: { code: 'empty_body', message: 'Body is empty; send a JSON object.' } },
      });
    }
  });
});
