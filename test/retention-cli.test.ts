import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../collector/db/client.ts';
import { migrateDatabase } from '../collector/db/migrate.ts';
import { addMonths, listEventPartitions, monthStart, partitionName } from '../collector/db/partitions.ts';
import { createSite } from '../collector/sites.ts';
import { testDatabaseUrl } from './helpers/database-url.ts';
import { openFreshDatabase } from './helpers/fresh-database.ts';
import { runScript, startScript, waitForLine } from './helpers/process.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/**
 * A migrated database of the test's own that a child process can open: a fresh PostgreSQL
 * database, or an embedded data folder (closed before the child opens it).
 */
const targets: [string, () => Promise<{ env: Record<string, string>; open(): Promise<Database> }>][] = [
  [
    'embedded',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'inkling-retention-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { env: { DATABASE_URL: '', INKLING_DATA_DIR: dir }, open: () => openDatabase({ dataDir: dir }) };
    },
  ],
];
if (testDatabaseUrl()) {
  targets.push([
    'postgres',
    async () => {
      const fresh = await openFreshDatabase();
      cleanups.push(() => fresh.close());
      const url = fresh.db.url as string;
      return { env: { DATABASE_URL: url }, open: () => openDatabase({ url, max: 1 }) };
    },
  ]);
}

const PROCESS_TIMEOUT = 180_000;

describe.each(targets)('retention and partitions from the command line and on start (%s)', (_name, make) => {
  it(
    "should delete a site's old events with npm run inkling -- retention, and refuse a too short global retention",
    async () => {
      const { env, open } = await make();
      const db = await open();
      let siteId: string;
      try {
        await migrateDatabase(db);
        const site = await createSite(db, 'cli retention', [], { retentionDays: 312 });
        siteId = site.siteId;
        await db.query(
          `insert into events (site_id, received_at, message_id, type, anonymous_id, "timestamp", properties,
             traits, context, is_bot)
           select $1, now() - make_interval(days => d), 'm' || d, 'page', 'a', now() - make_interval(days => d),
             '{}', '{}', '{}', false
           from unnest(array[3, 320, 360]) as d`,
          [siteId],
        );
      } finally {
        await db.close();
      }

      const refused = await runScript('collector/cli.ts', ['retention'], { ...env, INKLING_RETENTION_DAYS: '30' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/INKLING_RETENTION_DAYS must be a whole number of days, at least 312/);

      const ran = await runScript('collector/cli.ts', ['retention', '--json'], env);
      expect(ran.code, ran.stderr).toBe(0);
      expect(JSON.parse(ran.stdout)).toMatchObject({ deletedEvents: 2, droppedPartitions: [] });

      const after = await open();
      try {
        expect(await after.query('select message_id from events where site_id = $1', [siteId])).toEqual([
          { message_id: 'm3' },
        ]);
      } finally {
        await after.close();
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    'should make the missing partitions ahead when the collector starts',
    async () => {
      const { env, open } = await make();
      const db = await open();
      const ahead = partitionName(addMonths(monthStart(new Date()), 2));
      try {
        await migrateDatabase(db);
        await db.query(`drop table ${ahead}`);
      } finally {
        await db.close();
      }
      const child = startScript('collector/main.ts', [], { ...env, PORT: '0', HOST: '127.0.0.1' });
      try {
        const line = await waitForLine(child, /event partitions created/, 120_000);
        expect(JSON.parse(line).created).toEqual([ahead]);
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      const after = await open();
      try {
        expect((await listEventPartitions(after)).map((p) => p.name)).toContain(ahead);
      } finally {
        await after.close();
      }
    },
    PROCESS_TIMEOUT,
  );
});
