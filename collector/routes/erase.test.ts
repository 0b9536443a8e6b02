import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

async function seeded() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  const zoe = [
    page('era-z1', '/pricing', { timestamp: daysAgo(3) }),
    track({ anonymousId: 'era-z1' }, 'Demo Requested', { timestamp: daysAgo(2) }),
    page('era-z2', '/product', { timestamp: daysAgo(2) }),
    {
      type: 'identify',
      messageId: `${site.siteId}-z1`,
      anonymousId: 'era-z1',
      userId: 'zoe',
      traits: { email: 'zoe@erase.example' },
    },
    { type: 'identify', messageId: `${site.siteId}-z2`, anonymousId: 'era-z2', userId: 'zoe' },
    track({ userId: 'zoe' }, 'Email Replied', { timestamp: daysAgo(1) }),
  ];
  const max = [
    page('era-m1', '/pricing', { timestamp: daysAgo(1) }),
    {
      type: 'identify',
      messageId: `${site.siteId}-m1`,
      anonymousId: 'era-m1',
      userId: 'max',
      traits: { email: 'max@erase.example' },
    },
  ];
  await api.send([...zoe, ...max]);
  const del = (id: string, headers: Record<string, string> = { authorization: `Bearer ${site.secretKey}` }) =>
    collector.app.request(`/v1/people/${id}`, { method: 'DELETE', headers });
  return { site, api, zoe, max, del };
}

const count = async (sql: string, params: unknown[]) =>
  Number((await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0]?.n);

describe('DELETE /v1/people/:id', () => {
  it('should erase the person, their events, identities, scores and ledger rows, and rescore the account', async () => {
    const { site, api, zoe, del } = await seeded();
    const person = await api.person('zoe');
    const before = (await (await api.get('/v1/accounts/erase.example')).json()) as {
      score: number;
      contacts: unknown[];
    };
    expect(before.contacts).toHaveLength(2);
    const res = await del('era-z1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; erased: Record<string, number> };
    expect(body.id).toBe(person.id);
    expect(body.erased).toMatchObject({ events: zoe.length, identities: 2, scores: 1 });
    for (const id of ['zoe', 'era-z1', 'era-z2', person.id]) {
      expect((await api.get(`/v1/people/${id}`)).status, id).toBe(404);
    }
    const messageIds = zoe.map((e) => e.messageId);
    expect(await count('events where site_id = $1 and message_id = any($2::text[])', [site.siteId, messageIds])).toBe(
      0,
    );
    expect(
      await count('message_ids where site_id = $1 and message_id = any($2::text[])', [site.siteId, messageIds]),
    ).toBe(0);
    expect(
      await count("score_history where site_id = $1 and subject_kind = 'person' and subject_id = $2", [
        site.siteId,
        person.id,
      ]),
    ).toBe(0);
    expect(await count('identities where site_id = $1 and person_id = $2', [site.siteId, person.id])).toBe(0);
    const after = (await (await api.get('/v1/accounts/erase.example')).json()) as {
      score: number;
      contacts: { personId: string }[];
    };
    expect(after.contacts.map((c) => c.personId)).not.toContain(person.id);
    expect(after.contacts).toHaveLength(1);
    expect(after.score).toBeLessThan(before.score);
    const people = (await (await api.get('/v1/people')).json()) as { data: { userId: string }[] };
    expect(people.data.map((p) => p.userId)).toEqual(['max']);
    expect((await del('zoe')).status).toBe(404);
  });

  it("should answer 401 without the secret key and 404 for another site's person, erasing nothing", async () => {
    const { site, api, del } = await seeded();
    expect((await del('zoe', {})).status).toBe(401);
    expect((await del('zoe', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
    const other = await newSite(db);
    expect((await del('zoe', { authorization: `Bearer ${other.secretKey}` })).status).toBe(404);
    expect((await api.person('zoe')).userId).toBe('zoe');
  });
});
