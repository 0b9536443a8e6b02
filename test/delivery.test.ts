import { afterEach, describe, expect, it } from 'vitest';
import type { DeliverySettings } from '../collector/alerts/settings.ts';
import { type Collector, createCollector } from '../collector/app.ts';
import { createUser } from '../collector/dashboard/users.ts';
import { deliveriesOf, fire, insertRule, useDeliveryDatabase } from './helpers/alerts.ts';
import { eventually, type Receiver, startReceiver } from './helpers/receiver.ts';

/**
 * The outbox's dispatcher against real HTTP receivers that verify every signature with
 * `standardwebhooks`, on a database of this file's own. Quick backoff so that retries come
 * within the test; nothing asserts how long anything took.
 */
const t = useDeliveryDatabase();
const FAST: Partial<DeliverySettings> = {
  backoff: { baseMs: 20, maxMs: 200 },
  pollMs: 100,
  timeoutMs: 5_000,
  digestIntervalMs: 3_600_000,
};

let open: Collector[] = [];
let receivers: Receiver[] = [];
afterEach(async () => {
  for (const c of open) await c.drain();
  for (const r of receivers) await r.close();
  // What a test left retrying stays out of the next one's way.
  await t.db.query(`update deliveries set status = 'dead', last_error = 'test over' where status = 'pending'`);
  open = [];
  receivers = [];
});

function collector(settings: Partial<DeliverySettings> = {}, publicUrl?: string): Collector {
  const c = createCollector({
    db: t.db,
    rescoreIntervalMs: 0,
    delivery: { ...FAST, ...settings },
    config: publicUrl ? { publicUrl } : undefined,
  });
  open.push(c);
  return c;
}

async function receiver(secret?: string): Promise<Receiver> {
  const r = await startReceiver(secret);
  receivers.push(r);
  return r;
}

const one = async (ruleId: string) => (await deliveriesOf(t.db, t.siteId, ruleId))[0];
const ruleRow = async (ruleId: string) =>
  (
    await t.db.query<{ enabled: boolean; disabled_reason: string | null }>(
      'select enabled, disabled_reason from rules where site_id = $1 and id = $2',
      [t.siteId, ruleId],
    )
  )[0];

