import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../test/helpers/collector.ts';
import { newSite } from '../test/helpers/db.ts';
import { TEST_LIMITS } from '../test/helpers/server.ts';
import { type Collector, createCollector } from './app.ts';
import type { Database } from './db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

let seq = 0;
const mid = () => `metrics-${Date.now().toString(36)}-${++seq}`;

function postBatch(app: Collector['app'], key: string, batch: unknown[]) {
  return app.request('/v1/batch', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch }),
  });
}

async function scrape(app: Collector['app']): Promise<string> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the sample `name` whose labels include `labels` (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

const track = (event: string) => ({ type: 'track', messageId: mid(), anonymousId: 'a-metrics', event });

describe('GET /metrics', () => {
  it('should answer the Prometheus text format without any key', async () => {
    const res = await collector.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE inkling_ingest_accepted_messages_total counter');
    expect(text).toContain('# TYPE inkling_http_request_duration_seconds histogram');
    expect(text).toContain('inkling_ingest_inflight_requests 0');
    expect(text).toMatch(/^inkling_scoring_lag_seconds \d/m);
  });

  it('should count the accepted messages and the rejected one by reason after a batch with one bad message', async () => {
    const site = await newSite(db);
    const before = await scrape(collector.app);
    const bad = { type: 'track', messageId: mid(), anonymousId: 'a-metrics' }; // no event name
    const res = await postBatch(collector.app, site.writeKey, [track('One'), bad, track('Two'), track('Three')]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [{ index: 1 }] });

    const after = await scrape(collector.app);
    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('inkling_ingest_accepted_messages_total')).toBe(3);
    expect(delta('inkling_ingest_rejected_messages_total', { reason: 'invalid' })).toBe(1);
    expect(delta('inkling_ingest_rejected_messages_total', { reason: 'too_deep' })).toBe(0);
  });

  it('should time the ingest route in a latency histogram labelled by route pattern, not path', async () => {
    const site = await newSite(db);
    await postBatch(collector.app, site.writeKey, [track('Timed')]);
    expect((await collector.app.request('/no/such/page-12345')).status).toBe(404);
    const text = await scrape(collector.app);
    const labels = { method: 'POST', route: '/v1/:route', status: '200' };
    expect(sample(text, 'inkling_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'inkling_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(
      sample(text, 'inkling_http_request_duration_seconds_count', labels),
    );
    expect(text).not.toMatch(/route="\/v1\/batch"/);
    expect(text).not.toContain('page-12345');
    expect(sample(text, 'inkling_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
  });

  it('should count a whole batch refused by its error code', async () => {
    const before = await scrape(collector.app);
    const res = await postBatch(collector.app, 'wk_not_a_known_key_000000000000', [track('Nobody')]);
    expect(res.status).toBe(401);
    const after = await scrape(collector.app);
    const code = { code: 'unknown_key' };
    expect(
      sample(after, 'inkling_ingest_refused_requests_total', code) -
        sample(before, 'inkling_ingest_refused_requests_total', code),
    ).toBe(1);
  });

  it('should count rate-limited requests once the write key is over its limit, in that collector only', async () => {
    const site = await newSite(db);
    const limited = createCollector({ db, rescoreIntervalMs: 0, limits: { ...TEST_LIMITS, ratePerKey: 1 } });
    try {
      expect((await postBatch(limited.app, site.writeKey, [track('First')])).status).toBe(200);
      const res = await postBatch(limited.app, site.writeKey, [track('Second')]);
      expect(res.status).toBe(429);
      const text = await scrape(limited.app);
      expect(sample(text, 'inkling_shed_requests_total', { code: 'rate_limited' })).toBe(1);
      expect(sample(text, 'inkling_ingest_refused_requests_total', { code: 'rate_limited' })).toBe(1);
      expect(sample(text, 'inkling_ingest_accepted_messages_total')).toBe(1);
      const shared = await scrape(collector.app);
      expect(sample(shared, 'inkling_shed_requests_total', { code: 'rate_limited' })).toBe(0);
    } finally {
      await limited.drain();
    }
  });
});
