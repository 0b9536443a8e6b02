import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDueDigests } from '../collector/alerts/digest-job.ts';
import { type Collector, createCollector } from '../collector/app.ts';
import { type Database, openDatabase } from '../collector/db/client.ts';
import type { DigestPayload } from '../shared/rules/digest.ts';
import { deliveriesOf, fire, insertRule, useDeliveryDatabase } from './helpers/alerts.ts';
import { eventually, type Receiver, startReceiver } from './helpers/receiver.ts';

/**
 * Digest rules: firings recorded without deliveries, then one delivery per period carrying
 * them all. The digest job is called with a clock of the test's (an hour later) instead of
 * waiting an hour; two database handles (two pools on PostgreSQL) make the digest at once.
 */
const t = useDeliveryDatabase();
let second: Database;
let hook: Receiver;
beforeAll(async () => {
  second = t.db.url ? await openDatabase({ url: t.db.url, max: 3 }) : t.db;
  hook = await startReceiver();
});
afterAll(async () => {
  await hook.close();
  if (second !== t.db) await second.close();
});

const HOUR = 3_600_000;
const GIVE_UP = 24 * HOUR;

describe('digest rules', () => {
  it('should deliver one message per period carrying every firing of the period, made once by concurrent jobs', async () => {
    const rule = await insertRule(
      t.db,
      t.siteId,
      [
        { type: 'webhook', url: `${hook.url}/digest` },
        { type: 'slack', url: `${hook.url}/slack` },
      ],
      { digest: { every: '1h' } },
    );
    hook.secret = rule.secret;
    const start = Date.now();
    const firings = await fire(t.db, t.siteId, rule, 5, { digest: true, firedAt: start });
    expect(firings).toHaveLength(5);
    expect(await deliveriesOf(t.db, t.siteId, rule.id)).toEqual([]);

    // Not due before the oldest firing is an hour old.
    expect(await makeDueDigests(t.db, start + HOUR - 1000, GIVE_UP)).toBe(0);
    // Due: several collectors' jobs at once make it once.
    const due = start + HOUR + 1000;
    const made = await Promise.all([
      makeDueDigests(t.db, due, GIVE_UP),
      makeDueDigests(second, due, GIVE_UP),
      makeDueDigests(second, due, GIVE_UP),
    ]);
    expect(made.reduce((a, b) => a + b, 0)).toBe(1);
    const rows = await deliveriesOf(t.db, t.siteId, rule.id);
    expect(rows.map((r) => r.kind)).toEqual(['webhook', 'slack']);
    expect(rows[0]?.webhook_id).toMatch(/^dg_/);
    expect(rows[1]?.webhook_id).toBe(rows[0]?.webhook_id);
    const carried = await t.db.query<{ digest_delivery_id: number | null }>(
      'select digest_delivery_id from firings where site_id = $1 and rule_id = $2',
      [t.siteId, rule.id],
    );
    expect(carried.map((f) => f.digest_delivery_id)).toEqual(Array(5).fill(rows[0]?.id));
    // Nothing more this period, even with new firings.
    await fire(t.db, t.siteId, rule, 2, { digest: true, firedAt: start + 1000 });
    expect(await makeDueDigests(t.db, due + 1000, GIVE_UP)).toBe(0);

    const collector: Collector = createCollector({
      db: t.db,
      rescoreIntervalMs: 0,
      delivery: { pollMs: 100, digestIntervalMs: HOUR },
    });
    try {
      const webhook = await eventually(() => hook.received.find((r) => r.path === '/digest'));
      const slack = await eventually(() => hook.received.find((r) => r.path === '/slack'));
      expect(webhook.verified).toBe(true);
      expect(webhook.id).toBe(rows[0]?.webhook_id);
      const body = JSON.parse(webhook.body) as DigestPayload;
      expect(body.id).toBe(webhook.id);
      expect(body.rule).toEqual({ id: rule.id, name: rule.name });
      expect(body.digest).toMatchObject({
        every: '1h',
        count: 5,
        summary: '5 accounts crossed into High in the last hour',
      });
      expect(body.firings.map((f) => f.id).sort()).toEqual(firings.map((f) => f.id).sort());
      const message = JSON.parse(slack.body) as { text: string };
      expect(message.text).toBe(`${rule.name}: 5 accounts crossed into High in the last hour`);
      await eventually(async () =>
        (await deliveriesOf(t.db, t.siteId, rule.id)).every((r) => r.status === 'delivered') ? true : undefined,
      );
    } finally {
      await collector.drain();
    }

    // The next period carries the two later firings only.
    expect(await makeDueDigests(t.db, due + HOUR + 1000, GIVE_UP)).toBe(1);
    const next = (await deliveriesOf(t.db, t.siteId, rule.id)).slice(2);
    expect(next).toHaveLength(2);
    const [{ n } = { n: 0 }] = await t.db.query<{ n: number }>(
      'select count(*)::int as n from firings where site_id = $1 and digest_delivery_id = $2',
      [t.siteId, next[0]?.id],
    );
    expect(n).toBe(2);
  }, 120_000);

  it('should make no digest for a rule turned off', async () => {
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/off` }], {
      digest: { every: '30m' },
    });
    await fire(t.db, t.siteId, rule, 3, { digest: true });
    await t.db.query('update rules set enabled = false where site_id = $1 and id = $2', [t.siteId, rule.id]);
    expect(await makeDueDigests(t.db, Date.now() + HOUR, GIVE_UP)).toBe(0);
    expect(await deliveriesOf(t.db, t.siteId, rule.id)).toEqual([]);
  });
});
