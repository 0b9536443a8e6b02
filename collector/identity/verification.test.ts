import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { userHash } from '../keys.ts';
import { MAX_ANONYMOUS_IDS, MAX_UNVERIFIED_ANONYMOUS_IDS } from './persons.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Site = Awaited<ReturnType<typeof newSite>>;

/** An identify as a page sends it after the site's server computed the user's `user_hash`. */
const verifiedIdentify = (site: Site, anonymousId: string, userId: string, traits: Record<string, unknown> = {}) =>
  identify(anonymousId, userId, { ...traits, user_hash: userHash(site.verificationSecret, userId) });

/** What the public lookup answers for an anonymous id, with the write key. */
async function publicIntent(site: Site, anonymousId: string) {
  const res = await collector.app.request(`/v1/intent?anonymousId=${anonymousId}&key=${site.writeKey}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** The victim: a verified device with buying events, at a company (an account). */
async function victim(site: Site, device: string, userId: string) {
  const api = intentClient(collector, site);
  await api.send([
    verifiedIdentify(site, device, userId, { email: `${userId}@bigco.example` }),
    page(device, '/pricing'),
    track({ anonymousId: device, userId }, 'Demo Requested'),
    track({ anonymousId: device, userId }, 'Trial Started'),
  ]);
  const person = await api.person(userId);
  expect(person.score).toBeGreaterThan(0);
  expect(person.account).not.toBeNull();
  return person;
}

describe('identity verification: the public answers leak nothing', () => {
  it("should show an attacker who identifies as the victim (write key, no user_hash) only their own device's events", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const person = await victim(site, 'v-laptop', 'victim-1');
    expect(await publicIntent(site, 'v-laptop')).toMatchObject({ score: person.score, tier: person.tier });

    // The attacker's device and a control device send the same events; only the attacker claims the victim.
    const attack = await api.send([page('att-1', '/blog'), identify('att-1', 'victim-1')]);
    const control = await api.send([page('ctl-1', '/blog'), identify('ctl-1', 'somebody-new')]);
    expect(attack.intent).toEqual(control.intent);
    expect(attack.intent.account).toBeNull();
    expect(attack.intent.score).toBeLessThan(person.score);
    expect(await publicIntent(site, 'att-1')).toEqual(control.intent);

    // The attacker's later events still answer from the device alone.
    const later = await api.send([page('att-1', '/careers'), track({ anonymousId: 'att-1', userId: 'victim-1' }, 'x')]);
    const controlLater = await api.send([
      page('ctl-1', '/careers'),
      track({ anonymousId: 'ctl-1', userId: 'somebody-new' }, 'x'),
    ]);
    expect(later.intent).toEqual(controlLater.intent);
    expect(later.intent.account).toBeNull();
    expect(await publicIntent(site, 'att-1')).toEqual(controlLater.intent);
    // The victim's own device still sees the victim.
    expect((await publicIntent(site, 'v-laptop')).account).not.toBeNull();
  });

  it('should not store the user_hash, and treat a user_hash of another user id as no verification', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await victim(site, 'w-laptop', 'victim-2');
    const stolen = userHash(site.verificationSecret, 'attacker-2');
    const answer = await api.send([identify('att-2', 'victim-2', { user_hash: stolen })]);
    expect(answer.intent.account).toBeNull();
    expect(answer.intent.score).toBe(0);
    const stored = await db.query<{ traits: Record<string, unknown>; context: Record<string, unknown> }>(
      'select traits, context from events where site_id = $1 and type = $2',
      [site.siteId, 'identify'],
    );
    for (const row of stored) {
      expect(row.traits).not.toHaveProperty('user_hash');
      expect(row.context).not.toHaveProperty('user_hash');
    }
    expect((await api.person('victim-2')).traits).not.toHaveProperty('user_hash');
  });

  it("should link a device whose identify carries the user id's valid user_hash, and show it the person's tier and account", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await victim(site, 'h-laptop', 'user-3');
    const answer = await api.send([verifiedIdentify(site, 'h-phone', 'user-3')]);
    const person = await api.person('user-3');
    expect(person.anonymousIds).toEqual(expect.arrayContaining(['h-laptop', 'h-phone']));
    const expected = {
      tier: person.tier,
      score: person.score,
      type: person.type,
      trend: person.trend,
      account: { tier: person.account?.tier, score: person.account?.score },
    };
    expect(answer.intent).toEqual(expected);
    expect(await publicIntent(site, 'h-phone')).toEqual(expected);
  });

  it('should verify a device that first identified without user_hash once it identifies with one', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const person = await victim(site, 'u-laptop', 'user-4');
    expect((await api.send([identify('u-phone', 'user-4')])).intent.account).toBeNull();
    const answer = await api.send([verifiedIdentify(site, 'u-phone', 'user-4')]);
    expect(answer.intent).toMatchObject({ score: person.score, tier: person.tier });
    expect((await publicIntent(site, 'u-phone')).account).not.toBeNull();
  });

  it("should trust an identify sent with the site's secret key (a server-side library) as a verified link", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const person = await victim(site, 's-laptop', 'user-5');
    const res = await collector.app.request('/v1/identify', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${site.secretKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ messageId: mid(), anonymousId: 's-phone', userId: 'user-5' }),
    });
    expect(res.status).toBe(200);
    expect(await publicIntent(site, 's-phone')).toMatchObject({ score: person.score, tier: person.tier });
    expect((await api.person('user-5')).anonymousIds).toContain('s-phone');
  });

  it('should answer 401 for an unknown secret key on ingest, as for an unknown write key', async () => {
    const site = await newSite(db);
    const wrong = `${site.secretKey.slice(0, -4)}AAAA`;
    const res = await collector.app.request('/v1/track', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${wrong}:`).toString('base64')}`,
      },
      body: JSON.stringify({ messageId: mid(), anonymousId: 'k-1', event: 'x' }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unknown_key');
  });
});

describe('identity verification: unverified links cannot crowd out verified ones', () => {
  it(`should still link the victim's new verified device after ${MAX_ANONYMOUS_IDS} unverified identifies`, async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const person = await victim(site, 'c-laptop', 'user-6');
    const flood = Array.from({ length: MAX_ANONYMOUS_IDS }, (_, i) => identify(`flood-${i}`, 'user-6'));
    await api.send(flood);

    const answer = await api.send([verifiedIdentify(site, 'c-phone', 'user-6')]);
    expect(answer.intent).toMatchObject({ tier: person.tier, score: person.score });
    expect(answer.intent.account).not.toBeNull();
    expect(await publicIntent(site, 'c-phone')).toMatchObject({ tier: person.tier, score: person.score });

    const ids = (await api.person('user-6')).anonymousIds;
    expect(ids).toEqual(expect.arrayContaining(['c-laptop', 'c-phone']));
    // Only the newest unverified ids are kept: the oldest were dropped, never a verified one.
    const kept = ids.filter((id) => id.startsWith('flood-'));
    expect(kept.sort()).toEqual(
      flood
        .slice(-MAX_UNVERIFIED_ANONYMOUS_IDS)
        .map((m) => m.anonymousId)
        .sort(),
    );
  });
});
