import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, mid, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { rescoreAccounts } from './persist.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/** Two contacts of one account (group `acme`), scored over the real ingest route. */
async function account() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  const group = (anon: string, groupId = 'acme') => ({ type: 'group', messageId: mid(), anonymousId: anon, groupId });
  await api.send([page('ann', '/pricing'), page('ann', '/demo'), group('ann')]);
  await api.send([page('bob', '/case-studies/a'), page('bob', '/product'), group('bob')]);
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
});
