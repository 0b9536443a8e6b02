import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../shared/wilson.ts';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, identify, intentClient, mid, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Site = Awaited<ReturnType<typeof newSite>>;
const T0 = 50; // days ago: the first firings

/**
 * Rows the rules and delivery parts write (rules, firings, deliveries), inserted as they store
 * them: these stats read only the tables.
 */
async function insertRule(site: Site, id: string, subject: 'person' | 'account', definition: object) {
  await db.query(
    `insert into rules (site_id, id, name, subject, definition, secret) values ($1, $2, $3, $4, $5::text::jsonb, $6)`,
    [site.siteId, id, `rule ${id}`, subject, JSON.stringify(definition), 'whsec_dGVzdA=='],
  );
}

let firingSeq = 0;
async function insertFiring(
  site: Site,
  ruleId: string,
  subject: { kind: 'person' | 'account'; id: string },
  outcome: 'fired' | 'held_out' | 'capped',
  firedDaysAgo: number,
): Promise<string> {
  const id = `msg_${process.pid}_${++firingSeq}`;
  await db.query(
    `insert into firings (site_id, id, rule_id, subject_kind, subject_id, change_key, outcome, payload, fired_at)
     values ($1, $2, $3, $4, $5, $6, $7, '{}'::jsonb, $8)`,
    [site.siteId, id, ruleId, subject.kind, subject.id, `test:${id}`, outcome, daysAgo(firedDaysAgo)],
  );
  return id;
}

async function insertDelivery(
  site: Site,
  ruleId: string,
  firingId: string,
  state: { status: 'pending' | 'delivered' | 'dead'; attempts: number },
) {
  await db.query(
    // Not due for a day: the collectors' dispatchers (every test collector runs one, on a shared
    // PostgreSQL database too) leave the row as inserted.
    `insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, status, attempts, give_up_at,
       next_attempt_at)
     values ($1, $2, $3, $3, 'webhook', 'http://127.0.0.1:9/hook', $4, $5, now() + interval '2 days',
       now() + interval '1 day')`,
    [site.siteId, ruleId, firingId, state.status, state.attempts],
  );
}

const personId = async (api: ReturnType<typeof intentClient>, userId: string) => (await api.person(userId)).id;

async function stats(api: ReturnType<typeof intentClient>, path: string, status = 200) {
  const res = await api.get(path);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text);
}

