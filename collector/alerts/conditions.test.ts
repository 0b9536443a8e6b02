import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { daysAgo, identify, intentClient, page, track } from '../../test/helpers/intent.ts';
import { deliveriesOf, firingsOf, rulesClient } from '../../test/helpers/rules.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { rescore } from '../scoring/rescore.ts';

/**
 * Each condition end to end: a rule made with `POST /v1/rules`, events ingested over HTTP,
 * then the firings and outbox rows the scoring transactions recorded. With the default model
 * a pricing visit scores 29 (low), a demo page on top 50 (medium), a Demo Requested 70 (high).
 */
let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

async function setup() {
  const site = await newSite(db);
  return { site, api: intentClient(collector, site), rules: rulesClient(collector, site) };
}

describe('conditions through the API', () => {
  it('should fire a threshold rule once when an account crosses into High, with the account, its previous tier and every action in the outbox', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Account turns High',
      subject: 'account',
      when: { type: 'threshold', tier: 'high' },
      actions: [
        { type: 'webhook', url: 'https://hooks.example/inkling' },
        { type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' },
      ],
    });
    await api.send([identify('th-1', 'ann', { email: 'ann@threshold-co.com' })]);
    await api.send([page('th-1', '/pricing')]);
    await api.send([page('th-1', '/demo')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toEqual([]);
    await api.send([track({ anonymousId: 'th-1' }, 'Demo Requested')]);
    await api.send([page('th-1', '/pricing')]);

    const person = await api.person('th-1');
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    const [f] = firings;
    expect(f).toMatchObject({ subject_kind: 'account', subject_id: person.account!.id, outcome: 'fired' });
    expect(f!.payload).toMatchObject({
      id: f!.id,
      rule: { id: rule.id, name: 'Account turns High' },
      account: { id: person.account!.id, name: 'threshold-co.com', tier: 'high', previousTier: 'medium', owner: null },
    });
    expect(f!.payload.person).toBeUndefined();
    expect(f!.payload.signals.map((s: { signal: string }) => s.signal)).toContain('demo_requested');
    expect(f!.payload.reason).toContain('high');
    const outbox = await deliveriesOf(db, site.siteId, rule.id);
    expect(outbox.map((d) => [d.kind, d.url, d.webhook_id, d.status])).toEqual([
      ['webhook', 'https://hooks.example/inkling', f!.id, 'pending'],
      ['slack', 'https://hooks.slack.com/services/T/B/x', f!.id, 'pending'],
    ]);
  });

  it('should fire a score threshold when the score crosses it upwards, not again while it stays above', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({ name: 'Score 45', subject: 'person', when: { type: 'threshold', score: 45 } });
    await api.send([page('ts-1', '/pricing')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    await api.send([page('ts-1', '/demo')]);
    await api.send([track({ anonymousId: 'ts-1' }, 'Demo Requested')]);
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.person).toMatchObject({ score: 50, tier: 'medium', previousTier: 'low' });
  });

  it('should name low as the previous tier of a subject whose first score is above it', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Into medium',
      subject: 'person',
      when: { type: 'threshold', tier: 'medium' },
    });
    // A new visitor whose first batch already scores medium: there was no score row before.
    await api.send([
      page('first-1', '/pricing'),
      page('first-1', '/demo'),
      track({ anonymousId: 'first-1' }, 'Demo Requested'),
    ]);
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.person).toMatchObject({ tier: 'high', previousTier: 'low' });
    expect(firings[0]!.payload.reason).toContain('low');
  });

  it('should fire a signal rule on each new hit of the signal only, with the hit and its points', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Pricing',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
    });
    await api.send([page('sg-1', '/pricing')]);
    await api.send([page('sg-1', '/demo')]);
    let firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.signals).toEqual([
      { signal: 'pricing_page', points: expect.any(Number), at: expect.any(String) },
    ]);
    expect(firings[0]!.payload.signals[0]?.points).toBeGreaterThan(0);
    await api.send([page('sg-1', '/pricing', { timestamp: new Date(Date.now() + 1000).toISOString() })]);
    firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(2);
    expect(new Set(firings.map((f) => f.change_key)).size).toBe(2);
  });

  it('should fire a signal rule with tiers only for subjects in those tiers after the change', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Pricing while medium+',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page', tiers: ['medium', 'high'] },
    });
    await api.send([page('sgt-1', '/pricing')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    await api.send([page('sgt-1', '/demo')]);
    await api.send([page('sgt-1', '/pricing', { timestamp: new Date(Date.now() + 1000).toISOString() })]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(1);
  });

  it("should fire a signal rule on an account for a contact's new hit", async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Acct pricing',
      subject: 'account',
      when: { type: 'signal', signal: 'pricing_page' },
    });
    await api.send([identify('sga-1', 'bo', { email: 'bo@signal-acct.com' })]);
    await api.send([identify('sga-2', 'cy', { email: 'cy@signal-acct.com' })]);
    await api.send([page('sga-2', '/pricing')]);
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    const cy = await api.person('sga-2');
    expect(firings[0]!.subject_id).toBe(cy.account!.id);
    expect(firings[0]!.change_key).toContain(cy.id);
  });

  it('should fire a spike rule on the change that first lifts the score by the points within the window', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Spike',
      subject: 'person',
      when: { type: 'spike', points: 40, hours: 24 },
    });
    await api.send([page('sp-1', '/pricing')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    await api.send([page('sp-1', '/demo')]);
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.reason).toContain('50 points');
    await api.send([track({ anonymousId: 'sp-1' }, 'Demo Requested')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(1);
  });

  it("should not alert a cooling or a second crossing when a product's group call names its member's company", async () => {
    const { site, api, rules } = await setup();
    const cooling = await rules.create({
      name: 'Account cools',
      subject: 'account',
      when: { type: 'cooling', below: 40 },
    });
    const high = await rules.create({
      name: 'Account turns High',
      subject: 'account',
      when: { type: 'threshold', tier: 'high' },
    });
    await api.send([identify('gr-1', 'eve', { email: 'eve@fabrikam-co.com' })]);
    await api.send([page('gr-1', '/pricing'), page('gr-1', '/demo'), track({ anonymousId: 'gr-1' }, 'Demo Requested')]);
    expect(await firingsOf(db, site.siteId, high.id)).toHaveLength(1);
    // The workspace's id and name, no domain: the same company, not a new one beside an emptied one.
    await api.send([
      {
        type: 'group',
        messageId: `gr-${Date.now()}`,
        anonymousId: 'gr-1',
        groupId: 'ws-42',
        traits: { name: 'Fabrikam' },
      },
    ]);
    expect((await api.person('eve')).account).toMatchObject({ name: 'Fabrikam', tier: 'high' });
    expect(await firingsOf(db, site.siteId, cooling.id)).toEqual([]);
    expect(await firingsOf(db, site.siteId, high.id)).toHaveLength(1);
  });

  it('should fire a cooling rule when the periodic rescore lets the score age below the level', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({ name: 'Cooling', subject: 'person', when: { type: 'cooling', below: 40 } });
    await api.send([page('co-1', '/pricing'), page('co-1', '/demo')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    // Nothing new: only time passes, and the rescore of due scores applies the decay.
    await rescore(db, collector.configs, { siteId: site.siteId, now: Date.now() + 20 * 86_400_000 });
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.person).toMatchObject({ previousTier: 'medium' });
    expect(firings[0]!.payload.person?.score).toBeLessThan(40);
  });

  it('should read the events a behavior rule and its stop condition count when the periodic rescore lets the tier change', async () => {
    const { site, api, rules } = await setup();
    // The goal, before the rules exist: no arrival records it, the firing's own check must.
    await api.send([track({ anonymousId: 'rb-1' }, 'Contract Signed', { timestamp: daysAgo(1) })]);
    const cooled = { type: 'behavior' as const, event: 'Plan Viewed', times: 2, days: 30, notTier: 'medium' as const };
    const rule = await rules.create({ name: 'Viewed plans, cooled off', subject: 'person', when: cooled });
    const stopped = await rules.create({
      name: 'Viewed plans, cooled off, until signed',
      subject: 'person',
      when: cooled,
      stopWhen: { event: 'Contract Signed' },
    });
    await api.send([page('rb-1', '/pricing'), page('rb-1', '/demo')]);
    await api.send([track({ anonymousId: 'rb-1' }, 'Plan Viewed'), track({ anonymousId: 'rb-1' }, 'Plan Viewed')]);
    expect((await api.person('rb-1')).tier).toBe('medium');
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    // Time alone: the person is scored from stored signals, the rules read the events they count.
    await rescore(db, collector.configs, { siteId: site.siteId, now: Date.now() + 20 * 86_400_000 });
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.reason).toBe('Plan Viewed 2x within 30d');
    expect(firings[0]!.payload.person).toMatchObject({ tier: 'low', previousTier: 'medium' });
    expect(await firingsOf(db, site.siteId, stopped.id)).toHaveLength(0);
    const [pair] = await db.query<{ stopped_at: Date | null }>(
      'select stopped_at from rule_subjects where site_id = $1 and rule_id = $2',
      [site.siteId, stopped.id],
    );
    expect(pair?.stopped_at).toBeInstanceOf(Date);
  });

  it('should fire a cooling rule by points when the score falls that far under its high of the window', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Drop',
      subject: 'person',
      when: { type: 'cooling', points: 10, days: 30 },
    });
    await api.send([page('cp-1', '/pricing'), page('cp-1', '/demo')]);
    await rescore(db, collector.configs, { siteId: site.siteId, now: Date.now() + 20 * 86_400_000 });
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.reason).toMatch(/fell \d+ points within 30d \(50 ->/);
  });

  it('should fire a behavior rule when the event with the properties reaches the count within the days, once', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Enterprise plan viewer',
      subject: 'person',
      when: {
        type: 'behavior',
        event: 'Plan Viewed',
        where: { plan: 'enterprise' },
        times: 2,
        days: 7,
        notTier: 'high',
      },
    });
    const viewed = (plan: string, seconds: number) =>
      track({ anonymousId: 'bh-1' }, 'Plan Viewed', {
        properties: { plan },
        timestamp: new Date(Date.now() + seconds * 1000).toISOString(),
      });
    await api.send([viewed('enterprise', 0)]);
    await api.send([viewed('starter', 1)]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(0);
    await api.send([viewed('enterprise', 2)]);
    const firings = await firingsOf(db, site.siteId, rule.id);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.payload.reason).toBe('Plan Viewed 2x within 7d');
    await api.send([viewed('enterprise', 3)]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(1);
  });

  it('should not count occurrences older than the rule, nor fire for a subject in the excluded tier', async () => {
    const { site, api, rules } = await setup();
    await api.send([track({ anonymousId: 'bo-1' }, 'Plan Viewed', { timestamp: daysAgo(1) })]);
    const rule = await rules.create({
      name: 'Twice',
      subject: 'person',
      when: { type: 'behavior', event: 'Plan Viewed', times: 2, days: 7 },
    });
    await api.send([track({ anonymousId: 'bo-1' }, 'Plan Viewed')]);
    expect(await firingsOf(db, site.siteId, rule.id)).toHaveLength(1);
    const signalRule = await rules.create({
      name: 'Pricing twice, not high',
      subject: 'person',
      when: { type: 'behavior', signal: 'pricing_page', times: 1, days: 7, notTier: 'medium' },
    });
    await api.send([page('bo-2', '/demo'), page('bo-2', '/pricing')]);
    expect(await firingsOf(db, site.siteId, signalRule.id)).toHaveLength(0);
    await api.send([page('bo-3', '/pricing')]);
    expect(await firingsOf(db, site.siteId, signalRule.id)).toHaveLength(1);
  });

  it("should count an account's contacts' events for an event behavior, when the event arrives or the tier condition starts to hold", async () => {
    const { site, api, rules } = await setup();
    await api.send([
      identify('ab-1', 'ab-ann', { email: 'ann@behave-co.com' }),
      identify('ab-2', 'ab-bob', { email: 'bob@behave-co.com' }),
    ]);
    const twice = await rules.create({
      name: 'Plan viewed twice by the account',
      subject: 'account',
      when: { type: 'behavior', event: 'Plan Viewed', times: 2, days: 7 },
    });
    const whenHot = await rules.create({
      name: 'Plan viewed twice, account High',
      subject: 'account',
      when: { type: 'behavior', event: 'Plan Viewed', times: 2, days: 7, tier: 'high' },
    });
    await api.send([track({ anonymousId: 'ab-1' }, 'Plan Viewed')]);
    expect(await firingsOf(db, site.siteId, twice.id)).toHaveLength(0);
    // The second, by another contact: the account's count reaches 2.
    await api.send([track({ anonymousId: 'ab-2' }, 'Plan Viewed')]);
    expect(await firingsOf(db, site.siteId, twice.id)).toHaveLength(1);
    expect(await firingsOf(db, site.siteId, whenHot.id)).toHaveLength(0);
    // No Plan Viewed arrives now, but the account turns High: the tier condition holds.
    await api.send([page('ab-1', '/pricing'), page('ab-1', '/demo'), track({ anonymousId: 'ab-1' }, 'Demo Requested')]);
    const person = await api.person('ab-1');
    expect(person.account?.tier).toBe('high');
    expect(await firingsOf(db, site.siteId, whenHot.id)).toHaveLength(1);
    expect(await firingsOf(db, site.siteId, twice.id)).toHaveLength(1);
  });
});
