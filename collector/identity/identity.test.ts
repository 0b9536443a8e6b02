import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { MAX_ANONYMOUS_IDS } from './persons.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const identify = (anonymousId: string | undefined, userId: string, traits: Record<string, unknown> = {}) => ({
  type: 'identify',
  messageId: mid(),
  ...(anonymousId ? { anonymousId } : {}),
  userId,
  traits,
});

async function conflicts(siteId: string) {
  return db.query<{ anonymous_id: string | null; refused_user_id: string | null; reason: string }>(
    'select anonymous_id, refused_user_id, reason from identity_conflicts where site_id = $1 order by id',
    [siteId],
  );
}

describe('identity graph', () => {
  it('should count earlier anonymous events for the known person after identify', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([track({ userId: 'u-1' }, 'Demo Requested')]);
    const known = await api.person('u-1');
    await api.send([page('anon-1', '/pricing'), page('anon-1', '/case-studies/acme'), page('anon-1', '/product')]);
    const anonymous = await api.person('anon-1');
    expect(anonymous.id).not.toBe(known.id);
    expect(anonymous.score).toBeGreaterThan(0);

    await api.send([identify('anon-1', 'u-1')]);
    const merged = await api.person('anon-1');
    expect(merged.id).toBe(known.id);
    expect(merged.anonymousIds).toEqual(['anon-1']);
    expect(merged.score).toBeGreaterThan(known.score);
    expect(merged.score).toBeGreaterThan(anonymous.score);
    // The anonymous person is gone, with its score.
    expect(await db.query('select 1 from persons where site_id = $1 and id = $2', [site.siteId, anonymous.id])).toEqual(
      [],
    );
    expect(
      await db.query('select 1 from person_scores where site_id = $1 and person_id = $2', [site.siteId, anonymous.id]),
    ).toEqual([]);
  });

  it('should merge on alias (previousId -> userId), and change nothing when a merge is replayed', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([track({ userId: 'lena' }, 'Demo Requested'), page('old-anon', '/pricing')]);
    const alias = { type: 'alias', messageId: mid(), previousId: 'old-anon', userId: 'lena' };
    await api.send([alias]);
    const merged = await api.person('lena');
    expect(merged.anonymousIds).toEqual(['old-anon']);
    await api.send([alias, identify('old-anon', 'lena')]);
    expect(await api.person('old-anon')).toEqual(merged);
    expect(await conflicts(site.siteId)).toEqual([]);
  });

  it('should count two devices of one user together', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('laptop', '/pricing'), identify('laptop', 'u-2')]);
    const one = await api.person('u-2');
    await api.send([page('phone', '/case-studies/x'), page('phone', '/product'), identify('phone', 'u-2')]);
    const both = await api.person('u-2');
    expect(both.id).toBe(one.id);
    expect(both.anonymousIds.sort()).toEqual(['laptop', 'phone']);
    expect(both.score).toBeGreaterThan(one.score);
    expect((await api.person('phone')).id).toBe(one.id);
    expect((await api.person(one.id)).userId).toBe('u-2');
  });

  it('should refuse to merge two different known users and record it', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('shared-browser', '/pricing'), identify('shared-browser', 'alice')]);
    await api.send([
      identify('shared-browser', 'bob'),
      track({ anonymousId: 'shared-browser', userId: 'bob' }, 'Demo Requested'),
    ]);
    const alice = await api.person('alice');
    const bob = await api.person('bob');
    expect(bob.id).not.toBe(alice.id);
    expect((await api.person('shared-browser')).id).toBe(alice.id);
    expect(bob.anonymousIds).toEqual([]);
    // Bob's demo request counts for Bob, not for Alice.
    expect(bob.explanation.map((e) => e.signal)).toContain('demo_requested');
    expect(alice.explanation.map((e) => e.signal)).not.toContain('demo_requested');
    expect(await conflicts(site.siteId)).toContainEqual({
      anonymous_id: 'shared-browser',
      refused_user_id: 'bob',
      reason: 'anonymous_id_of_another_user',
    });
  });

  it('should never link junk ids', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const junk = [
      'null',
      'undefined',
      'anonymous',
      '0',
      '-1',
      '[object Object]',
      'NaN',
      'None',
      '00000000-0000-0000-0000-000000000000',
      '---',
    ];
    // Empty and whitespace-only ids are already rejected by ingest validation.
    await api.send(junk.map((id) => identify('visitor-a', id)));
    await api.send(junk.map((id) => identify('visitor-b', id)));
    const a = await api.person('visitor-a');
    const b = await api.person('visitor-b');
    expect(a.id).not.toBe(b.id);
    expect(a.userId).toBeNull();
    const known = await db.query('select 1 from persons where site_id = $1 and user_id is not null', [site.siteId]);
    expect(known).toEqual([]);
    expect((await conflicts(site.siteId)).filter((c) => c.reason === 'junk_id')).toHaveLength(junk.length * 2);
    // A junk anonymous id with a real user makes no anonymous link either.
    await api.send([identify('null', 'carol')]);
    expect((await api.person('carol')).anonymousIds).toEqual([]);
  });

  it(`should hold at most ${MAX_ANONYMOUS_IDS} verified anonymous ids per person`, async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const ids = Array.from({ length: MAX_ANONYMOUS_IDS + 2 }, (_, i) => `device-${i}`);
    // Sent by the site's server (secret key): trusted links, as every identify was before verification.
    await api.sendAsServer(ids.map((id) => identify(id, 'dave')));
    const dave = await api.person('dave');
    expect(dave.anonymousIds).toHaveLength(MAX_ANONYMOUS_IDS);
    const refused = (await conflicts(site.siteId)).filter((c) => c.reason === 'too_many_anonymous_ids');
    expect(refused.map((c) => c.anonymous_id)).toEqual(ids.slice(MAX_ANONYMOUS_IDS));
  });

  it('should find a person by person id, user id or any anonymous id, and 404 otherwise', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([identify('x-1', 'erin'), identify('x-2', 'erin')]);
    const erin = await api.person('erin');
    for (const id of [erin.id, 'x-1', 'x-2']) expect((await api.person(id)).id).toBe(erin.id);
    expect((await api.get('/v1/people/nobody')).status).toBe(404);
  });
});

