import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '../collector/app.ts';
import { openDatabase } from '../collector/db/client.ts';
import { dashboardBrowser } from './helpers/dashboard.ts';
import { testDatabaseUrl } from './helpers/database-url.ts';
import { runScript } from './helpers/process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const targets: [string, () => Record<string, string>][] = [
  [
    'embedded',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'inkling-cli-user-'));
      dirs.push(dir);
      return { DATABASE_URL: '', INKLING_DATA_DIR: dir };
    },
  ],
];
const url = testDatabaseUrl();
if (url) targets.push(['postgres', () => ({ DATABASE_URL: url })]);

describe.each(targets)('npm run inkling -- user add (%s)', (_name, makeEnv) => {
  it('should add a dashboard user with a given or a generated password, who can sign in, and refuse a duplicate', async () => {
    const env = makeEnv();
    const cli = (...args: string[]) => runScript('collector/cli.ts', args, env);
    const site = JSON.parse((await cli('site', 'create', '--name', 'Users', '--json')).stdout);
    const email = `dana-${Date.now()}@acme.test`;
    const given = await cli(
      'user',
      'add',
      '--site',
      site.siteId,
      '--email',
      email,
      '--name',
      'Dana',
      '--role',
      'rep',
      '--password',
      'dana password 1',
    );
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain(`dashboard user created: Dana <${email}> (rep) of ${site.siteId}`);
    expect(given.stdout).not.toContain('dana password 1');

    const generated = await cli(
      'user',
      'add',
      '--site',
      site.siteId,
      '--email',
      `E${email}`,
      '--name',
      'Eve',
      '--role',
      'admin',
      '--json',
    );
    expect(generated.code, generated.stderr).toBe(0);
    const eve = JSON.parse(generated.stdout);
    expect(eve).toMatchObject({ email: `e${email}`, role: 'admin', siteId: site.siteId });
    expect(eve.password).toMatch(/^[\w-]{20}$/);

    const duplicate = await cli(
      'user',
      'add',
      '--site',
      site.siteId,
      '--email',
      email,
      '--name',
      'Dana',
      '--role',
      'rep',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already has a user');
    const bad = await cli('user', 'add', '--site', site.siteId, '--email', email, '--name', 'Dana', '--role', 'boss');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--role');

    const db = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.INKLING_DATA_DIR });
    const collector = createCollector({ db, rescoreIntervalMs: 0 });
    try {
      expect((await dashboardBrowser(collector.app).signIn(email, 'dana password 1')).status).toBe(303);
      expect((await dashboardBrowser(collector.app).signIn(eve.email, eve.password)).status).toBe(303);
    } finally {
      await collector.drain();
      await db.close();
    }
  }, 240_000);
});
