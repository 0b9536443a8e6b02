import { describe, expect, it } from 'vitest';
import { isHeldOut } from '../../shared/rules/holdout.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, page, track } from '../../test/helpers/intent.ts';
import { deliveriesOf, firingsOf, rulesClient } from '../../test/helpers/rules.ts';
import { useTwoCollectors } from '../../test/helpers/two-collectors.ts';
import { createCollector } from '../app.ts';
import { recoverUnscored } from '../pipeline/recover.ts';
import { rescore } from '../scoring/rescore.ts';
import { enqueueFirings, type NewFiring } from './outbox.ts';

/**
 * Caps, holdouts, stop conditions, routing, digests, and exactly-once firing under retries,
 * replays and two collectors, through the API and ingest over HTTP.
 */
const two = useTwoCollectors();
const db = () => two.t.db;
const collector = () => two.at(0);

async function setup() {
  const site = await newSite(db());
  return { site, api: intentClient(collector(), site), rules: rulesClient(collector(), site) };
}

/** A pricing visit of `anon` dated `seconds` from now: each one a new hit. */
const pricing = (anon: string, seconds = 0) =>
  page(anon, '/pricing', { timestamp: new Date(Date.now() + seconds * 1000).toISOString() });

describe('noise control', () => {
  it('should record firings over the cap as capped, with no delivery, and count only the others', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Capped',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      cap: { within: '24h', max: 2 },
    });
    for (let i = 0; i < 4; i++) await api.send([pricing('cap-1', i)]);
    const firings = await firingsOf(db(), site.siteId, rule.id);
    expect(firings.map((f) => f.outcome)).toEqual(['fired', 'fired', 'capped', 'capped']);
    const outbox = await deliveriesOf(db(), site.siteId, rule.id);
    expect(outbox.map((d) => d.firing_id)).toEqual(firings.slice(0, 2).map((f) => f.id));
    const [state] = await db().query<{ fired_count: number }>(
      'select fired_count from rule_subjects where site_id = $1 and rule_id = $2',
      [site.siteId, rule.id],
    );
    expect(state?.fired_count).toBe(2);
  });

  it('should cap at the lifetime count', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Once ever',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      cap: { lifetime: 1 },
    });
    for (let i = 0; i < 3; i++) await api.send([pricing('life-1', i)]);
    expect((await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome)).toEqual(['fired', 'capped', 'capped']);
  });

  it('should count the firings a rule recorded before a cap was added to it, and count none without a cap', async () => {
    const { site, api, rules } = await setup();
    const body = {
      name: 'Capped later',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      actions: [{ type: 'webhook', url: 'https://hooks.example/inkling' }],
    };
    const rule = await rules.create(body);
    for (let i = 0; i < 2; i++) await api.send([pricing('later-1', i), pricing('later-2', i)]);
    // Nothing reads a count of a rule without a cap, so ingest keeps none.
    const counted = () =>
      db().query<{ subject_id: string; fired_count: number; recent_firings: number[] }>(
        'select subject_id, fired_count, recent_firings from rule_subjects where site_id = $1 and rule_id = $2 order by subject_id',
        [site.siteId, rule.id],
      );
    expect(await counted()).toEqual([]);

    const put = await rules.request('PUT', `/v1/rules/${rule.id}`, { ...body, cap: { lifetime: 3 } });
    expect(put.status).toBe(200);
    expect((await counted()).map((c) => [c.fired_count, c.recent_firings])).toEqual([
      [2, []],
      [2, []],
    ]);
    for (let i = 2; i < 4; i++) await api.send([pricing('later-1', i)]);
    expect((await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome)).toEqual([
      'fired',
      'fired',
      'fired',
      'fired',
      'fired',
      'capped',
    ]);

    // A window counts the recorded firings it still sees: later-1 fired three times within it.
    await rules.request('PUT', `/v1/rules/${rule.id}`, { ...body, cap: { within: '24h', max: 4 } });
    const after = await counted();
    expect(after.map((c) => c.fired_count).sort()).toEqual([2, 3]);
    expect(after.find((c) => c.fired_count === 3)?.recent_firings).toHaveLength(3);
    await api.send([pricing('later-1', 5)]);
    await api.send([pricing('later-1', 6)]);
    const outcomes = (await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome);
    expect(outcomes.slice(-2)).toEqual(['fired', 'capped']);
  });

  it('should hold out the stable-hash share of subjects: recorded as held_out, never delivered', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Half held out',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      holdout: 0.5,
    });
    await api.send(Array.from({ length: 40 }, (_, i) => pricing(`ho-${i}`)));
    const firings = await firingsOf(db(), site.siteId, rule.id);
    expect(firings).toHaveLength(40);
    const held = firings.filter((f) => f.outcome === 'held_out');
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(40);
    for (const f of firings) expect(f.outcome === 'held_out').toBe(isHeldOut(rule.id, f.subject_id, 0.5));
    const delivered = new Set((await deliveriesOf(db(), site.siteId, rule.id)).map((d) => d.firing_id));
    expect(delivered).toEqual(new Set(firings.filter((f) => f.outcome === 'fired').map((f) => f.id)));
  });

  it('should stop a rule for a subject once its goal event is seen, for good', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Nurture until booked',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      stopWhen: { event: 'Demo Booked' },
    });
    await api.send([pricing('stop-1')]);
    await api.send([track({ anonymousId: 'stop-1' }, 'Demo Booked')]);
    const person = await api.person('stop-1');
    // Recorded as soon as scoring sees the goal, before the rule would fire again.
    const stoppedAt = async () =>
      (
        await db().query<{ stopped_at: Date | null }>(
          'select stopped_at from rule_subjects where site_id = $1 and rule_id = $2 and subject_id = $3',
          [site.siteId, rule.id, person.id],
        )
      )[0]?.stopped_at;
    const stopped = await stoppedAt();
    expect(stopped).toBeInstanceOf(Date);
    await api.send([pricing('stop-1', 1)]);
    await api.send([pricing('stop-1', 2)]);
    expect((await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome)).toEqual(['fired']);
    expect(await stoppedAt()).toEqual(stopped);
    // Another subject still fires.
    await api.send([pricing('stop-2')]);
    expect(await firingsOf(db(), site.siteId, rule.id)).toHaveLength(2);
  });

  it("should stop an account's rule once any contact reaches the goal", async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Account nurture',
      subject: 'account',
      when: { type: 'signal', signal: 'pricing_page' },
      stopWhen: { event: 'Demo Booked' },
    });
    await api.send([identify('as-1', 'dee', { email: 'dee@stop-acct.com' })]);
    await api.send([identify('as-2', 'eli', { email: 'eli@stop-acct.com' })]);
    await api.send([pricing('as-1')]);
    await api.send([track({ anonymousId: 'as-2' }, 'Demo Booked')]);
    await api.send([pricing('as-1', 1)]);
    expect((await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome)).toEqual(['fired']);
    const account = (await api.person('as-1')).account!;
    const [state] = await db().query<{ stopped: boolean }>(
      'select stopped_at is not null as stopped from rule_subjects where site_id = $1 and rule_id = $2 and subject_id = $3',
      [site.siteId, rule.id, account.id],
    );
    expect(state?.stopped).toBe(true);
  });

  it('should record a digest rule’s firings as fired with no delivery of their own', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Hourly digest',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      digest: { every: '1h' },
    });
    await api.send([pricing('dg-1'), pricing('dg-2')]);
    expect((await firingsOf(db(), site.siteId, rule.id)).map((f) => f.outcome)).toEqual(['fired', 'fired']);
    expect(await deliveriesOf(db(), site.siteId, rule.id)).toEqual([]);
  });
});