describe('one group of many visitors (the bulk path)', () => {
  async function personsOf(siteId: string) {
    return db.query<{ id: string; user_id: string | null; anons: string[] | null }>(
      `select p.id, p.user_id, array_agg(i.anonymous_id order by i.anonymous_id) filter (where i.anonymous_id is not null) as anons
         from persons p left join identities i on i.site_id = p.site_id and i.person_id = p.id
        where p.site_id = $1 group by p.id, p.user_id order by p.user_id nulls first, anons`,
      [siteId],
    );
  }

  it('should resolve new, known and identifying visitors of one batch as message by message', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([page('bulk-known', '/blog')]);
    const known = await api.person('bulk-known');
    // One batch: two new visitors, a known one, a new one who identifies after a page view,
    // and one who identifies before it; each appears more than once.
    const batch: object[] = [
      page('bulk-a', '/pricing'),
      page('bulk-b', '/product'),
      page('bulk-known', '/pricing'),
      page('bulk-c', '/pricing'),
      page('bulk-a', '/case-studies/x'),
      identify('bulk-c', 'user-c'),
      identify('bulk-d', 'user-d'),
      page('bulk-d', '/pricing'),
      track({ anonymousId: 'bulk-c', userId: 'user-c' }, 'Demo Requested'),
      page('bulk-b', '/pricing'),
    ];
    await api.send(batch);
    expect(await personsOf(site.siteId)).toEqual([
      { id: expect.any(String), user_id: null, anons: ['bulk-a'] },
      { id: expect.any(String), user_id: null, anons: ['bulk-b'] },
      { id: known.id, user_id: null, anons: ['bulk-known'] },
      { id: expect.any(String), user_id: 'user-c', anons: ['bulk-c'] },
      { id: expect.any(String), user_id: 'user-d', anons: ['bulk-d'] },
    ]);
    // Every event counted for its person: the same scores as a site fed one message at a time.
    const control = await newSite(db);
    const one = intentClient(collector, control);
    const events = await db.query<{ message_id: string }>(
      'select message_id from events where site_id = $1 order by id',
      [site.siteId],
    );
    expect(events).toHaveLength(11);
    await one.send([page('bulk-known', '/blog')]);
    // The same messages (messageIds are per site).
    for (const m of batch) await one.send([m]);
    // Explanation lines without their dates: the two sites received (and so dated) the
    // undated messages at different instants.
    const undated = (lines: { firstAt: string; lastAt: string }[]) => lines.map(({ firstAt, lastAt, ...line }) => line);
    for (const id of ['bulk-a', 'bulk-b', 'bulk-known', 'user-c', 'user-d']) {
      const [bulk, single] = [await api.person(id), await one.person(id)];
      expect({ id, score: bulk.score, explanation: undated(bulk.explanation) }).toEqual({
        id,
        score: single.score,
        explanation: undated(single.explanation),
      });
    }
    expect((await api.person('user-c')).score).toBeGreaterThan(0);
  });

  it('should apply the traits of a repeated identify, and name a new account from a new work email', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([identify('rep-a', 'rep-user', { plan: 'a' })]);
    const first = await api.person('rep-user');
    // Linked ids; the email names an account that does not exist yet (the locked path).
    await api.send([identify('rep-a', 'rep-user', { plan: 'b', email: 'rep@newco.example' })]);
    const second = await api.person('rep-user');
    expect(second.id).toBe(first.id);
    expect(second.traits).toMatchObject({ plan: 'b', email: 'rep@newco.example' });
    expect(second.account?.domain).toBe('newco.example');
    // Linked ids, account known: only the traits change.
    await api.send([identify('rep-a', 'rep-user', { role: 'cto' }), page('rep-a', '/pricing')]);
    const third = await api.person('rep-a');
    expect(third.id).toBe(first.id);
    expect(third.traits).toMatchObject({ plan: 'b', role: 'cto', email: 'rep@newco.example' });
    expect(third.account?.id).toBe(second.account?.id);
    expect(third.anonymousIds).toEqual(['rep-a']);
    expect(await conflicts(site.siteId)).toEqual([]);
  });

  it('should count an event with a junk user id for its anonymous person, in a group of many', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const batch: object[] = Array.from({ length: 40 }, (_, i) => page(`many-${i}`, i % 2 ? '/pricing' : '/product'));
    batch.push(track({ anonymousId: 'many-0', userId: 'null' }, 'Demo Requested'));
    await api.send(batch);
    expect(await personsOf(site.siteId)).toHaveLength(40);
    const [a, b] = [await api.person('many-0'), await api.person('many-2')];
    expect(a.explanation.map((e) => e.signal)).toContain('demo_requested');
    expect(a.score).toBeGreaterThan(b.score);
  });
});

describe('accounts', () => {
  it('should put a person in the account of a group call', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      page('g-1', '/pricing'),
      identify('g-1', 'frank'),
      {
        type: 'group',
        messageId: mid(),
        userId: 'frank',
        groupId: 'org-42',
        traits: { name: 'Acme Inc', domain: 'https://www.acme.io' },
      },
    ]);
    const frank = await api.person('frank');
    expect(frank.account).toMatchObject({ name: 'Acme Inc', domain: 'acme.io' });
    expect(frank.account?.score).toBe(frank.score);
  });

  it('should put a person with a work email in the account of its domain, but not for gmail.com', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([
      identify('w-1', 'gina', { email: 'gina@initech.com' }),
      identify('w-2', 'hank@initech.com'),
      identify('w-3', 'ivan', { email: 'ivan@gmail.com' }),
    ]);
    const gina = await api.person('gina');
    const hank = await api.person('hank@initech.com');
    expect(gina.account).toMatchObject({ domain: 'initech.com' });
    expect(hank.account?.id).toBe(gina.account?.id);
    expect((await api.person('ivan')).account).toBeNull();
  });
});
