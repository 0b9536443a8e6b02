import { describe, expect, it } from 'vitest';
import { openDatabase } from '../collector/db/client.ts';
import { useCollectorOnOwnPostgres } from './helpers/own-postgres.ts';

/**
 * The collector as a real process on a PostgreSQL of this file's own, which the test stops
 * (as a crash or a restart does) and starts again. Needs only the PostgreSQL binaries, so it
 * runs in both CI runs.
 */
const ORIGIN = 'https://shop.example';
const env = useCollectorOnOwnPostgres('database down', [ORIGIN]);

/** A generous bound: an answer must arrive, not hang (no milliseconds are asserted). */
const call = (path: string, init: RequestInit = {}) =>
  fetch(`${env.base}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000) });

const batch = (id: string) => ({
  method: 'POST',
  body: JSON.stringify({ batch: [{ type: 'page', anonymousId: 'down-visitor', messageId: id }] }),
});

describe('PostgreSQL server down and back', () => {
  it('should answer every route 503 with Retry-After and a JSON error while down, and recover by itself', async () => {
    const ingest = `/v1/batch?key=${env.site.writeKey}`;
    expect((await call(ingest, batch('before'))).status).toBe(200);
    expect((await call('/readyz')).status).toBe(200);

    // The server stops while ingest is under load (a few senders, bounded in count).
    const acked: string[] = [];
    let stopped = false;
    const sender = async (loop: number) => {
      for (let i = 0; i < 500 && !stopped; i++) {
        const id = `load-${loop}-${i}`;
        const status = await call(ingest, batch(id)).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) acked.push(id);
      }
    };
    const load = [0, 1, 2, 3].map(sender);
    const deadline = Date.now() + 30_000;
    while (acked.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(acked.length).toBeGreaterThanOrEqual(8);
    await env.server?.stop();
    stopped = true;
    await Promise.all(load);

    const requests: [string, string, RequestInit?][] = [
      ['ingest', ingest, batch('while-down')],
      ['Sales API', '/v1/people', { headers: { authorization: `Bearer ${env.site.secretKey}` } }],
      [
        'CORS preflight',
        '/v1/batch',
        { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } },
      ],
      ['tracked link', '/l/some-slug'],
      ['example site', '/examples/'],
      ['tier lookup', `/v1/intent?key=${env.site.writeKey}&anonymousId=never-seen`],
    ];
    for (const [what, path, init] of requests) {
      const res = await call(path, init);
      const body = await res.text();
      expect({ what, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
        what,
        status: 503,
        retryAfter: '5',
      });
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(JSON.parse(body).error.code, what).toBe('unavailable');
    }
    const ready = await call('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(await ready.json()).toMatchObject({ status: 'unavailable' });
    expect((await call('/healthz')).status).toBe(200);
    expect(env.alive(), `the collector exited; stderr:\n${env.stderr.slice(-3000)}`).toBe(true);

    await env.server?.start();

    // Back without restarting the collector: readiness, then ingest (the same batch, stored once).
    let readyStatus = 0;
    for (let i = 0; i < 300 && readyStatus !== 200; i++) {
      readyStatus = (await call('/readyz')).status;
      if (readyStatus !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(readyStatus).toBe(200);
    const again = await call(ingest, batch('while-down'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ success: true, accepted: 1 });
    const people = await call('/v1/people', { headers: { authorization: `Bearer ${env.site.secretKey}` } });
    expect(people.status).toBe(200);

    const db = await openDatabase({ url: env.server?.url, max: 1 });
    try {
      const rows = await db.query<{ message_id: string; n: number }>(
        'select message_id, count(*) as n from events where site_id = $1 group by message_id',
        [env.site.siteId],
      );
      const stored = new Map(rows.map((r) => [r.message_id, r.n]));
      expect(['before', 'while-down', ...acked].filter((id) => stored.get(id) !== 1)).toEqual([]);
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