describe('routing', () => {
  it("should route to the subject's owner, round-robin over the reps for unowned subjects, else to the fallback", async () => {
    const { site, api, rules } = await setup();
    const route = { to: 'owner', roundRobin: ['ann@acme.com', 'bob@acme.com'], fallback: 'lead@acme.com' };
    const rule = await rules.create({
      name: 'Routed',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      route,
    });
    await api.send([identify('rt-owned', 'owned-user')]);
    await db().query(`update persons set owner = 'cara@acme.com' where site_id = $1 and user_id = 'owned-user'`, [
      site.siteId,
    ]);
    await api.send([pricing('rt-owned')]);
    for (let i = 0; i < 3; i++) await api.send([pricing(`rt-${i}`)]);
    const firings = await firingsOf(db(), site.siteId, rule.id);
    expect(firings.map((f) => f.recipient)).toEqual(['cara@acme.com', 'ann@acme.com', 'bob@acme.com', 'ann@acme.com']);
    expect(firings[0]!.payload).toMatchObject({ recipient: 'cara@acme.com', person: { owner: 'cara@acme.com' } });
    expect(firings[1]!.payload).toMatchObject({ recipient: 'ann@acme.com', person: { owner: null } });

    // Several unowned firings of one change take consecutive reps, and the next change goes on
    // from there: five firings in all so far alternate ann, bob, ann, bob, ann.
    await api.send([pricing('rt-3'), pricing('rt-4')]);
    await api.send([pricing('rt-5')]);
    const after = (await firingsOf(db(), site.siteId, rule.id)).slice(1);
    expect(after.map((f) => f.recipient).sort()).toEqual([
      'ann@acme.com',
      'ann@acme.com',
      'ann@acme.com',
      'bob@acme.com',
      'bob@acme.com',
      'bob@acme.com',
    ]);
    expect(after[5]!.recipient).toBe('bob@acme.com');
    for (const f of after) expect(f.payload).toMatchObject({ recipient: f.recipient });

    const fallback = await rules.create({
      name: 'Fallback',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      route: { to: 'owner', fallback: 'lead@acme.com' },
    });
    await api.send([pricing('rt-fb')]);
    await api.send([pricing('rt-owned', 1)]);
    expect((await firingsOf(db(), site.siteId, fallback.id)).map((f) => f.recipient)).toEqual([
      'lead@acme.com',
      'cara@acme.com',
    ]);
  });
  it('should give the round-robin firings of one change consecutive reps, and concurrent changes each their own', async () => {
    const { site, rules } = await setup();
    const reps = ['ann@acme.com', 'bob@acme.com', 'cy@acme.com'];
    const rule = await rules.create({
      name: 'Unowned',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      route: { to: 'owner', roundRobin: reps },
    });
    let n = 0;
    const firing = (): NewFiring => {
      const id = `msg_rr${++n}_${site.siteId}`;
      return {
        id,
        ruleId: rule.id,
        subjectKind: 'person',
        subjectId: `per_rr${n}`,
        changeKey: `k${n}`,
        outcome: 'fired',
        recipient: null,
        roundRobin: reps,
        payload: { id, recipient: null },
        firedAt: Date.now(),
        actions: [],
      };
    };
    const recipients = async () => (await firingsOf(db(), site.siteId, rule.id)).map((f) => f.recipient);
    await db().transaction((tx) => enqueueFirings(tx, site.siteId, [firing(), firing()]));
    const two = (await firingsOf(db(), site.siteId, rule.id)).sort((a, b) => a.id.localeCompare(b.id));
    expect(two.map((f) => f.recipient)).toEqual(['ann@acme.com', 'bob@acme.com']);
    expect(two.map((f) => (f.payload as { recipient: string }).recipient)).toEqual(['ann@acme.com', 'bob@acme.com']);
    // Two transactions at once: six positions in all, each rep taken twice, none lost.
    await Promise.all([
      db().transaction((tx) => enqueueFirings(tx, site.siteId, [firing(), firing()])),
      db().transaction((tx) => enqueueFirings(tx, site.siteId, [firing(), firing()])),
    ]);
    expect((await recipients()).sort()).toEqual([reps[0], reps[0], reps[1], reps[1], reps[2], reps[2]]);
  });
});

