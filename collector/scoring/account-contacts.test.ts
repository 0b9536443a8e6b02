import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page } from '../../test/helpers/intent.ts';
import { TEST_LIMITS } from '../../test/helpers/server.ts';
import { type Collector, createCollector } from '../app.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { MIN_CONTACTS_HELD } from './contacts-memo.ts';
import { rescoreAccounts } from './persist.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/**
 * Two contacts of one account (group `acme`), ann and bob, and `crowd` more, scored over the
 * real ingest route.
 */
async function account(crowd = 0) {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  const group = (anon: string, groupId = 'acme') => ({ type: 'group', messageId: mid(), anonymousId: anon, groupId });
  await api.send([page('ann', '/pricing'), page('ann', '/demo'), group('ann')]);
  await api.send([page('bob', '/case-studies/a'), page('bob', '/product'), group('bob')]);
  const others = Array.from({ length: crowd }, (_, i) => `c${i}`);
  if (others.length > 0) {
    await api.send(others.flatMap((anon) => [page(anon, '/blog/intent'), group(anon)]));
    // That batch's visitors are scored in lanes, so the account's last roll-up may have
    // read only some of them (and, under MIN_CONTACTS_HELD, held nothing): one more event
    // rolls it up with every contact, as the tests below start from.
    await api.send([page('ann', '/product')]);
  }
  const ann = (await api.person('ann')).id as string;
  const bob = (await api.person('bob')).id as string;
  const accountId = (await api.person('ann')).account?.id as string;
  /** Each stored line with its row version (xmin: changes when the row is rewritten). */
  const lines = async () =>
    new Map(
      (
        await db.query<{ person_id: string; version: string; points: number }>(
          `select person_id, xmin::text as version, points from account_contacts
            where site_id = $1 and account_id = $2`,
          [site.siteId, accountId],
        )
      ).map((r) => [r.person_id, r]),
    );
  const answer = async () => {
    const res = await collector.app.request(`/v1/accounts/${accountId}`, {
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { score: number; contacts: { personId: string; points: number }[] };
  };
  const rescoreAccount = async () =>
    rescoreAccounts(db, site.siteId, [accountId], await collector.configs.model(site.siteId), Date.now());
  return { site, api, group, ann, bob, accountId, lines, answer, rescoreAccount };
}

describe('the breakdown by contact (account_contacts)', () => {
  it('should answer the stored lines, best first, as the account answer of the Sales API', async () => {
    const { ann, bob, lines, answer } = await account();
    const stored = await lines();
    const { contacts } = await answer();
    expect(contacts.map((c) => c.personId).sort()).toEqual([ann, bob].sort());
    expect(contacts.map((c) => c.points)).toEqual(contacts.map((c) => stored.get(c.personId)?.points));
    expect(contacts[0]!.points).toBeGreaterThanOrEqual(contacts[1]!.points);
    for (const c of contacts)
      expect(Object.keys(c)).toEqual(['personId', 'score', 'tier', 'type', 'points', 'engaged']);
  });

  it("should rewrite only the lines that changed: one contact's event leaves the other's line as it was", async () => {
    const { api, ann, bob, lines } = await account();
    const before = await lines();
    // Another pricing page: more points for ann, no new category and no change of who is engaged.
    await api.send([page('ann', '/pricing')]);
    const after = await lines();
    expect(after.get(ann)!.points).toBeGreaterThan(before.get(ann)!.points);
    expect(after.get(ann)!.version).not.toBe(before.get(ann)!.version);
    expect(after.get(bob)).toEqual(before.get(bob));
  });

  it('should write nothing when a rescore changes nothing (idempotent)', async () => {
    const { lines, rescoreAccount } = await account();
    const before = await lines();
    await rescoreAccount();
    await rescoreAccount();
    expect(await lines()).toEqual(before);
  });

  it('should drop the line of a contact who moved to another account', async () => {
    const { api, group, ann, bob, lines, answer, rescoreAccount } = await account();
    await api.send([group('bob', 'globex')]);
    await rescoreAccount();
    expect([...(await lines()).keys()]).toEqual([ann]);
    expect((await answer()).contacts.map((c) => c.personId)).toEqual([ann]);
    expect(bob).not.toBe(ann);
  });

  it('should read back only the contacts that differ from the breakdown this collector holds', async () => {
    const { site, api, bob, accountId, lines } = await account(MIN_CONTACTS_HELD);
    const before = await lines();
    // Bob's line changed behind the collector's back, the lines version left as it was: what
    // no writer does (each writes a new version). The collector, holding this version, does
    // not read bob's line again: one event of ann reads ann's row, not every contact's.
    await db.query(
      'update account_contacts set points = 999 where site_id = $1 and account_id = $2 and person_id = $3',
      [site.siteId, accountId, bob],
    );
    await api.send([page('ann', '/pricing')]);
    expect((await lines()).get(bob)!.points).toBe(999);
    expect(before.get(bob)!.points).not.toBe(999);
  });

  it('should read a small account whole on every roll-up (nothing held of it)', async () => {
    const { site, api, bob, accountId, lines } = await account();
    const before = await lines();
    await db.query(
      'update account_contacts set points = 999 where site_id = $1 and account_id = $2 and person_id = $3',
      [site.siteId, accountId, bob],
    );
    await api.send([page('ann', '/pricing')]);
    expect((await lines()).get(bob)!.points).toBe(before.get(bob)!.points);
  });

  it('should read the whole breakdown again once another writer changed it (a new lines version)', async () => {
    const { site, api, bob, accountId, lines } = await account(MIN_CONTACTS_HELD);
    const before = await lines();
    // As another collector's roll-up leaves it: bob's line and a version of its own.
    await db.query(
      `with line as (update account_contacts set points = 999 where site_id = $1 and account_id = $2 and person_id = $3)
       update account_scores set lines_version = 'another collector' where site_id = $1 and account_id = $2`,
      [site.siteId, accountId, bob],
    );
    await api.send([page('ann', '/pricing')]);
    expect((await lines()).get(bob)!.points).toBe(before.get(bob)!.points);
  });

  it.skipIf(!testDatabaseUrl())(
    'should roll up alike on two collectors taking turns on one account (PostgreSQL)',
    async () => {
      const { site, api, ann, bob, accountId, lines, answer } = await account(MIN_CONTACTS_HELD);
      const other = await openDatabase({ url: testDatabaseUrl()!, max: 2 });
      const fresh = await openDatabase({ url: testDatabaseUrl()!, max: 2 });
      const second = createCollector({ db: other, rescoreIntervalMs: 0, limits: TEST_LIMITS });
      try {
        const secondApi = intentClient(second, site);
        // The first collector holds the breakdown; the second moves bob on; the first then
        // rolls up an event of ann with bob's new line and signals, not the ones it held.
        await api.send([page('ann', '/product')]);
        await secondApi.send([page('bob', '/pricing'), page('bob', '/demo')]);
        await api.send([page('ann', '/pricing')]);
        const stored = await lines();
        const answered = await answer();
        // A process that holds nothing rolls the account up from scratch: nothing to change.
        await rescoreAccounts(fresh, site.siteId, [accountId], await collector.configs.model(site.siteId), Date.now());
        expect(await lines()).toEqual(stored);
        expect(await answer()).toEqual(answered);
        expect(stored.size).toBe(MIN_CONTACTS_HELD + 2);
        expect(stored.has(ann) && stored.has(bob)).toBe(true);
      } finally {
        await second.drain();
        await other.close();
        await fresh.close();
      }
    },
  );
});
