import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../collector/db/client.ts';
import { migrateDatabase } from '../collector/db/migrate.ts';
import { createSite } from '../collector/sites.ts';
import { deliveriesOf, fire, insertRule } from './helpers/alerts.ts';
import { startScript, waitForLine } from './helpers/process.ts';
import { eventually, startReceiver } from './helpers/receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'inkling-delivery-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start` on an embedded data folder of this test's own, on a free port. */
const env = { DATABASE_URL: '', INKLING_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' };

const exit = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

describe('a collector killed between the firing commit and its delivery', () => {
  it('should deliver the firing after a restart, with the same webhook-id', async () => {
    const hook = await startReceiver();
    try {
      // The firing committed to the outbox, as the rules evaluation leaves it.
      const db = await openDatabase({ dataDir: dir });
      let firingId: string;
      let siteId: string;
      let ruleId: string;
      try {
        await migrateDatabase(db);
        siteId = (await createSite(db, 'crash site', [])).siteId;
        const rule = await insertRule(db, siteId, [{ type: 'webhook', url: `${hook.url}/hook` }]);
        ruleId = rule.id;
        hook.secret = rule.secret;
        const [firing] = await fire(db, siteId, rule);
        firingId = firing?.id as string;
      } finally {
        await db.close();
      }

      // The test-only hook: SIGKILL right before the POST, once the row is claimed.
      const doomed = startScript('collector/main.ts', [], { ...env, INKLING_TEST_KILL_BEFORE_DELIVERY: '1' });
      expect((await exit(doomed)).signal).toBe('SIGKILL');
      expect(hook.received).toEqual([]);
      // It died holding the row: claimed (leased), no attempt recorded.
      const dead = await openDatabase({ dataDir: dir });
      try {
        const held = await dead.query<{ status: string; attempts: number; locked_until: Date | null }>(
          'select status, attempts, locked_until from deliveries where site_id = $1',
          [siteId],
        );
        expect(held).toHaveLength(1);
        expect(held[0]).toMatchObject({ status: 'pending', attempts: 0 });
        expect(held[0]?.locked_until).not.toBeNull();
      } finally {
        await dead.close();
      }

      const restarted = startScript('collector/main.ts', [], env);
      await waitForLine(restarted, /collector listening/, 120_000);
      const got = await eventually(() => hook.received[0], 120_000);
      expect(got.id).toBe(firingId);
      expect(got.verified).toBe(true);
      expect(JSON.parse(got.body).id).toBe(firingId);
      const stopped = exit(restarted);
      restarted.kill('SIGINT');
      expect((await stopped).code).toBe(0);
      expect(hook.received).toHaveLength(1);

      const after = await openDatabase({ dataDir: dir });
      try {
        const rows = await deliveriesOf(after, siteId, ruleId);
        expect(rows).toMatchObject([{ webhook_id: firingId, status: 'delivered', attempts: 1, last_status: 200 }]);
      } finally {
        await after.close();
      }
    } finally {
      await hook.close();
    }
    // Two process starts (each builds and opens PGlite): generous, so that a loaded machine
    // is not mistaken for a failure.
  }, 300_000);
});
