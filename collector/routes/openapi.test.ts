import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import type { Collector } from '../app.ts';
import { messageSchema } from '../ingest/schema.ts';

let collector: Collector;
useTestCollector((env) => {
  collector = env.collector;
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