describe('GET /v1/rules/:id/stats', () => {
  it('should count firings by outcome, deliveries by state, and conversion of fired vs held-out people', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    // Six people, each a user with a device.
    await api.sendAsServer([1, 2, 3, 4, 5, 6].map((n) => identify(`rs-a${n}`, `rs-u${n}`)));
    const p = Object.fromEntries(
      await Promise.all([1, 2, 3, 4, 5, 6].map(async (n) => [n, await personId(api, `rs-u${n}`)] as const)),
    );
    const person = (n: number) => ({ kind: 'person' as const, id: p[n] as string });
    await insertRule(site, 'rul_people', 'person', {
      when: { type: 'threshold', tier: 'high' },
      stopWhen: { event: 'Demo Booked' },
    });
    await insertRule(site, 'rul_other', 'person', { when: { type: 'threshold', tier: 'high' } });

    const f1 = await insertFiring(site, 'rul_people', person(1), 'fired', T0);
    const f1b = await insertFiring(site, 'rul_people', person(1), 'fired', T0 - 5);
    const f2 = await insertFiring(site, 'rul_people', person(2), 'fired', T0);
    const f3 = await insertFiring(site, 'rul_people', person(3), 'fired', T0);
    await insertFiring(site, 'rul_people', person(4), 'held_out', T0);
    await insertFiring(site, 'rul_people', person(5), 'held_out', T0);
    await insertFiring(site, 'rul_people', person(6), 'capped', T0);
    const other = await insertFiring(site, 'rul_other', person(6), 'fired', T0);
    await insertDelivery(site, 'rul_people', f1, { status: 'delivered', attempts: 1 });
    await insertDelivery(site, 'rul_people', f1b, { status: 'delivered', attempts: 3 });
    await insertDelivery(site, 'rul_people', f2, { status: 'pending', attempts: 2 });
    await insertDelivery(site, 'rul_people', f3, { status: 'dead', attempts: 9 });
    await insertDelivery(site, 'rul_people', f3, { status: 'pending', attempts: 0 });
    await insertDelivery(site, 'rul_other', other, { status: 'delivered', attempts: 1 });

    await api.sendAsServer([
      // 1: booked 2 days after the first firing (converted).
      track({ userId: 'rs-u1' }, 'Demo Booked', { timestamp: daysAgo(T0 - 2) }),
      // 2: booked 40 days after (only within a 60-day window).
      track({ userId: 'rs-u2' }, 'Demo Booked', { timestamp: daysAgo(T0 - 40) }),
      // 3: booked the day before it fired (not a conversion).
      track({ userId: 'rs-u3' }, 'Demo Booked', { timestamp: daysAgo(T0 + 1) }),
      // 4 (held out): booked from their device, signed out (counts for them as for scoring).
      track({ anonymousId: 'rs-a4' }, 'Demo Booked', { timestamp: daysAgo(T0 - 1) }),
      // 5 (held out): only looked at pricing.
      track({ userId: 'rs-u5' }, 'Pricing Viewed', { timestamp: daysAgo(T0 - 1) }),
      // 6 was only capped: never in either group.
      track({ userId: 'rs-u6' }, 'Demo Booked', { timestamp: daysAgo(T0 - 1) }),
    ]);

    const body = await stats(api, '/v1/rules/rul_people/stats');
    expect(body).toEqual({
      fired: 4,
      delivered: 2,
      failed: 1,
      deadLettered: 1,
      capped: 1,
      heldOut: 2,
      pending: 1,
      conversion: {
        goal: 'Demo Booked',
        days: 30,
        fired: { n: 3, converted: 1, rate: 1 / 3, interval: wilsonInterval(1, 3) },
        heldOut: { n: 2, converted: 1, rate: 1 / 2, interval: wilsonInterval(1, 2) },
        lift: 1 / 3 - 1 / 2,
      },
    });
    const longer = await stats(api, '/v1/rules/rul_people/stats?days=60');
    expect(longer.conversion).toMatchObject({
      days: 60,
      fired: { n: 3, converted: 2 },
      heldOut: { n: 2, converted: 1 },
    });
    const pricing = await stats(api, '/v1/rules/rul_people/stats?goal=Pricing%20Viewed');
    expect(pricing.conversion).toMatchObject({
      goal: 'Pricing Viewed',
      fired: { n: 3, converted: 0, rate: 0 },
      heldOut: { n: 2, converted: 1 },
    });
    // Without a stop event the goal is Demo Booked; the other rule's rows are its own.
    const otherStats = await stats(api, '/v1/rules/rul_other/stats');
    expect(otherStats).toMatchObject({ fired: 1, delivered: 1, failed: 0, capped: 0, heldOut: 0 });
    expect(otherStats.conversion).toMatchObject({
      goal: 'Demo Booked',
      fired: { n: 1, converted: 1 },
      heldOut: { n: 0, converted: 0, rate: null, interval: null },
      lift: null,
    });

    // The answer is what /openapi.json says it is.
    const doc = await (await collector.app.request('/openapi.json')).json();
    const validate = new Ajv2020({ strict: false }).compile(
      doc.paths['/v1/rules/{id}/stats'].get.responses['200'].content['application/json'].schema,
    );
    expect(validate(body) ? [] : validate.errors).toEqual([]);
    expect(validate(otherStats) ? [] : validate.errors).toEqual([]);
  });

  it("should count an account rule's conversion by any contact's goal event, also after the account merged", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.sendAsServer([
      identify('rs-ann', 'ann', { email: 'ann@rs-acme.com' }),
      identify('rs-bob', 'bob', { email: 'bob@rs-acme.com' }),
      identify('rs-cat', 'cat', { email: 'cat@rs-initech.com' }),
      { type: 'group', messageId: mid(), userId: 'dan', anonymousId: 'rs-dan', groupId: 'grp-rs-m' },
      identify('rs-eve', 'eve', { email: 'eve@rs-m.io' }),
    ]);
    const acme = (await api.person('ann')).account?.id as string;
    const initech = (await api.person('cat')).account?.id as string;
    const groupAccount = (await api.person('dan')).account?.id as string;
    expect(acme && initech && groupAccount).toBeTruthy();
    await insertRule(site, 'rul_accounts', 'account', { when: { type: 'threshold', tier: 'high' } });
    for (const id of [acme, initech, groupAccount]) {
      await insertFiring(site, 'rul_accounts', { kind: 'account', id }, 'fired', T0);
    }
    // The group's account is merged into the domain account of the same company (Eve's).
    await api.sendAsServer([
      { type: 'group', messageId: mid(), userId: 'dan', groupId: 'grp-rs-m', traits: { domain: 'rs-m.io' } },
    ]);
    expect((await api.person('dan')).account?.id).not.toBe(groupAccount);
    await api.sendAsServer([
      track({ userId: 'bob' }, 'Demo Booked', { timestamp: daysAgo(T0 - 3) }),
      track({ userId: 'eve' }, 'Demo Booked', { timestamp: daysAgo(T0 - 3) }),
      track({ userId: 'cat' }, 'Demo Requested', { timestamp: daysAgo(T0 - 3) }),
    ]);
    const body = await stats(api, '/v1/rules/rul_accounts/stats');
    expect(body).toMatchObject({ fired: 3, delivered: 0, heldOut: 0 });
    expect(body.conversion.fired).toMatchObject({ n: 3, converted: 2 });
  });

  it("should answer 404 for an unknown rule or another site's, 400 for bad parameters, 401 without the key", async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await insertRule(site, 'rul_mine', 'person', { when: { type: 'threshold', tier: 'high' } });
    const empty = await stats(api, '/v1/rules/rul_mine/stats');
    expect(empty).toMatchObject({ fired: 0, delivered: 0, failed: 0, deadLettered: 0, capped: 0, heldOut: 0 });
    expect(empty.conversion.fired).toEqual({ n: 0, converted: 0, rate: null, interval: null });
    expect((await stats(api, '/v1/rules/rul_nothing/stats', 404)).error.code).toBe('rule_not_found');
    const other = intentClient(collector, await newSite(db));
    expect((await stats(other, '/v1/rules/rul_mine/stats', 404)).error.code).toBe('rule_not_found');
    for (const q of ['days=0', 'days=abc', 'days=3651', 'days=1.5', 'days=-1', 'goal=']) {
      expect((await stats(api, `/v1/rules/rul_mine/stats?${q}`, 400)).error.code, q).toBe('invalid_query');
    }
    expect((await api.get('/v1/rules/rul_mine/stats', {})).status).toBe(401);
    expect((await api.get('/v1/rules/rul_mine/stats', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
  });
});
