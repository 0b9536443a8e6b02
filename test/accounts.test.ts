import { describe, expect, it } from 'vitest';
import { newSite, type TestDatabase } from './helpers/db.ts';
import { mid } from './helpers/intent.ts';
import { type TestServer, useTestServer } from './helpers/server.ts';

let t: TestDatabase;
let server: TestServer;
useTestServer((env) => {
  ({ t, server } = env);
});

type Site = Awaited<ReturnType<typeof newSite>>;

// A browser's user agent, as analytics-next in a page sends it.
const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Posts a batch over real HTTP as a browser does: text/plain (no preflight), write key in the body. */
async function send(site: Site, batch: object[]) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
    body: JSON.stringify({ writeKey: site.writeKey, batch, sentAt: new Date().toISOString() }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function getJson(site: Site, path: string) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${site.secretKey}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const anonymousId = 'browser-jane';
const at = () => ({ messageId: mid(), anonymousId, timestamp: new Date().toISOString() });
const flow = {
  browse: [
    { ...at(), type: 'page', properties: { path: '/pricing', url: 'https://acme.test/pricing' } },
    { ...at(), type: 'track', event: 'Demo Requested', properties: {} },
  ],
  identify: { ...at(), type: 'identify', userId: 'jane', traits: { email: 'jane@acme-corp.com' } },
  group: { ...at(), type: 'group', userId: 'jane', groupId: 'acme-corp.com', traits: { name: 'Acme' } },
};

describe('one account per company, over HTTP', () => {
  it('should answer one scored account with the person by domain, group id and id after identify then group', async () => {
    for (const batches of [
      // One request per call, as a page sends them over time.
      [flow.browse, [flow.identify], [flow.group]],
      // The same calls in one batch.
      [[...flow.browse, flow.identify, flow.group]],
    ]) {
      const site = await newSite(t.db);
      for (const batch of batches) await send(site, batch);

      const list = await getJson(site, '/v1/accounts');
      expect(list.body.data).toHaveLength(1);
      const person = await getJson(site, '/v1/people/jane');
      const byDomain = await getJson(site, '/v1/accounts/acme-corp.com');
      expect(byDomain.status).toBe(200);
      expect(byDomain.body).toMatchObject({ groupId: 'acme-corp.com', domain: 'acme-corp.com', name: 'Acme' });
      expect(byDomain.body.score).toBeGreaterThan(0);
      expect(byDomain.body.contacts).toEqual([expect.objectContaining({ personId: person.body.id })]);
      expect((person.body.account as { id: string }).id).toBe(byDomain.body.id);
      expect((await getJson(site, `/v1/accounts/${byDomain.body.id}`)).body).toEqual(byDomain.body);
    }
  });
});
