import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector } from '../collector/app.ts';
import { deliveriesOf, fire, insertRule, useDeliveryDatabase } from './helpers/alerts.ts';
import { testDatabaseUrl } from './helpers/database-url.ts';
import { runScript, startScript, waitForLine } from './helpers/process.ts';
import { eventually, type Receiver, startReceiver } from './helpers/receiver.ts';

/**
 * Ingest-only collectors (`INKLING_DELIVERY=off`) beside a delivery worker
 * (`npm run inkling -- deliver`) on one PostgreSQL: the collectors write the outbox, the
 * worker, a process of its own, sends it.
 */
const t = useDeliveryDatabase();
let hook: Receiver;
beforeAll(async () => {
  hook = await startReceiver();
});
afterAll(() => hook.close());

describe('a delivery worker beside ingest-only collectors', () => {
  it.runIf(testDatabaseUrl())(
    'should send what a collector without delivery wrote to the outbox, once each, and stop on SIGTERM',
    async () => {
      const url = t.db.url as string;
      const collector = createCollector({ db: t.db, rescoreIntervalMs: 0, delivery: { enabled: false } });
      expect(collector.dispatcher).toBeNull();
      const rule = await insertRule(t.db, t.siteId, [{ type: 'webhook', url: `${hook.url}/worker` }]);
      hook.secret = rule.secret;
      const firings = await fire(t.db, t.siteId, rule, 5);
      // No process delivers yet: the rows wait in the outbox.
      expect((await deliveriesOf(t.db, t.siteId, rule.id)).map((r) => r.status)).toEqual(Array(5).fill('pending'));

      const worker = startScript('collector/cli.ts', ['deliver'], { DATABASE_URL: url, INKLING_LOG_LEVEL: 'warn' });
      let stdout = '';
      worker.stdout?.on('data', (d) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      try {
        await waitForLine(worker, /delivering the outbox/);
        await eventually(async () => {
          const rows = await deliveriesOf(t.db, t.siteId, rule.id);
          return rows.every((r) => r.status === 'delivered') ? rows : undefined;
        }, 60_000);
        const ids = hook.received.filter((r) => r.path === '/worker').map((r) => r.id);
        expect(ids.sort()).toEqual(firings.map((f) => f.id).sort());
        expect(hook.received.every((r) => r.verified)).toBe(true);
      } finally {
        worker.kill('SIGTERM');
        await collector.drain();
      }
      expect(await exited).toBe(0);
      expect(stdout).toContain('delivery stopped');
    },
    120_000,
  );

  it('should refuse INKLING_DELIVERY=off on the embedded database, where no worker could send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkling-delivery-off-'));
    try {
      const run = await runScript('collector/main.ts', [], {
        DATABASE_URL: '',
        TEST_DATABASE_URL: '',
        INKLING_DATA_DIR: dir,
        INKLING_PORT: '0',
        INKLING_DELIVERY: 'off',
      });
      expect(run.code).toBe(1);
      expect(`${run.stdout}${run.stderr}`).toContain('INKLING_DELIVERY=off needs DATABASE_URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
