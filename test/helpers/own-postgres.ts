import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase } from '../../collector/db/client.ts';
import { migrateDatabase } from '../../collector/db/migrate.ts';
import { type CreatedSite, createSite } from '../../collector/sites.ts';
import { startScript, waitForLine } from './process.ts';

const run = promisify(execFile);

/** Where Debian puts the server binaries; PG_BIN overrides. */
const BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of the test's own: its own data folder and port, started and stopped
 * by the test, so it can be killed without touching the shared server.
 */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** Stops at once, as a crash or a pulled cable would (`pg_ctl stop -m immediate`). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and removes its folder. */
  destroy(): Promise<void>;
}

/** initdb refuses root: as root, the server's commands run as the `postgres` user. */
function asServerUser(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'inkling-own-pg-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const exec = async (bin: string, args: string[]) => {
    const [cmd, ...rest] = [...user.prefix, join(BIN, bin), ...args];
    await run(cmd as string, rest, { timeout: 60_000 });
  };
  const port = await freePort();
  let running = false;
  const pg: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=60`;
      await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await pg.start();
  } catch (err) {
    await pg.destroy();
    throw err;
  }
  return pg;
}

/** A collector process on a PostgreSQL of the test file's own (see `useCollectorOnOwnPostgres`). */
export interface OwnCollector {
  server: OwnPostgres | undefined;
  child: ChildProcess | undefined;
  /** What the collector wrote to stderr so far. */
  stderr: string;
  /** The collector's URL. */
  base: string;
  site: CreatedSite;
  alive(): boolean;
}

/**
 * Before the file's tests: a PostgreSQL of its own, migrated, with one site (`name`,
 * `origins`), and `npm start`'s collector as a real process on it. After them: both gone.
 */
export function useCollectorOnOwnPostgres(name: string, origins: string[] = []): OwnCollector {
  const env: OwnCollector = {
    server: undefined,
    child: undefined,
    stderr: '',
    base: '',
    site: undefined as unknown as CreatedSite,
    alive: () => env.child !== undefined && env.child.exitCode === null && env.child.signalCode === null,
  };
  beforeAll(async () => {
    env.server = await startOwnPostgres();
    const db = await openDatabase({ url: env.server.url, max: 1 });
    try {
      await migrateDatabase(db);
      env.site = await createSite(db, name, origins);
    } finally {
      await db.close();
    }
    env.child = startScript('collector/main.ts', [], { DATABASE_URL: env.server.url, PORT: '0', HOST: '127.0.0.1' });
    env.child.stderr?.on('data', (d) => {
      env.stderr += d;
    });
    env.base = JSON.parse(await waitForLine(env.child, /collector listening/)).url;
  });
  afterAll(async () => {
    const child = env.child;
    if (child && env.alive()) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await env.server?.destroy();
  });
  return env;
}
