import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueFirings } from '../collector/alerts/outbox.ts';
import { type Collector, createCollector } from '../collector/app.ts';
import { notifyChanged } from '../collector/changes/notices.ts';
import { type Database, openDatabase } from '../collector/db/client.ts';
import { deliveriesOf, fire, insertRule, payloadFor, useDeliveryDatabase } from './helpers/alerts.ts';
import { eventually, type Receiver, startReceiver } from './helpers/receiver.ts';

/**
 * Two collectors on one database, each with its dispatcher: on PostgreSQL each has its own
 * connection pool, so their claims really race (SKIP LOCKED and the lease keep them apart);
 * the embedded engine has one connection, shared.
 */
const t = useDeliveryDatabase();
let second: Database;
let hook: Receiver;
beforeAll(async () => {
  second = t.db.url ? await openDatabase({ url: t.db.url, max: 5 }) : t.db;
  hook = await startReceiver();
});
afterAll(async () => {
  await hook.close();
  if (second !== t.db) await second.close();
});

describe('two collectors delivering from one outbox', () => {
  it('should deliver every firing exactly once', async () => {
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/many` }]);
    hook.secret = rule.secret;
    const settings = { pollMs: 20, batch: 5, backoff: { baseMs: 20, maxMs: 100 } };
    const collectors: Collector[] = [t.db, second].map((db) =>
      createCollector({ db, rescoreIntervalMs: 0, delivery: settings }),
    );
    try {
      // Committed through both, in several transactions, so that both dispatchers wake.
      const firings = [];
      for (let i = 0; i < 10; i++) firings.push(...(await fire(i % 2 ? second : t.db, t.siteId, rule, 20)));
      expect(firings).toHaveLength(200);
      await eventually(async () => {
        const rows = await deliveriesOf(t.db, t.siteId, rule.id);
        return rows.every((r) => r.status === 'delivered') ? rows : undefined;
      }, 120_000);
      const counts = new Map<string, number>();
      for (const r of hook.received) counts.set(r.id as string, (counts.get(r.id as string) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual(firings.map((f) => f.id).sort());
      expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
      expect(hook.received.every((r) => r.verified)).toBe(true);
    } finally {
      for (const c of collectors) await c.drain();
    }
  }, 180_000);

  it("should wake on another process's score change, without waiting for its poll", async () => {
    const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/woken` }]);
    hook.secret = rule.secret;
    // Only the second collector delivers, and it would poll only hourly.
    const listener = createCollector({ db: second, rescoreIntervalMs: 0, delivery: { pollMs: 3_600_000 } });
    try {
      await eventually(() => (listener.changes.listening || !second.url ? true : undefined));
      const firedAt = Date.now();
      // As the rules evaluation does on the first database: the firing with the score change that caused it.
      await t.db.transaction(async (tx) => {
        await enqueueFirings(tx, t.siteId, [
          {
            id: 'fir_woken',
            ruleId: rule.id,
            subjectKind: 'account',
            subjectId: 'acc_woken',
            changeKey: 'tier:high:woken',
            outcome: 'fired',
            recipient: null,
            payload: payloadFor(rule, 'fir_woken', 'acc_woken', firedAt) as unknown as Record<string, unknown>,
            firedAt,
            actions: rule.actions,
          },
        ]);
        await notifyChanged(tx, t.siteId, 'account', ['acc_woken']);
      });
      const got = await eventually(() => hook.received.find((r) => r.id === 'fir_woken'));
      expect(got.verified).toBe(true);
    } finally {
      await listener.drain();
    }
  }, 120_000);
});
