import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../collector/db/client.ts';
import { useCollectorOnOwnPostgres } from './helpers/own-postgres.ts';

/**
 * The collector as a real process on a PostgreSQL of this file's own, with its backends
 * terminated under load (as a failover, an admin's `pg_terminate_backend` or a network
 * blip does). Runs in both CI runs: it needs only the PostgreSQL binaries.
 */
const env = useCollectorOnOwnPostgres('terminated backends', []);

async function post(batch: object[]): Promise<number> {
  try {
    const res = await fetch(`${env.base}/v1/batch?key=${env.site.writeKey}`, {
      method: 'POST',
      body: JSON.stringify({ batch }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('PostgreSQL backends terminated under load', () => {
  it('should keep the collector serving and store every acknowledged event exactly once', async () => {
    const acked: string[] = [];
    const deadline = Date.now() + 60_000;
    let killsDone = false;
    let terminated = 0;

    // A few senders, each retrying a batch with the same messageIds until it is acknowledged
    // (as the SDK does), bounded in count and time.
    const sender = async (loop: number) => {
      for (let i = 0; i < 200 && env.alive() && Date.now() < deadline; i++) {
        if (killsDone && i >= 5) break;
        const batch = Array.from({ length: 20 }, (_, j) => ({
          type: 'track',
          event: 'Terminate Test',
          anonymousId: `visitor-${loop}-${j % 3}`,
          messageId: `term-${loop}-${i}-${j}`,
        }));
        for (let attempt = 0; attempt < 100 && env.alive() && Date.now() < deadline; attempt++) {
          if ((await post(batch)) === 200) {
            acked.push(...batch.map((m) => m.messageId));
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    const admin = new pg.Client({ connectionString: env.server?.url });
    await admin.connect();
    const killer = async () => {
      try {
        for (let round = 0; round < 6 && env.alive() && Date.now() < deadline; round++) {
          // Terminate only once more load has been acknowledged since the last round.
          const before = acked.length;
          while (acked.length === before && env.alive() && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
          }
          const { rows } = await admin.query<{ terminated: boolean }>(
            'select pg_terminate_backend(pid) as terminated from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
          );
          terminated += rows.filter((r) => r.terminated).length;
        }
      } finally {
        killsDone = true;
      }
    };
    await Promise.all([killer(), ...[0, 1, 2, 3].map(sender)]);

    try {
      expect(env.alive(), `the collector exited; stderr:\n${env.stderr.slice(-3000)}`).toBe(true);
      // It recovers by itself: readiness and ingest answer 200 again.
      let ready = 0;
      for (let i = 0; i < 100 && ready !== 200; i++) {
        ready = await fetch(`${env.base}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(200);
      const last = [{ type: 'page', anonymousId: 'after', messageId: 'term-after' }];
      expect(await post(last)).toBe(200);
      acked.push('term-after');

      const { rows } = await admin.query<{ message_id: string; n: number }>(
        'select message_id, count(*)::int as n from events where site_id = $1 group by message_id',
        [env.site.siteId],
      );
      const stored = new Map(rows.map((r) => [r.message_id, r.n]));
      expect(terminated).toBeGreaterThan(0);
      expect(acked.length).toBeGreaterThan(100);
      expect(acked.filter((id) => stored.get(id) !== 1)).toEqual([]);
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 120_000);

  it('should deliver score-change notices again after the listening connection is terminated', async () => {
    const db = await openDatabase({ url: env.server?.url, max: 1 });
    const notices: string[] = [];
    let connects = 0;
    let drops = 0;
    const stop = await db.listen(
      'inkling_test_channel',
      (payload) => notices.push(payload),
      () => connects++,
      () => drops++,
    );
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      expect(connects).toBe(1);
      await db.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'",
      );
      await until(() => connects === 2);
      expect({ connects, drops }).toEqual({ connects: 2, drops: 1 });
      await db.query("select pg_notify('inkling_test_channel', 'after reconnect')");
      await until(() => notices.length > 0);
      expect(notices).toEqual(['after reconnect']);
    } finally {
      await stop();
      await db.close();
    }
  }, 60_000);
});
