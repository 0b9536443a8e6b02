import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleStats } from '../collector/alerts/stats.ts';
import type { CreatedSite } from '../collector/sites.ts';
import { isHeldOut } from '../shared/rules/holdout.ts';
import type { WebhookPayload } from '../shared/rules/types.ts';
import { useDeliveryDatabase } from './helpers/alerts.ts';
import { newSite } from './helpers/db.ts';
import { identify, mid, page, track } from './helpers/intent.ts';
import { eventually, type Receiver, startReceiver } from './helpers/receiver.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Alerts as a user sets them up and gets them, all over real HTTP: a real collector server
 * (with its dispatcher) on a database of this file's own, rules made with `POST /v1/rules`,
 * events sent to `POST /v1/batch` as the browser SDK (write key) and a server library (secret
 * key) send them, an owner set with `PUT /v1/accounts/:id`, a webhook receiver that verifies
 * each request with `standardwebhooks`' `Webhook.verify` and the rule's secret, and a local
 * "Slack" that takes incoming-webhook messages. Nothing asserts how long anything took.
 */
const t = useDeliveryDatabase();
let server: TestServer;
let site: CreatedSite;
const receivers: Receiver[] = [];

beforeAll(async () => {
  site = await newSite(t.db);
  server = await startTestServer(t.db, {
    rescoreIntervalMs: 0,
    delivery: { backoff: { baseMs: 20, maxMs: 200 }, pollMs: 100, timeoutMs: 5_000, digestIntervalMs: 3_600_000 },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await server?.collector.drain();
  for (const r of receivers) await r.close();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const bearer = () => ({ authorization: `Bearer ${site.secretKey}` });

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, status = 200) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...bearer(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** `POST /v1/batch` as the browser SDK sends it (write key), or as a server library (secret key). */
async function ingest(batch: object[], as: 'browser' | 'server' = 'browser') {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: basic(as === 'server' ? site.secretKey : site.writeKey),
    },
    body: JSON.stringify({ batch }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ success: true, rejected: [] });
}

type Stats = RuleStats;

describe('alerts end to end', { timeout: 180_000 }, () => {
  it('should send the owner a verified webhook and a Slack message when an account turns High, and count both in the stats', async () => {
    const hook = await receiver();
    const slack = await receiver();
    const rule = await call<{ id: string; secret: string; enabled: boolean }>(
      'POST',
      '/v1/rules',
      {
        name: 'Account turns High',
        subject: 'account',
        when: { type: 'threshold', tier: 'high' },
        actions: [
          { type: 'webhook', url: `${hook.url}/inkling` },
          { type: 'slack', url: `${slack.url}/services/T000/B000/XXXX` },
        ],
        cap: { within: '24h', max: 1 },
        route: { to: 'owner', roundRobin: ['ann@acme.com', 'bob@acme.com'], fallback: 'lead@acme.com' },
      },
      201,
    );
    expect(rule.secret).toMatch(/^whsec_/);
    hook.secret = rule.secret;

    // The site's server tells who the visitor is and which company they work for.
    await ingest(
      [
        identify('e2e-dana', 'dana', { email: 'dana@e2e-corp.com', name: 'Dana' }),
        { type: 'group', messageId: mid(), userId: 'dana', groupId: 'e2e-corp.com', traits: { name: 'E2E Corp' } },
      ],
      'server',
    );
    const owned = await call<{ id: string; owner: string | null }>('PUT', '/v1/accounts/e2e-corp.com', {
      owner: 'cara@acme.com',
    });
    expect(owned.owner).toBe('cara@acme.com');

    // The browser: pricing (low), the demo page (medium), then a demo request (high).
    await ingest([page('e2e-dana', '/pricing')]);
    await ingest([page('e2e-dana', '/demo')]);
    expect(hook.received).toEqual([]);
    await ingest([track({ anonymousId: 'e2e-dana' }, 'Demo Requested')]);

    const got = await eventually(() => hook.received[0]);
    const message = await eventually(() => slack.received[0]);
    const account = await call<{ id: string; name: string; score: number; tier: string }>(
      'GET',
      '/v1/accounts/e2e-corp.com',
    );
    expect(account.tier).toBe('high');

    expect(got.verified).toBe(true);
    expect(got.path).toBe('/inkling');
    const body = JSON.parse(got.body) as WebhookPayload;
    expect(body.id).toBe(got.id);
    expect(body.rule).toEqual({ id: rule.id, name: 'Account turns High' });
    expect(Number.isNaN(Date.parse(body.firedAt))).toBe(false);
    expect(body.account).toEqual({
      id: account.id,
      name: account.name,
      score: account.score,
      tier: 'high',
      previousTier: 'medium',
      owner: 'cara@acme.com',
    });
    expect(body.person).toBeUndefined();
    expect(body.recipient).toBe('cara@acme.com');
    expect(body.signals.length).toBeGreaterThan(0);
    for (const s of body.signals) expect(s.points).toBeGreaterThan(0);
    expect(body.signals.map((s) => s.signal)).toContain('demo_requested');

    // Slack gets Block Kit, unsigned: who, score and tier change, signals, the owner, a link.
    expect(message.path).toBe('/services/T000/B000/XXXX');
    expect(message.headers['webhook-signature']).toBeUndefined();
    const blocks = JSON.parse(message.body) as { text: string; blocks: Record<string, unknown>[] };
    expect(blocks.text).toBe(
      `Account turns High: ${account.name} is High (score ${account.score}) — for cara@acme.com`,
    );
    const link = `${server.url}/dashboard/accounts/${encodeURIComponent(account.id)}`;
    expect(blocks.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `Account turns High: ${account.name}` },
    });
    expect(blocks.blocks[1]).toMatchObject({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Score*\n${account.score}` },
        { type: 'mrkdwn', text: '*Tier*\nMedium → High' },
      ],
    });
    expect(JSON.stringify(blocks.blocks[2])).toContain('demo_requested');
    expect(JSON.stringify(blocks.blocks.at(-2))).toContain('For cara@acme.com');
    expect(blocks.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ type: 'button', url: link }] });

    const stats = await eventually(async () => {
      const s = await call<Stats>('GET', `/v1/rules/${rule.id}/stats`);
      return s.delivered === 2 ? s : undefined;
    });
    expect(stats).toMatchObject({
      fired: 1,
      delivered: 2,
      failed: 0,
      deadLettered: 0,
      capped: 0,
      heldOut: 0,
      pending: 0,
    });
    // More buying signals the same day: the cap holds, nothing more is sent.
    await ingest([page('e2e-dana', '/pricing', { timestamp: new Date(Date.now() + 1_000).toISOString() })]);
    expect((await call<Stats>('GET', `/v1/rules/${rule.id}/stats`)).fired).toBe(1);
    expect(hook.received).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
  });

  it("should run the README's trigger with a holdout and a stop condition: nothing fires for a subject after its goal event", async () => {
    const hook = await receiver();
    const rule = await call<{ id: string; secret: string }>(
      'POST',
      '/v1/rules',
      {
        name: 'Enterprise interest',
        subject: 'person',
        when: {
          type: 'behavior',
          event: 'Pricing Plan Viewed',
          where: { plan: 'enterprise' },
          times: 2,
          days: 7,
          notTier: 'high',
        },
        actions: [{ type: 'webhook', url: `${hook.url}/hooks/inkling` }],
        holdout: 0.1,
        stopWhen: { event: 'Demo Booked' },
        cap: { lifetime: 1 },
      },
      201,
    );
    hook.secret = rule.secret;
    let second = 0;
    const viewed = (anon: string, plan = 'enterprise') =>
      track({ anonymousId: anon }, 'Pricing Plan Viewed', {
        properties: { plan },
        timestamp: new Date(Date.now() + ++second * 1000).toISOString(),
      });
    const booked = (anon: string) =>
      track({ anonymousId: anon }, 'Demo Booked', { timestamp: new Date(Date.now() + ++second * 1000).toISOString() });
    const personId = async (anon: string) => (await call<{ id: string }>('GET', `/v1/people/${anon}`)).id;
    const firingsOf = (subjectId: string) =>
      t.db.query<{ outcome: string }>(
        'select outcome from firings where site_id = $1 and rule_id = $2 and subject_id = $3',
        [site.siteId, rule.id, subjectId],
      );

    // Twelve visitors each view the enterprise plan twice; one views the team plan twice.
    const anons = Array.from({ length: 12 }, (_, i) => `ent-${i}`);
    for (const anon of anons) {
      await ingest([viewed(anon)]);
      await ingest([viewed(anon)]);
    }
    await ingest([viewed('team-0', 'team'), viewed('team-0', 'team')]);
    const ids = await Promise.all(anons.map(personId));
    const held = ids.filter((id) => isHeldOut(rule.id, id, 0.1));
    const sent = ids.filter((id) => !isHeldOut(rule.id, id, 0.1));
    for (const id of ids) {
      expect((await firingsOf(id)).map((f) => f.outcome)).toEqual([held.includes(id) ? 'held_out' : 'fired']);
    }
    expect(await firingsOf(await personId('team-0'))).toEqual([]);
    // Each subject not held out got one verified webhook; the held-out ones none.
    await eventually(() => (hook.received.length >= sent.length ? true : undefined));
    expect(hook.received.every((r) => r.verified)).toBe(true);
    const persons = hook.received.map((r) => (JSON.parse(r.body) as WebhookPayload).person?.id);
    expect(new Set(persons)).toEqual(new Set(sent));

    // A subject that books a demo after firing: the rule ends for it, nothing more is recorded.
    const [first] = sent;
    const firstAnon = anons[ids.indexOf(first!)]!;
    await ingest([booked(firstAnon)]);
    await ingest([viewed(firstAnon)]);
    await ingest([viewed(firstAnon)]);
    expect((await firingsOf(first!)).map((f) => f.outcome)).toEqual(['fired']);
    // A subject that books a demo before doing it twice never fires at all.
    await ingest([viewed('ent-booked')]);
    await ingest([booked('ent-booked')]);
    await ingest([viewed('ent-booked')]);
    await ingest([viewed('ent-booked')]);
    expect(await firingsOf(await personId('ent-booked'))).toEqual([]);

    const stats = await eventually(async () => {
      const s = await call<Stats>('GET', `/v1/rules/${rule.id}/stats`);
      return s.delivered === sent.length ? s : undefined;
    });
    expect(stats).toMatchObject({ fired: sent.length, heldOut: held.length, capped: 0, pending: 0, deadLettered: 0 });
    expect(stats.conversion.goal).toBe('Demo Booked');
    expect(stats.conversion.fired).toMatchObject({ n: sent.length, converted: 1 });
    expect(stats.conversion.heldOut).toMatchObject({ n: held.length, converted: 0 });
    expect(hook.received).toHaveLength(sent.length);
  });
});
