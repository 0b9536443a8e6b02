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

/** Makes a tracked link to `recipient` and answers its slug. */
async function createLink(secretKey: string, url: string, recipient: string): Promise<string> {
  const res = await collector.app.request('/v1/links', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
    body: JSON.stringify({ url, recipient }),
  });
  return ((await res.json()) as { slug: string }).slug;
}

const count = async (sql: string, params: unknown[]) =>
  Number((await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0]?.n);

describe('DELETE /v1/people/:id', () => {
  it('should erase the person, their events, identities and scores, keep tombstoned ledger rows, and rescore the shared account', async () => {
    const { site, api, zoe, del } = await seeded();
    const person = await api.person('zoe');
    const before = (await (await api.get('/v1/accounts/erase.example')).json()) as {
      score: number;
      contacts: unknown[];
    };
    expect(before.contacts).toHaveLength(2);
    const intent = async () =>
      (await collector.app.request(`/v1/intent?anonymousId=era-z1&key=${site.writeKey}`)).json() as Promise<{
        score: number;
      }>;
    expect((await intent()).score).toBeGreaterThan(0);
    const res = await del('era-z1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; erased: Record<string, number>; kept: Record<string, number> };
    expect(body.id).toBe(person.id);
    expect(body.erased).toMatchObject({ events: zoe.length, identities: 2, scores: 1, accounts: 0 });
    expect(body.kept).toEqual({ messageIds: zoe.length, accounts: 1 });
    for (const id of ['zoe', 'era-z1', 'era-z2', person.id]) {
      expect((await api.get(`/v1/people/${id}`)).status, id).toBe(404);
    }
    const messageIds = zoe.map((e) => e.messageId);
    expect(await count('events where site_id = $1 and message_id = any($2::text[])', [site.siteId, messageIds])).toBe(
      0,
    );
    // Kept, so that a retry of an erased message is not stored again; they carry only the id.
    expect(
      await count("message_ids where site_id = $1 and message_id = any($2::text[]) and received_at = '-infinity'", [
        site.siteId,
        messageIds,
      ]),
    ).toBe(zoe.length);
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
    // The cached tier of the erased visitor is gone with them.
    expect(await intent()).toMatchObject({ score: 0, tier: 'low', account: null });
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

describe('DELETE /v1/people/:id, what else names the person', () => {
  it('should delete an account only this person made, with its scores and history', async () => {
    const { site, api, del } = await seeded();
    await api.send([
      page('era-s1', '/pricing', { timestamp: daysAgo(2) }),
      track({ anonymousId: 'era-s1' }, 'Demo Requested', { timestamp: daysAgo(1) }),
      {
        type: 'identify',
        messageId: `${site.siteId}-s1`,
        anonymousId: 'era-s1',
        userId: 'solo',
        traits: { email: 'solo@lone.example' },
      },
    ]);
    // A group call naming another company's domain moves solo to a second account; the domain
    // account keeps no contact.
    await api.send([
      {
        type: 'group',
        messageId: `${site.siteId}-s2`,
        userId: 'solo',
        groupId: 'grp-lone',
        traits: { website: 'lone-group.example' },
      },
    ]);
    const accounts = await db.query<{ id: string }>(
      "select id from accounts where site_id = $1 and (domain = 'lone.example' or group_id = 'grp-lone')",
      [site.siteId],
    );
    expect(accounts).toHaveLength(2);
    const ids = accounts.map((a) => a.id);
    expect(
      await count("score_history where site_id = $1 and subject_kind = 'account' and subject_id = any($2::text[])", [
        site.siteId,
        ids,
      ]),
    ).toBeGreaterThan(0);
    const res = await del('solo');
    expect(res.status).toBe(200);
    expect((await res.json()).erased).toMatchObject({ accounts: 2 });
    expect((await api.get('/v1/accounts/lone.example')).status).toBe(404);
    expect(await count('accounts where site_id = $1 and id = any($2::text[])', [site.siteId, ids])).toBe(0);
    expect(await count('account_scores where site_id = $1 and account_id = any($2::text[])', [site.siteId, ids])).toBe(
      0,
    );
    expect(
      await count("score_history where site_id = $1 and subject_kind = 'account' and subject_id = any($2::text[])", [
        site.siteId,
        ids,
      ]),
    ).toBe(0);
    // The shared account of the seed is untouched.
    expect((await api.get('/v1/accounts/erase.example')).status).toBe(200);
  });

  it("should remove the person's anonymous ids from other users' events, which keep counting for them", async () => {
    const { site, api, del } = await seeded();
    // Max's browser sends one of Zoe's anonymous ids, and an alias names the other one.
    await api.send([
      track({ anonymousId: 'era-z1', userId: 'max' }, 'Demo Requested', { timestamp: daysAgo(1) }),
      { type: 'alias', messageId: `${site.siteId}-a1`, userId: 'max', previousId: 'era-z2' },
    ]);
    const maxEvents = await count("events where site_id = $1 and user_id = 'max'", [site.siteId]);
    const res = await del('zoe');
    expect(res.status).toBe(200);
    expect((await res.json()).erased).toMatchObject({ redactedEvents: 2 });
    expect(
      await count(
        "events where site_id = $1 and (anonymous_id in ('era-z1', 'era-z2') or previous_id in ('era-z1', 'era-z2', 'zoe'))",
        [site.siteId],
      ),
    ).toBe(0);
    expect(await count("events where site_id = $1 and user_id = 'max'", [site.siteId])).toBe(maxEvents);
    expect(
      await count("identity_conflicts where site_id = $1 and anonymous_id in ('era-z1', 'era-z2')", [site.siteId]),
    ).toBe(0);
    expect((await api.person('max')).userId).toBe('max');
  });

  it('should unlink tracked links sent to the person, so that opening one again records nothing about them', async () => {
    const { site, api, del } = await seeded();
    const link = (recipient: string) => createLink(site.secretKey, 'https://erase.example/pricing', recipient);
    const byUser = await link('zoe');
    const byEmail = await link('Zoe@Erase.example');
    expect((await collector.app.request(`/l/${byUser}`)).status).toBe(302);
    const res = await del('zoe');
    expect((await res.json()).erased).toMatchObject({ links: 2 });
    expect(await count('links where site_id = $1 and recipient is not null', [site.siteId])).toBe(0);

    for (const slug of [byUser, byEmail]) {
      const open = await collector.app.request(`/l/${slug}`);
      expect(open.status).toBe(302);
      expect(new URL(open.headers.get('location') ?? '').searchParams.get('ink_lnk')).toBe(slug);
      await api.send([
        track({ anonymousId: `era-new-${slug}` }, 'Tracked Link Landed', { properties: { link: slug } }),
        page(`era-new-${slug}`, '/pricing'),
      ]);
      expect((await api.person(`era-new-${slug}`)).userId).toBeNull();
    }
    const named = "user_id in ('zoe', 'Zoe@Erase.example', 'zoe@erase.example')";
    expect(await count(`persons where site_id = $1 and (${named} or email = 'zoe@erase.example')`, [site.siteId])).toBe(
      0,
    );
    expect(await count(`events where site_id = $1 and ${named}`, [site.siteId])).toBe(0);
    expect((await api.get('/v1/people/zoe')).status).toBe(404);
  });

  it('should not re-create the person when an erased message is sent again', async () => {
    const { site, api, zoe, del } = await seeded();
    expect((await del('zoe')).status).toBe(200);
    await api.send(zoe);
    expect((await api.get('/v1/people/zoe')).status).toBe(404);
    expect((await api.get('/v1/people/era-z1')).status).toBe(404);
    expect(
      await count("persons where site_id = $1 and (user_id = 'zoe' or email = 'zoe@erase.example')", [site.siteId]),
    ).toBe(0);
    expect(
      await count('events where site_id = $1 and message_id = any($2::text[])', [
        site.siteId,
        zoe.map((e) => e.messageId),
      ]),
    ).toBe(0);
  });

  it('should erase nothing when any step fails (one transaction)', async () => {
    const { site, api, del } = await seeded();
    await api.send([
      { type: 'identify', messageId: `${site.siteId}-s1`, userId: 'solo', traits: { email: 'solo@lone.example' } },
    ]);
    await createLink(site.secretKey, 'https://lone.example/', 'solo');
    const events = await count('events where site_id = $1', [site.siteId]);
    // The last step, deleting the account only solo made, fails.
    const fn = `erase_fail_${site.siteId.replace(/\W/g, '_')}`;
    await db.query(
      `create function ${fn}() returns trigger language plpgsql as $$
       begin if old.site_id = '${site.siteId}' then raise exception 'erase test failure'; end if; return old; end $$`,
    );
    await db.query(`create trigger ${fn} before delete on accounts for each row execute function ${fn}()`);
    try {
      const res = await del('solo');
      expect(res.status).toBe(500);
      expect((await res.json()).error.code).toBe('internal');
    } finally {
      await db.query(`drop trigger ${fn} on accounts`);
      await db.query(`drop function ${fn}()`);
    }
    expect((await api.person('solo')).account?.domain).toBe('lone.example');
    expect(await count('events where site_id = $1', [site.siteId])).toBe(events);
    expect(await count("message_ids where site_id = $1 and received_at = '-infinity'", [site.siteId])).toBe(0);
    expect(await count("links where site_id = $1 and recipient = 'solo'", [site.siteId])).toBe(1);
    expect((await del('solo')).status).toBe(200);
    expect((await api.get('/v1/accounts/lone.example')).status).toBe(404);
  });
});
