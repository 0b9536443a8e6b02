import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { insertRule } from '../collector/alerts/rules-store.ts';
import type { Database } from '../collector/db/client.ts';
import { createSite } from '../collector/sites.ts';
import type { RuleDefinition } from '../shared/rules/types.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase, resetEvents } from './database.ts';
import { type HttpMeasured, httpPhase } from './ingest.ts';
import type { PrepareMessage } from './load-process.ts';

/**
 * Ingest throughput with 20 enabled rules against none: the same messages through the real
 * collector over HTTP with scoring on, each phase in a fresh collector process on empty
 * tables, alternating none / 20 rules twice so that other work on a shared machine weighs
 * on both alike. The rules cover every condition on persons and accounts, with holdouts,
 * caps, stop conditions and routing, on the signals and events the generated traffic has.
 */
export interface RulesBenchOptions {
  url: string;
  events: number;
  /** Rounds of the three phases (none, 20 ingest-only, 20 delivering). */
  rounds: number;
  clients: number;
  /** Where each phase's collector process writes a V8 CPU profile; undefined = none. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface RulesBenchResult {
  events: number;
  clients: number;
  none: HttpMeasured[];
  /** 20 rules, the collector ingest-only (`INKLING_DELIVERY=off`): evaluated, written to the outbox. */
  outbox: HttpMeasured[];
  /** Then a delivery worker (`npm run inkling -- deliver`) alone sends that outbox. */
  worker: { deliveries: number; ms: number; received: number }[];
  /** 20 rules, the collector delivering too (the default, one process does everything). */
  twenty: HttpMeasured[];
  /** Firings recorded in each rule phase (each phase from empty tables): outbox, then in-process. */
  firings: [number, number][];
  /** Webhooks the receiver got during each in-process phase (deliveries keep going after it ends). */
  received: number[];
}

/**
 * The 20 rules, each posting to `url`: each condition on both subjects, with every control
 * somewhere.
 */
export const benchRules20 = (url: string): RuleDefinition[] => {
  const hook = [{ type: 'webhook' as const, url }];
  return (['person', 'account'] as const).flatMap((subject): RuleDefinition[] => [
    { name: `${subject} into medium`, subject, when: { type: 'threshold', tier: 'medium' }, actions: hook },
    {
      name: `${subject} into high`,
      subject,
      when: { type: 'threshold', tier: 'high' },
      actions: hook,
      route: { to: 'owner', roundRobin: ['ann@acme.example', 'bob@acme.example'], fallback: 'lead@acme.example' },
    },
    { name: `${subject} over 60`, subject, when: { type: 'threshold', score: 60 }, actions: hook, holdout: 0.1 },
    {
      name: `${subject} pricing`,
      subject,
      when: { type: 'signal', signal: 'pricing_page' },
      actions: hook,
      cap: { within: '24h', max: 1 },
    },
    {
      name: `${subject} demo while hot`,
      subject,
      when: { type: 'signal', signal: 'demo_requested', tiers: ['medium', 'high'] },
      actions: hook,
      stopWhen: { event: 'Signed Up' },
    },
    { name: `${subject} spike`, subject, when: { type: 'spike', points: 30 }, actions: hook },
    { name: `${subject} cooling below`, subject, when: { type: 'cooling', below: 40 }, actions: hook },
    { name: `${subject} cooling drop`, subject, when: { type: 'cooling', points: 15, days: 7 }, actions: hook },
    {
      name: `${subject} enterprise plan twice`,
      subject,
      when: { type: 'behavior', event: 'Pricing Plan Viewed', where: { plan: 'enterprise' }, times: 2, days: 7 },
      actions: hook,
      holdout: 0.2,
      stopWhen: { event: 'Demo Requested' },
    },
    {
      name: `${subject} pricing 3x, not high`,
      subject,
      when: { type: 'behavior', signal: 'pricing_page', times: 3, days: 14, notTier: 'high' },
      actions: hook,
      digest: { every: '1h' },
    },
  ]);
};

