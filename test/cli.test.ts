import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '../collector/app.ts';
import { openDatabase } from '../collector/db/client.ts';
import { findSiteBySecretKey, findSiteByWriteKey } from '../collector/sites.ts';
import { testDatabaseUrl } from './helpers/database-url.ts';
import { runScript } from './helpers/process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The CLI on the embedded default, and on the real PostgreSQL when the run has one. */
const targets: [string, () => Record<string, string>][] = [
  [
    'embedded',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'inkling-cli-'));
      dirs.push(dir);
      return { DATABASE_URL: '', INKLING_DATA_DIR: dir };
    },
  ],
];
const url = testDatabaseUrl();
if (url) targets.push(['postgres', () => ({ DATABASE_URL: url })]);

/**
 * Each test starts several CLI processes, and each opens (and on the embedded database first
 * migrates) its database: seconds each on a loaded machine, so the limit is generous.
 */
const PROCESS_TIMEOUT = 180_000;

describe.each(targets)('npm run inkling (%s)', (_name, makeEnv) => {
  it(
    'should migrate, create, list and rotate keys of a site',
    async () => {
      const env = makeEnv();
      const cli = (...args: string[]) => runScript('collector/cli.ts', args, env);

      const migrated = await cli('migrate');
      expect(migrated.stderr).toBe('');
      expect(migrated.code).toBe(0);

      const created = await cli('site', 'create', '--name', 'Acme CLI', '--origins', 'https://acme.test', '--json');
      expect(created.code, created.stderr).toBe(0);
      const site = JSON.parse(created.stdout);
      expect(site).toMatchObject({ name: 'Acme CLI', origins: ['https://acme.test'] });
      expect(site.writeKey).toMatch(/^pk_/);
      expect(site.secretKey).toMatch(/^sk_/);
      expect(site.verificationSecret).toMatch(/^[0-9a-f]{64}$/);

      const listed = await cli('site', 'list');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(site.siteId);
      expect(listed.stdout).toContain(site.writeKey);
      expect(listed.stdout).not.toContain(site.secretKey);
      expect(listed.stdout).not.toContain(site.verificationSecret);

      const rotated = await cli('keys', 'rotate', site.siteId, '--json');
      expect(rotated.code, rotated.stderr).toBe(0);
      const keys = JSON.parse(rotated.stdout);
      expect(keys.secretKey).toMatch(/^sk_/);
      expect(keys.writeKey).toBeUndefined();
      const verification = await cli('keys', 'rotate', site.siteId, '--verification', '--json');
      expect(verification.code, verification.stderr).toBe(0);
      const { verificationSecret, secretKey } = JSON.parse(verification.stdout);
      expect(verificationSecret).toMatch(/^[0-9a-f]{64}$/);
      expect(verificationSecret).not.toBe(site.verificationSecret);
      expect(secretKey).toBeUndefined();

      const db = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.INKLING_DATA_DIR });
      try {
        expect((await findSiteByWriteKey(db, site.writeKey))?.id).toBe(site.siteId);
        expect(await findSiteBySecretKey(db, site.secretKey)).toBeUndefined();
        expect((await findSiteBySecretKey(db, keys.secretKey))?.id).toBe(site.siteId);
        expect((await findSiteBySecretKey(db, keys.secretKey))?.verificationSecret).toBe(verificationSecret);
      } finally {
        await db.close();
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    'should rescore the scores that are due, and only those',
    async () => {
      const env = makeEnv();
      const created = await runScript('collector/cli.ts', ['site', 'create', '--name', 'Rescore', '--json'], env);
      expect(created.code, created.stderr).toBe(0);
      const site = JSON.parse(created.stdout);
      const open = () => openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.INKLING_DATA_DIR });
      let db = await open();
      let score: number;
      try {
        const { app, drain } = createCollector({ db, rescoreIntervalMs: 0 });
        const res = await app.request(`/v1/page?key=${site.writeKey}`, {
          method: 'POST',
          body: JSON.stringify({ anonymousId: 'cli-visitor', messageId: 'cli-1', properties: { path: '/pricing' } }),
        });
        expect(res.status).toBe(200);
        await drain();
        const [row] = await db.query<{ score: number }>('select score from person_scores where site_id = $1', [
          site.siteId,
        ]);
        score = row?.score ?? 0;
        expect(score).toBeGreaterThan(0);
        // Spoil the stored score and make it due: the job must put it back.
        await db.query(
          `update person_scores set score = 0, next_change_at = now() - interval '1 minute' where site_id = $1`,
          [site.siteId],
        );
      } finally {
        await db.close();
      }
      const ran = await runScript('collector/cli.ts', ['rescore', '--site', site.siteId, '--json'], env);
      expect(ran.code, ran.stderr).toBe(0);
      expect(JSON.parse(ran.stdout)).toMatchObject({ persons: 1 });
      const again = await runScript('collector/cli.ts', ['rescore', '--site', site.siteId, '--json'], env);
      expect(JSON.parse(again.stdout)).toMatchObject({ persons: 0 });
      db = await open();
      try {
        const [row] = await db.query<{ score: number }>('select score from person_scores where site_id = $1', [
          site.siteId,
        ]);
        expect(row?.score).toBe(score);
      } finally {
        await db.close();
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    'should explain bad usage with exit code 2',
    async () => {
      const env = makeEnv();
      const bad = await runScript('collector/cli.ts', ['site', 'create'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/site create needs --name/);
      const badOrigin = await runScript(
        'collector/cli.ts',
        ['site', 'create', '--name', 'x', '--origins', 'acme'],
        env,
      );
      expect(badOrigin.code).toBe(2);
      expect(badOrigin.stderr).toMatch(/not an origin: acme/);
      const unknown = await runScript('collector/cli.ts', ['keys', 'rotate', 'site_nope'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no site with id site_nope/);
    },
    PROCESS_TIMEOUT,
  );
});
