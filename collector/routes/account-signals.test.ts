import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, mid, page, readTimeline, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { TimelineItem } from '../sales/timeline.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const readAll = (api: ReturnType<typeof intentClient>, path: string, limit: number) =>
  readTimeline<TimelineItem>(api, path, limit);

const identify = (anonymousId: string, userId: string, email: string, timestamp: string) => ({
  type: 'identify',
  messageId: mid(),
  anonymousId,
  userId,
  traits: { email },
  timestamp,
});

/** Two contacts of globex-tl.example (one also in group `grp-tl`) and an outsider. */
async function seeded() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  const shared = daysAgo(1);
  const ann = [
    page('ann-a', '/pricing', { timestamp: daysAgo(3) }),
    identify('ann-a', 'ann', 'ann@globex-tl.example', daysAgo(2.5)),
    track({ userId: 'ann' }, 'Demo Requested', { timestamp: shared }),
  ];
  const bob = [
    identify('bob-a', 'bob', 'bob@globex-tl.example', daysAgo(2.2)),
    page('bob-a', '/customers', { timestamp: daysAgo(2.1) }),
    track({ anonymousId: 'bob-a' }, 'Element Clicked', {
      timestamp: shared,
      properties: { kind: 'button', text: 'Talk to sales', selector: '#talk' },
    }),
    page('bob-a', '/careers', { timestamp: shared }),
  ];
  const outsider = [
    page('zed-a', '/pricing', { timestamp: shared }),
    identify('zed-a', 'zed', 'zed@gmail.com', shared),
  ];
  const group = {
    type: 'group',
    messageId: mid(),
    userId: 'bob',
    groupId: 'grp-tl',
    traits: { domain: 'globex-tl.example' },
  };
  await api.send([...ann, ...bob, ...outsider, group]);
  return { site, api, ann, bob, outsider, group };
}

describe('GET /v1/accounts/:id/signals', () => {
  it("should list every contact's events newest first, each naming its person, by domain, account id or group id", async () => {
    const { api, ann, bob, group } = await seeded();
    const items = await readAll(api, '/v1/accounts/GLOBEX-TL.example/signals', 50);
    const mine = [...ann, ...bob, group];
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(mine.map((e) => e.messageId)));
    const times = items.map((i) => Date.parse(i.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const annPerson = await api.person('ann');
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(ann[2]!.messageId)).toMatchObject({
      event: 'Demo Requested',
      signal: 'demo_requested',
      person: { id: annPerson.id, userId: 'ann', email: 'ann@globex-tl.example' },
    });
    expect(byId.get(bob[2]!.messageId)).toMatchObject({
      details: { kind: 'button', text: 'Talk to sales' },
      person: { userId: 'bob', email: 'bob@globex-tl.example' },
    });
    expect(byId.get(bob[2]!.messageId)?.details).not.toHaveProperty('selector');
    // Bob's page a day after his last one is a return visit, derived at that page.
    expect(byId.get(bob[3]!.messageId)?.derived.map((d) => d.signal)).toEqual(['return_visit']);

    const accountId = annPerson.account?.id ?? '';
    for (const ref of [accountId, 'grp-tl']) {
      expect(await readAll(api, `/v1/accounts/${ref}/signals`, 50), ref).toEqual(items);
    }
  });

  it('should list each event once whatever the page size, when contacts share a timestamp', async () => {
    const { api } = await seeded();
    const all = await readAll(api, '/v1/accounts/globex-tl.example/signals', 500);
    expect(new Set(all.map((i) => i.id)).size).toBe(8);
    // Same items, derived signals included: each page looks back before its own events.
    for (const limit of [1, 2, 3, 4]) {
      expect(await readAll(api, '/v1/accounts/globex-tl.example/signals', limit), `limit=${limit}`).toEqual(all);
    }
  });

  it("should answer 404 for an unknown account or another site's, 401 without the secret key, 400 for a bad cursor", async () => {
    const { site, api } = await seeded();
    const unknown = await api.get('/v1/accounts/nowhere.example/signals');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'account_not_found' } });
    const other = await newSite(db);
    const foreign = { authorization: `Bearer ${other.secretKey}` };
    expect((await api.get('/v1/accounts/globex-tl.example/signals', foreign)).status).toBe(404);
    expect((await api.get('/v1/accounts/globex-tl.example/signals', {})).status).toBe(401);
    const pk = { authorization: `Bearer ${site.writeKey}` };
    expect((await api.get('/v1/accounts/globex-tl.example/signals', pk)).status).toBe(401);
    expect((await api.get('/v1/accounts/globex-tl.example/signals?cursor=nonsense')).status).toBe(400);
    expect((await api.get('/v1/accounts/globex-tl.example/signals?limit=0')).status).toBe(400);
  });
});