export async function benchRules(options: RulesBenchOptions): Promise<RulesBenchResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const receiver = await startReceiver();
  const load = forkTs(new URL('./load-process.ts', import.meta.url));
  const ingest = {
    events: options.events,
    warmupEvents: 2000,
    clients: options.clients,
    batchSize: 20,
    insertSample: 0,
    url: options.url,
    log,
  };
  const profiled = (phase: string) =>
    options.profileDir ? { ...ingest, profileDir: `${options.profileDir}/${phase}` } : ingest;
  try {
    const site = await createSite(db, 'bench rules site');
    const prepare: PrepareMessage = {
      type: 'prepare',
      url: '',
      writeKey: site.writeKey,
      clients: options.clients,
      batchSize: 20,
      phases: {
        warmup: { events: ingest.warmupEvents, seed: 7, idPrefix: 'w' },
        measured: { events: options.events, seed: 42, idPrefix: 'm' },
      },
    };
    load.send(prepare);
    await load.next('prepared', 120_000);
    const result: RulesBenchResult = {
      events: options.events,
      clients: options.clients,
      none: [],
      outbox: [],
      worker: [],
      twenty: [],
      firings: [],
      received: [],
    };
    const firings = async () => {
      const [row] = await db.query<{ n: number }>('select count(*)::int as n from firings where site_id = $1', [
        site.siteId,
      ]);
      return row?.n ?? 0;
    };
    for (let round = 0; round < options.rounds; round++) {
      await setRules(db, site.siteId, null);
      await resetEvents(db);
      log(`rules: none (round ${round + 1})`);
      result.none.push(await httpPhase(profiled(`none-${round + 1}`), db, load, true, site.siteId));
      await setRules(db, site.siteId, receiver.url);
      await resetEvents(db);
      log(`rules: 20, ingest-only collector (round ${round + 1})`);
      result.outbox.push(
        await httpPhase(
          { ...profiled(`outbox-${round + 1}`), collectorEnv: { INKLING_DELIVERY: 'off' } },
          db,
          load,
          true,
          site.siteId,
        ),
      );
      const outboxFirings = await firings();
      log(`rules: a delivery worker sends the outbox (round ${round + 1})`);
      result.worker.push(await drainWithWorker(db, options.url, receiver));

      await setRules(db, site.siteId, receiver.url);
      await resetEvents(db);
      log(`rules: 20, the collector delivering too (round ${round + 1})`);
      const receivedBefore = receiver.count();
      result.twenty.push(await httpPhase(profiled(`twenty-${round + 1}`), db, load, true, site.siteId));
      result.received.push(receiver.count() - receivedBefore);
      result.firings.push([outboxFirings, await firings()]);
    }
    return result;
  } finally {
    await load.stop(2000);
    await db.close();
    await receiver.close();
  }
}

/**
 * Starts `npm run inkling -- deliver` on the bench database and times it until the outbox
 * has nothing pending (every delivery sent; the digest rule's wait for their hourly digest).
 */
async function drainWithWorker(
  db: Database,
  url: string,
  receiver: { count: () => number },
): Promise<{ deliveries: number; ms: number; received: number }> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from deliveries where status = 'pending'`);
  const before = receiver.count();
  const started = performance.now();
  const worker = spawn(process.execPath, ['--import', 'tsx', 'collector/cli.ts', 'deliver'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, DATABASE_URL: url, INKLING_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      const [left] = await db.query<{ n: number }>(
        `select count(*)::int as n from deliveries where status = 'pending'`,
      );
      if ((left?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { deliveries: row?.n ?? 0, ms: performance.now() - started, received: receiver.count() - before };
  } finally {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
}

/**
 * A webhook endpoint on this machine that takes every POST at once (204), as a customer's
 * would: the rules' deliveries succeed, as they do in production, and are counted.
 */
async function startReceiver(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/inkling`,
    count: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** No rules, or the 20 posting to `url` (fresh, so nothing recorded by an earlier phase counts). */
async function setRules(db: Database, siteId: string, url: string | null): Promise<void> {
  for (const table of ['deliveries', 'firings', 'rule_subjects', 'rules']) {
    await db.query(`delete from ${table} where site_id = $1`, [siteId]);
  }
  if (url) for (const rule of benchRules20(url)) await insertRule(db, siteId, rule);
}