describe('webhook delivery', { timeout: 120_000 }, () => {
  it('should POST the firing payload signed per Standard Webhooks, verified by the receiver', async () => {
    const signed = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${signed.url}/hook` }]);
    signed.secret = rule.secret;
    collector();
    const [firing] = await fire(t.db, t.siteId, rule);
    const got = await eventually(() => signed.received[0]);
    expect(got.verified).toBe(true);
    expect(got.id).toBe(firing?.id);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body)).toEqual(firing?.payload);
    expect(JSON.parse(got.body).id).toBe(got.id);
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r?.status === 'delivered' ? r : undefined;
    });
    expect(row).toMatchObject({ webhook_id: firing?.id, attempts: 1, last_status: 200, last_error: null });
    expect(signed.received).toHaveLength(1);
  });

  it('should deliver once the receiver is back after failing and being down, with the same webhook-id each time', async () => {
    const hook = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/hook` }]);
    hook.secret = rule.secret;
    hook.answer = () => ({ status: 503 });
    collector();
    const [firing] = await fire(t.db, t.siteId, rule);
    await eventually(() => (hook.received.length >= 2 ? true : undefined));
    await hook.down();
    // Attempts while it is down are refused connections: no status, an error.
    await eventually(async () => {
      const r = await one(rule.id);
      return r && r.last_status === null && r.last_error ? r : undefined;
    });
    hook.answer = () => ({ status: 200 });
    await hook.up();
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r?.status === 'delivered' ? r : undefined;
    });
    expect(new Set(hook.received.map((r) => r.id))).toEqual(new Set([firing?.id]));
    expect(hook.received.every((r) => r.verified)).toBe(true);
    expect(hook.received.filter((r) => r.status === 200)).toHaveLength(1);
    expect(hook.received.at(-1)?.status).toBe(200);
    // Every attempt counted, the refused ones too.
    expect(row.attempts).toBeGreaterThan(hook.received.length);
    expect(row).toMatchObject({ last_status: 200, last_error: null });
  });

  it('should leave a row claimed by a process that died alone until its lease ends, then deliver it', async () => {
    const hook = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/leased` }]);
    const [firing] = await fire(t.db, t.siteId, rule);
    // As a process killed mid-delivery leaves it: claimed until its lease ends, no attempt recorded.
    const leaseEnd = Date.now() + 1_500;
    await t.db.query('update deliveries set locked_until = $3 where site_id = $1 and rule_id = $2', [
      t.siteId,
      rule.id,
      new Date(leaseEnd),
    ]);
    collector();
    const got = await eventually(() => hook.received[0]);
    expect(Date.now()).toBeGreaterThanOrEqual(leaseEnd);
    expect(got.id).toBe(firing?.id);
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r?.status === 'delivered' ? r : undefined;
    });
    expect(row.attempts).toBe(1);
    expect(hook.received).toHaveLength(1);
  });

  it('should honour Retry-After in seconds and as an HTTP date', async () => {
    const hook = await receiver();
    const inSeconds = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/seconds` }]);
    const asDate = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/date` }]);
    const date = new Date(Math.ceil((Date.now() + 600_000) / 1000) * 1000);
    hook.answer = (r) => ({
      status: r.path === '/seconds' ? 429 : 503,
      headers: { 'retry-after': r.path === '/seconds' ? '120' : date.toUTCString() },
    });
    const before = Date.now();
    collector();
    await fire(t.db, t.siteId, inSeconds);
    await fire(t.db, t.siteId, asDate);
    const seconds = await eventually(async () => {
      const r = await one(inSeconds.id);
      return r?.attempts === 1 ? r : undefined;
    });
    const dated = await eventually(async () => {
      const r = await one(asDate.id);
      return r?.attempts === 1 ? r : undefined;
    });
    const after = Date.now();
    expect(seconds).toMatchObject({ status: 'pending', last_status: 429 });
    const next = new Date(seconds.next_attempt_at).getTime();
    expect(next).toBeGreaterThanOrEqual(before + 120_000);
    expect(next).toBeLessThanOrEqual(after + 120_000);
    expect(dated).toMatchObject({ status: 'pending', last_status: 503 });
    expect(new Date(dated.next_attempt_at).getTime()).toBe(date.getTime());
    // Not tried again meanwhile.
    expect(hook.received).toHaveLength(2);
  });

  it('should dead-letter at the give-up time and turn off the rule whose endpoint kept failing', async () => {
    const hook = await receiver();
    hook.answer = () => ({ status: 500 });
    const url = `${hook.url}/failing`;
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url }]);
    collector();
    await fire(t.db, t.siteId, rule, 1, { giveUpMs: 1_000 });
    // A later firing of the same rule, with the whole day to go.
    await fire(t.db, t.siteId, rule, 1);
    const rows = await eventually(async () => {
      const r = await deliveriesOf(t.db, t.siteId, rule.id);
      return r.every((d) => d.status === 'dead') ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ status: 'dead', last_status: 500, last_error: 'HTTP 500: answer 500' });
    expect(rows[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(rows[1]).toMatchObject({ status: 'dead', last_error: 'rule disabled' });
    const off = await ruleRow(rule.id);
    expect(off?.enabled).toBe(false);
    expect(off?.disabled_reason).toContain(`Webhook ${url} kept failing from `);
    expect(off?.disabled_reason).toContain('(last error: HTTP 500: answer 500)');
  });

  it('should keep the rule on when its endpoint delivered since the dead-lettered delivery was made', async () => {
    const hook = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/flaky` }]);
    const [doomed] = await fire(t.db, t.siteId, rule, 1, { giveUpMs: 1_500 });
    hook.answer = (r) => ({ status: r.id === doomed?.id ? 500 : 200 });
    await fire(t.db, t.siteId, rule, 1);
    collector();
    const rows = await eventually(async () => {
      const r = await deliveriesOf(t.db, t.siteId, rule.id);
      return r[0]?.status === 'dead' && r[1]?.status === 'delivered' ? r : undefined;
    });
    expect(rows[0]?.last_status).toBe(500);
    expect(await ruleRow(rule.id)).toEqual({ enabled: true, disabled_reason: null });
  });

  it('should dead-letter at once and turn off the rule on 410 Gone', async () => {
    const hook = await receiver();
    hook.answer = () => ({ status: 410 });
    const url = `${hook.url}/gone`;
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url }]);
    collector();
    await fire(t.db, t.siteId, rule);
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r?.status === 'dead' ? r : undefined;
    });
    expect(row).toMatchObject({ attempts: 1, last_status: 410 });
    const off = await ruleRow(rule.id);
    expect(off?.enabled).toBe(false);
    expect(off?.disabled_reason).toMatch(new RegExp(`^Webhook ${url} answered 410 Gone at \\d{4}-`));
    expect(hook.received).toHaveLength(1);
  });

  it('should not send the deliveries of a rule turned off, and record why', async () => {
    const hook = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/off` }]);
    await fire(t.db, t.siteId, rule);
    await t.db.query('update rules set enabled = false where site_id = $1 and id = $2', [t.siteId, rule.id]);
    collector();
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r?.status === 'dead' ? r : undefined;
    });
    expect(row).toMatchObject({ attempts: 0, last_error: 'rule disabled' });
    expect(hook.received).toEqual([]);
  });

  it('should not follow a redirect, and retry it', async () => {
    const elsewhere = await receiver();
    const hook = await receiver();
    hook.answer = () => ({ status: 302, headers: { location: `${elsewhere.url}/stolen` } });
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/moved` }]);
    collector();
    await fire(t.db, t.siteId, rule);
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r && r.attempts >= 2 ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'pending', last_status: 302 });
    expect(elsewhere.received).toEqual([]);
  });

  it('should give up on an attempt that gets no answer within the timeout', async () => {
    const hook = await receiver();
    hook.answer = () => ({ status: 0, hang: true });
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/slow` }]);
    collector({ timeoutMs: 300 });
    await fire(t.db, t.siteId, rule);
    const row = await eventually(async () => {
      const r = await one(rule.id);
      return r && r.attempts >= 1 ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'pending', last_status: null, last_error: 'no answer within 300 ms' });
  });
});

describe('Slack delivery', { timeout: 120_000 }, () => {
  it('should post a Block Kit message with who, score, tier change, top signals, recipient and a dashboard link', async () => {
    const slack = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'slack', url: `${slack.url}/services/T0/B0/x` }]);
    collector({}, 'https://inkling.example');
    const [firing] = await fire(t.db, t.siteId, rule);
    if (!firing) throw new Error('not fired');
    const got = await eventually(() => slack.received[0]);
    expect(got.path).toBe('/services/T0/B0/x');
    expect(got.headers['webhook-signature']).toBeUndefined();
    const message = JSON.parse(got.body) as { text: string; blocks: Record<string, unknown>[] };
    const account = (firing.payload as { account: { id: string; name: string } }).account;
    const link = `https://inkling.example/dashboard/accounts/${account.id}`;
    expect(message.text).toBe(`${rule.name}: ${account.name} is High (score 81) — for ann@acme.test`);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `${rule.name}: ${account.name}` },
    });
    expect(message.blocks[1]).toMatchObject({
      type: 'section',
      text: { type: 'mrkdwn', text: `*<${link}|${account.name}>* (account) crossed into High` },
      fields: [
        { type: 'mrkdwn', text: '*Score*\n81' },
        { type: 'mrkdwn', text: '*Tier*\nMedium → High' },
      ],
    });
    expect(message.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Top signals*\n• Demo requested (+30)\n• Pricing page (+15)' },
    });
    expect(JSON.stringify(message.blocks[3])).toContain('For ann@acme.test');
    expect(message.blocks[4]).toMatchObject({ type: 'actions', elements: [{ type: 'button', url: link }] });
    await eventually(async () => ((await one(rule.id))?.status === 'delivered' ? true : undefined));
  });

  it('should mention the routed rep by their Slack member id when they are a dashboard user', async () => {
    const slack = await receiver();
    const rule = await insertRule(t.db, t.siteId, [{ type: 'slack', url: `${slack.url}/services/T0/B0/m` }]);
    await createUser(t.db, t.siteId, {
      email: 'ann@acme.test',
      name: 'Ann',
      role: 'rep',
      password: 'a-long-enough-password',
      slackMemberId: 'U024BE7LH',
    });
    collector({});
    const [firing] = await fire(t.db, t.siteId, rule);
    expect(firing?.recipient).toBe('ann@acme.test');
    const got = await eventually(() => slack.received[0]);
    const message = JSON.parse(got.body) as { blocks: Record<string, unknown>[] };
    expect(JSON.stringify(message.blocks)).toContain('For <@U024BE7LH> (ann@acme.test)');
  });
});
