import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { domainOf } from './accounts.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Api = ReturnType<typeof intentClient>;

interface AccountBody {
  id: string;
  groupId: string | null;
  domain: string | null;
  name: string | null;
  score: number;
  contacts: { personId: string; score: number }[];
}

const group = (anonymousId: string, groupId: string, traits: Record<string, unknown> = {}) => ({
  type: 'group',
  messageId: mid(),
  anonymousId,
  groupId,
  traits,
});

/** A visitor who reads the pricing page and asks for a demo (scoring events). */
const interested = (anonymousId: string) => [page(anonymousId, '/pricing'), track({ anonymousId }, 'Demo Requested')];

async function account(api: Api, id: string): Promise<AccountBody> {
  const res = await api.get(`/v1/accounts/${encodeURIComponent(id)}`);
  expect(res.status, `GET /v1/accounts/${id}`).toBe(200);
  return (await res.json()) as AccountBody;
}

async function accountIds(api: Api): Promise<string[]> {
  const res = await api.get('/v1/accounts');
  return ((await res.json()) as { data: { id: string }[] }).data.map((a) => a.id);
}

/** What the page's tier lookup answers (`GET /v1/intent`, write key). */
async function intent(site: { writeKey: string }, anonymousId: string) {
  const res = await collector.app.request(`/v1/intent?anonymousId=${anonymousId}&key=${site.writeKey}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { account: { score: number; tier: string } | null };
}

async function historyOf(siteId: string, accountId: string) {
  return db.query<{ at: Date; score: number; tier: string }>(
    `select at, score, tier from score_history where site_id = $1 and subject_kind = 'account' and subject_id = $2
     order by at, id`,
    [siteId, accountId],
  );
}

describe('one account per company', () => {
  it("should keep one account when group('acme-corp.com') follows a work email's identify", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    const before = await api.person('jane');
    expect(before.account?.domain).toBe('acme-corp.com');
    await api.send([group('jane-a', 'acme-corp.com', { name: 'Acme' })]);

    const jane = await api.person('jane');
    expect(jane.account?.id).toBe(before.account?.id);
    expect(await accountIds(api)).toEqual([before.account?.id]);
    const byDomain = await account(api, 'acme-corp.com');
    expect(byDomain).toMatchObject({ id: before.account?.id, groupId: 'acme-corp.com', domain: 'acme-corp.com' });
    expect(byDomain.name).toBe('Acme');
    expect(byDomain.score).toBeGreaterThan(0);
    expect(byDomain.contacts.map((c) => c.personId)).toEqual([jane.id]);
    expect(await account(api, byDomain.id)).toEqual(byDomain);
    expect(await account(api, 'ACME-CORP.COM')).toEqual(byDomain);
  });

  it('should put a group with a website trait and a non-domain group id in the domain account', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    const domainAccount = (await api.person('jane')).account?.id;
    await api.send([
      ...interested('bob-a'),
      group('bob-a', 'org-acme', { name: 'Acme', website: 'https://www.acme-corp.com' }),
    ]);

    expect((await api.person('bob-a')).account?.id).toBe(domainAccount);
    expect(await accountIds(api)).toEqual([domainAccount]);
    const byGroup = await account(api, 'org-acme');
    expect(byGroup).toMatchObject({ id: domainAccount, groupId: 'org-acme', domain: 'acme-corp.com', name: 'Acme' });
    expect(byGroup.contacts).toHaveLength(2);
    expect(await account(api, 'acme-corp.com')).toEqual(byGroup);
  });

  it('should merge a group account into the domain account of the same company, keeping contacts and history', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    // A group call that names no domain: a second account, for now.
    await api.send([...interested('bob-a'), group('bob-a', 'org-acme', { name: 'Acme' })]);
    const [jane, bob] = [await api.person('jane'), await api.person('bob-a')];
    const [kept, merged] = [jane.account?.id ?? '', bob.account?.id ?? ''];
    expect(merged).not.toBe(kept);
    const histories = [...(await historyOf(site.siteId, kept)), ...(await historyOf(site.siteId, merged))];
    expect((await historyOf(site.siteId, merged)).length).toBeGreaterThan(0);

    // Bob's page asked for his tier: the answer is cached with the account it depends on.
    expect((await intent(site, 'bob-a')).account).toEqual({ score: bob.account?.score, tier: bob.account?.tier });

    // The group now names its domain: one company.
    await api.send([group('bob-a', 'org-acme', { domain: 'acme-corp.com' })]);

    expect(await accountIds(api)).toEqual([kept]);
    const survivor = await account(api, kept);
    expect(survivor).toMatchObject({ groupId: 'org-acme', domain: 'acme-corp.com', name: 'Acme' });
    expect(survivor.contacts.map((c) => c.personId).sort()).toEqual([jane.id, bob.id].sort());
    expect(survivor.score).toBeGreaterThan(0);
    for (const id of [merged, 'org-acme', 'acme-corp.com']) expect(await account(api, id)).toEqual(survivor);
    expect(survivor.score).not.toBe(bob.account?.score);
    expect((await intent(site, 'bob-a')).account?.score).toBe(survivor.score);
    // Every history row of both accounts is the survivor's; the merged-away account keeps no score.
    const now = await historyOf(site.siteId, kept);
    for (const h of histories) expect(now).toContainEqual(h);
    expect(await historyOf(site.siteId, merged)).toEqual([]);
    expect(
      await db.query('select 1 from account_scores where site_id = $1 and account_id = $2', [site.siteId, merged]),
    ).toEqual([]);
  });

  it('should answer a merged-away group id with the survivor, and put its later members there', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    await api.send([group('jane-a', 'acme-corp.com', { name: 'Acme' })]);
    await api.send([...interested('bob-a'), group('bob-a', 'org-acme', { name: 'Acme EU' })]);
    const kept = (await api.person('jane')).account?.id;
    const merged = (await api.person('bob-a')).account?.id ?? '';
    expect(merged).not.toBe(kept);

    await api.send([group('bob-a', 'org-acme', { website: 'acme-corp.com' })]);
    // The survivor keeps its own group id; the other one is an alias of it.
    const survivor = await account(api, 'org-acme');
    expect(survivor).toMatchObject({ id: kept, groupId: 'acme-corp.com', domain: 'acme-corp.com' });
    expect(await account(api, merged)).toEqual(survivor);

    await api.send([...interested('cat-a'), group('cat-a', 'org-acme')]);
    expect((await api.person('cat-a')).account?.id).toBe(kept);
    expect(await accountIds(api)).toEqual([kept]);
    expect((await account(api, 'acme-corp.com')).contacts).toHaveLength(3);
  });

  it("should make a new group that names no domain the account of its member's work email domain", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    await api.send([...interested('sam-a'), identify('sam-a', 'sam', { email: 'sam@acme-corp.com' })]);
    const before = await account(api, 'acme-corp.com');
    expect(before.contacts).toHaveLength(2);

    // What a product's group call often sends: a workspace id and a name, no domain.
    await api.send([group('jane-a', 'org-acme', { name: 'Acme' })]);

    expect(await accountIds(api)).toEqual([before.id]);
    const after = await account(api, 'org-acme');
    expect(after).toMatchObject({ id: before.id, groupId: 'org-acme', domain: 'acme-corp.com', name: 'Acme' });
    expect(after.score).toBe(before.score);
    expect(after.contacts.map((c) => c.personId).sort()).toEqual(before.contacts.map((c) => c.personId).sort());
    // The group's later members join it, and so do the domain's.
    await api.send([...interested('cat-a'), group('cat-a', 'org-acme')]);
    await api.send([identify('dan-a', 'dan', { email: 'dan@acme-corp.com' })]);
    expect((await api.person('cat-a')).account?.id).toBe(before.id);
    expect((await api.person('dan')).account?.id).toBe(before.id);
    expect(await accountIds(api)).toEqual([before.id]);
  });

  it("should merge a known group that has no domain with its new member's work email domain account", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // The group is known first, from a visitor with no email.
    await api.send([...interested('bob-a'), group('bob-a', 'org-acme', { name: 'Acme' })]);
    await api.send([...interested('jane-a'), identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    const [bob, jane] = [await api.person('bob-a'), await api.person('jane')];
    const [byGroup, byDomain] = [bob.account?.id ?? '', jane.account?.id ?? ''];
    expect(byGroup).not.toBe(byDomain);

    await api.send([group('jane-a', 'org-acme')]);

    expect(await accountIds(api)).toEqual([byDomain]);
    const survivor = await account(api, 'org-acme');
    expect(survivor).toMatchObject({ id: byDomain, groupId: 'org-acme', domain: 'acme-corp.com', name: 'Acme' });
    expect(survivor.contacts.map((c) => c.personId).sort()).toEqual([bob.id, jane.id].sort());
    expect(await account(api, byGroup)).toEqual(survivor);
  });

  it("should leave a member's domain account alone when the group has a domain, the account a group, or the email is free mail", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // A consultant joins a client's group that names its own domain: the agency keeps its account.
    await api.send([...interested('bob-a'), group('bob-a', 'org-client', { website: 'client.example' })]);
    await api.send([...interested('kate-a'), identify('kate-a', 'kate', { email: 'kate@agency.example' })]);
    const agency = (await api.person('kate')).account?.id;
    await api.send([group('kate-a', 'org-client')]);
    expect((await account(api, 'org-client')).domain).toBe('client.example');
    expect((await api.person('kate')).account?.id).toBe((await account(api, 'org-client')).id);
    expect(await account(api, 'agency.example')).toMatchObject({ id: agency, groupId: null, domain: 'agency.example' });

    // An account a group already named is not taken by a second group.
    await api.send([identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    await api.send([group('jane-a', 'org-acme')]);
    const acme = (await api.person('jane')).account?.id;
    expect((await account(api, 'acme-corp.com')).groupId).toBe('org-acme');
    await api.send([group('jane-a', 'org-other')]);
    const other = await account(api, 'org-other');
    expect(other.id).not.toBe(acme);
    expect(other.domain).toBeNull();
    expect(await account(api, 'acme-corp.com')).toMatchObject({ id: acme, groupId: 'org-acme' });

    // A free-mail address names no company.
    await api.send([identify('kim-a', 'kim', { email: 'kim@gmail.com' })]);
    await api.send([group('kim-a', 'org-kim')]);
    expect((await account(api, 'org-kim')).domain).toBeNull();
  });

  it('should not take a group id that is a number, an email or a free-mail domain for a company domain', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([identify('jane-a', 'jane', { email: 'jane@acme-corp.com' })]);
    for (const id of ['1.5', 'ann@acme-corp.com', 'gmail.com']) {
      await api.send([group(`v-${id}`, id)]);
      expect((await account(api, id)).domain, id).toBeNull();
    }
    expect(await accountIds(api)).toHaveLength(4);
  });
});

describe('a user id that is a work email', () => {
  it("should put a server library's user into their email domain's account, with no identify", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // What the README's analytics-node example sends: a track with only a userId.
    await api.sendAsServer([track({ userId: 'jane@initech.example' }, 'Meeting Scheduled')]);
    await api.sendAsServer([
      { type: 'page', messageId: mid(), userId: 'sam@initech.example', properties: { path: '/pricing' } },
    ]);
    const jane = await api.person('jane@initech.example');
    expect(jane.account?.domain).toBe('initech.example');
    expect((await api.person('sam@initech.example')).account?.id).toBe(jane.account?.id);
    expect((await account(api, 'initech.example')).contacts).toHaveLength(2);
    // A free-mail user names no company.
    await api.sendAsServer([track({ userId: 'kim@gmail.com' }, 'Meeting Scheduled')]);
    expect((await api.person('kim@gmail.com')).account).toBeNull();
  });
});

describe('domainOf', () => {
  it('should read a company domain from a domain, a URL or a group id, and nothing from numbers', () => {
    expect(domainOf('acme-corp.com')).toBe('acme-corp.com');
    expect(domainOf('https://www.Acme-Corp.com/about')).toBe('acme-corp.com');
    expect(domainOf('www.acme.co.uk')).toBe('acme.co.uk');
    for (const x of ['org-42', '1.5', '10.0.0.1', '', 'Acme Inc', 42]) expect(domainOf(x), String(x)).toBeNull();
  });
});
