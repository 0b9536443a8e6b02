import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../test/helpers/collector.ts';
import { newSite } from '../test/helpers/db.ts';
import { intentClient, page } from '../test/helpers/intent.ts';
import type { Collector } from './app.ts';
import type { Database } from './db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

describe('NUL in the path or the query', () => {
  it('should answer 400 invalid_request with the JSON error on every route, and keep serving', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('nul-a', '/pricing')]);
    const paths = [
      '/l/%00',
      `/v1/intent?anonymousId=%00&key=${site.writeKey}`,
      `/v1/intent?anonymousId=a%00b&key=${site.writeKey}`,
      '/v1/people/%00',
      '/v1/people/nul%00a',
      '/v1/people/%800%00',
      '/v1/people/%%00',
      '/v1/people/%00/signals',
      '/v1/accounts/%00',
      '/v1/accounts/%00/signals',
      '/v1/people?cursor=%00',
      '/v1/people/nul-a?x%00=1',
      '/v1/export?from=%00',
      '/v1/nothing/%00',
    ];
    for (const path of paths) {
      const res = await api.get(path);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual({
        error: { code: 'invalid_request', message: 'The path and query must not contain NUL (%00).' },
      });
    }
    const post = await collector.app.request(`/v1/batch?key=${site.writeKey}&x=%00`, {
      method: 'POST',
      body: JSON.stringify({ batch: [page('nul-b', '/')] }),
    });
    expect(post.status).toBe(400);
    expect((await api.get('/v1/people/nul-a')).status).toBe(200);
  });

  it('should still answer ids that hold a literal %00 (sent as %2500) or a malformed escape', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('pct-%00', '/pricing')]);
    expect((await api.get(`/v1/people/${encodeURIComponent('pct-%00')}`)).status).toBe(200);
    expect((await api.get('/v1/people/%E0%A4%A')).status).toBe(404);
  });
});
