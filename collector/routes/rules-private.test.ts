import { afterAll, describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { rulesClient } from '../../test/helpers/rules.ts';
import { type Collector, createCollector } from '../app.ts';
import { readConfig } from '../config.ts';
import type { Database } from '../db/client.ts';

/**
 * Rule URLs that name internal hosts: allowed by default (self-hosted collectors and the
 * tests post to them), refused at `POST`/`PUT /v1/rules` with INKLING_WEBHOOK_DENY_PRIVATE=1.
 */
let db: Database;
let open: Collector;
useTestCollector((env) => {
  ({ db, collector: open } = env);
});
const strict: Collector[] = [];
afterAll(async () => {
  for (const c of strict) await c.drain();
});

const rule = (url: string) => ({
  name: 'Internal',
  subject: 'person',
  when: { type: 'signal', signal: 'pricing_page' },
  actions: [
    { type: 'webhook', url: 'https://hooks.example/inkling' },
    { type: 'slack', url },
  ],
});

describe('rule URLs naming internal hosts', () => {
  it('should be taken by default', async () => {
    const rules = rulesClient(open, await newSite(db));
    const res = await rules.request('POST', '/v1/rules', rule('http://127.0.0.1:9000/hook'));
    expect(res.status).toBe(201);
  });

  it('should be refused with a 400 when INKLING_WEBHOOK_DENY_PRIVATE=1, on create and replace', async () => {
    const config = readConfig({ INKLING_WEBHOOK_DENY_PRIVATE: '1' });
    expect(config.denyPrivateWebhooks).toBe(true);
    expect(readConfig({}).denyPrivateWebhooks).toBe(false);
    const collector = createCollector({
      db,
      rescoreIntervalMs: 0,
      delivery: { enabled: false },
      config: { denyPrivateWebhooks: config.denyPrivateWebhooks },
    });
    strict.push(collector);
    const rules = rulesClient(collector, await newSite(db));
    for (const url of [
      'http://localhost:8080/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://10.0.0.5/x',
    ]) {
      const res = await rules.request('POST', '/v1/rules', rule(url));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'invalid_body',
          message:
            'actions[1].url: names a loopback or private host, refused on this collector (INKLING_WEBHOOK_DENY_PRIVATE).',
        },
      });
    }
    const created = await rules.request('POST', '/v1/rules', rule('https://hooks.slack.com/services/T/B/x'));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const replaced = await rules.request('PUT', `/v1/rules/${id}`, rule('http://192.168.0.2/x'));
    expect(replaced.status).toBe(400);
    expect((await rules.request('GET', `/v1/rules/${id}`)).status).toBe(200);
    expect(((await (await rules.request('GET', `/v1/rules/${id}`)).json()) as { actions: unknown[] }).actions).toEqual(
      rule('https://hooks.slack.com/services/T/B/x').actions,
    );
  });
});