describe('exactly once', () => {
  it('should not fire again when the client retries the batch or the rescore recomputes the same scores', async () => {
    const { site, api, rules } = await setup();
    const rule = await rules.create({
      name: 'Into medium',
      subject: 'person',
      when: { type: 'threshold', tier: 'medium' },
    });
    const batch = [
      page('once-1', '/pricing'),
      page('once-1', '/demo'),
      track({ anonymousId: 'once-1' }, 'Plan Viewed'),
    ];
    await api.send(batch);
    await api.send(batch);
    await rescore(db(), collector().configs, { siteId: site.siteId, all: true });
    expect(await firingsOf(db(), site.siteId, rule.id)).toHaveLength(1);
  });

  it('should fire once for events stored but never scored, when the recovery replays them, and not on a second replay', async () => {
    const { site, rules } = await setup();
    const rule = await rules.create({
      name: 'Pricing',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
    });
    const failing = createCollector({
      db: db(),
      rescoreIntervalMs: 0,
      afterStored: () => {
        throw new Error('crashed between storing and scoring');
      },
    });
    const batch = [pricing('rec-1')];
    await expect(intentClient(failing, site).send(batch)).rejects.toThrow(/503/);
    await failing.drain();
    expect(await firingsOf(db(), site.siteId, rule.id)).toHaveLength(0);
    await recoverUnscored(db(), collector().configs, { graceMs: 0 });
    expect(await firingsOf(db(), site.siteId, rule.id)).toHaveLength(1);
    // The same rows again, as a replay after a crash between the scores and clearing the marks.
    await intentClient(collector(), site).send(batch);
    await recoverUnscored(db(), collector().configs, { graceMs: 0 });
    expect(await firingsOf(db(), site.siteId, rule.id)).toHaveLength(1);
  });

  it('should fire once per subject when two collectors score its events at the same time', async () => {
    const { site, rules } = await setup();
    const rule = await rules.create({
      name: 'Into medium',
      subject: 'person',
      when: { type: 'threshold', tier: 'medium' },
    });
    const subjects = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    await Promise.all(
      subjects.flatMap((anon) => [
        intentClient(two.at(0), site).send([page(anon, '/pricing')]),
        intentClient(two.at(1), site).send([page(anon, '/demo')]),
        // The same message through both: stored once, scored by both.
        ...[0, 1].map((i) =>
          intentClient(two.at(i), site).send([{ ...page(anon, '/customers'), messageId: `${anon}-dup` }]),
        ),
      ]),
    );
    const firings = await firingsOf(db(), site.siteId, rule.id);
    expect(firings).toHaveLength(subjects.length);
    expect(new Set(firings.map((f) => f.subject_id)).size).toBe(subjects.length);
    expect(await deliveriesOf(db(), site.siteId, rule.id)).toHaveLength(subjects.length);
  });
});
