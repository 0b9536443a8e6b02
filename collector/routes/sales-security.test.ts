import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/** Every Sales API read of this part, for a site whose person is `sec-ann` at secure.example. */
const READS = ['/v1/people', '/v1/people?list=rising', '/v1/accounts', '/v1/accounts/secure.example'];

async function seededSite() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  await api.send([
    page('sec-a', '/pricing', { timestamp: daysAgo(1) }),
    {
      type: 'identify',
      messageId: 'sec-id',
      anonymousId: 'sec-a',
      userId: 'sec-ann',
      traits: { email: 'ann@secure.example' },
    },
  ]);
  return { site, api };
}

describe('Sales API keys', () => {
  it('should answer 401 without a key and with the write key', async () => {
    const { site, api } = await seededSite();
    const basic = { authorization: `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}` };
    for (const path of READS) {
      expect((await api.get(path, {})).status, `${path} without key`).toBe(401);
      expect((await api.get(path, { authorization: `Bearer ${site.writeKey}` })).status, path).toBe(401);
      expect((await api.get(path, basic)).status, `${path} basic`).toBe(401);
      expect((await api.get(path, { authorization: 'Bearer sk_unknown' })).status, path).toBe(401);
    }
  });

  it("should not show one site's people and accounts to another site's secret key", async () => {
    const { api } = await seededSite();
    const own = (await (await api.get('/v1/people')).json()) as { data: unknown[] };
    expect(own.data).toHaveLength(1);
    const other = intentClient(collector, await newSite(db));
    expect((await other.get('/v1/accounts/secure.example')).status).toBe(404);
    for (const path of ['/v1/people', '/v1/accounts', '/v1/people?list=rising']) {
      const res = await other.get(path);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
    }
  });
});
