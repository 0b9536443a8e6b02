import { describe, expect, it } from 'vitest';
import { defaultConfig, horizonStart } from '../../shared/scoring/index.ts';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { contactLinesJson } from './account-contacts.ts';
import { loadEventsOfPersons } from './events.ts';
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
  const group = (anon: string) => ({ type: 'group', messageId: mid(), anonymousId: anon, groupId: 'acme' });
  await api.send([page('ann', '/pricing'), track({ anonymousId: 'ann' }, 'Demo Requested'), group('ann')]);
  await api.send([page('bob', '/case-studies/a'), page('bob', '/product'), group('bob')]);
  const ann = await api.person('ann');
  const bob = await api.person('bob');
  const accountId = ann.account?.id as string;
  expect(bob.account?.id).toBe(accountId);
  const row = async () => {
    const [r] = await db.query<{ score: number; contacts: { personId: string; points: number }[] }>(
      `select score, ${contactLinesJson('account_scores.site_id', 'account_scores.account_id')} as contacts
         from account_scores where site_id = $1 and account_id = $2`,
      [site.siteId, accountId],
    );
    return r!;
  };
  const rescoreAccount = async () =>
    rescoreAccounts(db, site.siteId, [accountId], await collector.configs.model(site.siteId), Date.now());
  return { site, api, ann: ann.id as string, bob: bob.id as string, row, rescoreAccount };
}

describe('stored signals', () => {
  it("should store each person's signals that can still count, as [at, signal, intent, derived]", async () => {
    const { site, ann } = await account();
    const [row] = await db.query<{ hits: unknown[][] }>(
      'select hits from person_scores where site_id = $1 and person_id = $2',
      [site.siteId, ann],
    );
    expect(row!.hits.map((h) => h.slice(1))).toEqual([
      ['pricing_page', 'buying', 0],
      ['demo_requested', 'buying', 0],
    ]);
    expect(typeof row!.hits[0]![0]).toBe('number');
  });

  it("should roll an account up from its contacts' stored signals, not from their events", async () => {
    const { site, ann, row, rescoreAccount } = await account();
    const before = await row();
    await db.query(`update person_scores set hits = '[]'::jsonb where site_id = $1 and person_id = $2`, [
      site.siteId,
      ann,
    ]);
    await rescoreAccount();
    const after = await row();
    expect(after.score).toBeLessThan(before.score);
    expect(after.contacts.find((c) => c.personId === ann)?.points).toBe(0);
  });

  it('should derive a contact without stored signals (scored before they were stored) from their events', async () => {
    const { site, ann, row, rescoreAccount } = await account();
    const before = await row();
    await db.query('update person_scores set hits = null where site_id = $1 and person_id = $2', [site.siteId, ann]);
    await rescoreAccount();
    expect(await row()).toEqual(before);
  });

  it("should rebuild the stored signals and the account's roll-up when the config changes", async () => {
    const { site, api, ann, row } = await account();
    const withoutPricing = { ...defaultConfig, rules: defaultConfig.rules.filter((r) => r.signal !== 'pricing_page') };
    expect((await api.put('/v1/config', withoutPricing)).status).toBe(200);
    const [stored] = await db.query<{ hits: unknown[][] }>(
      'select hits from person_scores where site_id = $1 and person_id = $2',
      [site.siteId, ann],
    );
    expect(stored!.hits.map((h) => h[1])).toEqual(['demo_requested']);
    const [rolled] = await db.query<{ explanation: { signal: string }[] }>(
      'select explanation from account_scores where site_id = $1',
      [site.siteId],
    );
    expect(rolled!.explanation.map((l) => l.signal)).not.toContain('pricing_page');
    expect((await row()).contacts.find((c) => c.personId === ann)?.points).toBeGreaterThan(0);
  });
});

describe('loading events for scoring', () => {
  it('should read only the events within the horizon, future-dated ones included', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const sentAt = new Date().toISOString();
    await api.send([
      page('old-1', '/pricing', { timestamp: daysAgo(400), sentAt }),
      page('old-1', '/pricing', { timestamp: daysAgo(300), sentAt }),
      page('old-1', '/product', { timestamp: daysAgo(2), sentAt }),
      page('old-1', '/docs', { timestamp: daysAgo(-0.01), sentAt }),
    ]);
    const person = (await api.person('old-1')).id as string;
    const model = await collector.configs.model(site.siteId);
    const now = Date.now();
    const events = await loadEventsOfPersons(db, site.siteId, [person], horizonStart(model, now));
    expect(events.get(person)?.map((e) => e.path)).toEqual(['/pricing', '/product', '/docs']);
  });
});
