import { loadavg } from 'node:os';
import type { Database } from '../collector/db/client.ts';
import { createSite } from '../collector/sites.ts';
import { checkPureScores, type ScoreMismatch } from '../test/helpers/pure-scores.ts';
import { type BenchChild, forkTs } from './child.ts';
import { countEvents, createBenchDatabase, resetEvents } from './database.ts';
import { admitAll } from './ingest.ts';
import type { PhaseResult, PrepareMessage } from './load-process.ts';
import { fmt } from './report.ts';
import { sampleWaits } from './waits.ts';

/**
 * Several collectors on one PostgreSQL: 1, 2, then 4 collector processes (the real app,
 * scoring on, as `npm start` runs it) share the same messages, client i of the load
 * generator sending to collector i mod N, so every person's and account's events reach
 * every collector at once. After each run (fresh tables): every message stored exactly
 * once, no event left unscored, every stored person and account score equal to the pure
 * model on all of that subject's stored events, and the pure scores of every subject equal
 * to the 1-process run's (the same identity graph and accounts).
 */

export interface CollectorsOptions {
  url: string;
  events: number;
  warmupEvents: number;
  clients: number;
  batchSize: number;
  processes: number[];
  /** Sites the batches are spread over (batch i to site i mod n). @default 1 */
  sites?: number;
  log: (line: string) => void;
}

export interface CollectorsRun {
  processes: number;
  events: number;
  ms: number;
  latencyMs: PhaseResult['latencyMs'];
  loadAverage: number;
  stored: number;
  distinct: number;
  unscored: number;
  persons: number;
  accounts: number;
  mismatches: ScoreMismatch[];
  /** Subjects whose pure score (or very existence) differs from the 1-process run's. */
  differFromOne: number;
  /** What the collectors' busy PostgreSQL backends were doing, sampled during the run: share of samples. */
  waits: [string, number][];
}

export interface CollectorsResult {
  options: Omit<CollectorsOptions, 'log' | 'url'>;
  runs: CollectorsRun[];
}

const MINUTE = 60_000;

export async function benchCollectors(options: CollectorsOptions): Promise<CollectorsResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const load = forkTs(new URL('./load-process.ts', import.meta.url));
  try {
    const sites = [];
    for (let i = 0; i < (options.sites ?? 1); i++) sites.push(await createSite(db, `collectors bench ${i + 1}`));
    const siteIds = sites.map((s) => s.siteId);
    const prepare: PrepareMessage = {
      type: 'prepare',
      url: '',
      writeKey: sites[0]?.writeKey as string,
      writeKeys: sites.map((s) => s.writeKey),
      clients: options.clients,
      batchSize: options.batchSize,
      phases: {
        warmup: { events: options.warmupEvents, seed: 7, idPrefix: 'w' },
        measured: { events: options.events, seed: 42, idPrefix: 'm' },
      },
    };
    log(`generating ${options.events + options.warmupEvents} messages in the load process...`);
    load.send(prepare);
    await load.next('prepared', 2 * MINUTE);
    // One time at which every run's pure scores are compared (the model is a pure function of it).
    const at = Date.now() + 10 * MINUTE;
    const runs: CollectorsRun[] = [];
    let one: Map<string, number> | undefined;
    for (const n of options.processes) {
      const run = await runWith(n, options, db, load, siteIds, at);
      one ??= run.pureAt;
      const keys = new Set([...one.keys(), ...run.pureAt.keys()]);
      const differFromOne = [...keys].filter((k) => one?.get(k) !== run.pureAt.get(k)).length;
      const { pureAt: _, ...rest } = run;
      runs.push({ ...rest, differFromOne });
      log(
        `${n} collector(s): ${fmt(run.events / (run.ms / 1000))} events/s, ${run.mismatches.length} stored scores unlike the pure model, ${differFromOne} subjects unlike 1 process`,
      );
    }
    const { log: _log, url: _url, ...rest } = options;
    return { options: rest, runs };
  } finally {
    await load.stop(2000);
    await db.close();
  }
}

async function runWith(
  n: number,
  options: CollectorsOptions,
  db: Database,
  load: BenchChild,
  siteIds: string[],
  at: number,
): Promise<Omit<CollectorsRun, 'differFromOne'> & { pureAt: Map<string, number> }> {
  const { log } = options;
  await resetAll(db);
  const collectors = Array.from({ length: n }, () =>
    forkTs(new URL('./collector-process.ts', import.meta.url), {
      env: { BENCH_DATABASE_URL: options.url, BENCH_SCORING: 'on', ...admitAll(options.clients) },
    }),
  );
  try {
    const urls: string[] = [];
    for (const c of collectors) {
      const { port } = await c.next<{ type: 'ready'; port: number }>('ready', MINUTE);
      urls.push(`http://127.0.0.1:${port}`);
    }
    log(`${n} collector(s): warm-up, ${options.warmupEvents} events`);
    await send(load, 'warmup', urls);
    await resetAll(db);
    log(`${n} collector(s): ${options.events} events, ${options.clients} clients spread over them`);
    const loadAverage = loadavg()[0] ?? 0;
    const sampler = sampleWaits(db, siteIds);
    const result = await send(load, 'measured', urls).finally(sampler.stop);
    // Stopping drains each collector: every answered request was committed before its answer.
    await Promise.all(collectors.map((c) => c.stop()));
    const { rows, distinct } = await countEvents(db);
    const [marks] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM unscored');
    log(`${n} collector(s): checking every score against the pure model`);
    const check = { persons: 0, accounts: 0, mismatches: [] as ScoreMismatch[], pureAt: new Map<string, number>() };
    for (const [i, siteId] of siteIds.entries()) {
      const one = await checkPureScores(db, siteId, at);
      check.persons += one.persons;
      check.accounts += one.accounts;
      check.mismatches.push(...one.mismatches);
      for (const [key, score] of one.pureAt) check.pureAt.set(`${i}:${key}`, score);
    }
    return {
      processes: n,
      events: result.accepted,
      ms: result.elapsedMs,
      latencyMs: result.latencyMs,
      loadAverage,
      stored: rows,
      distinct,
      unscored: marks?.n ?? 0,
      persons: check.persons,
      accounts: check.accounts,
      mismatches: check.mismatches,
      pureAt: check.pureAt,
      waits: sampler.shares(),
    };
  } finally {
    await Promise.all(collectors.map((c) => c.stop()));
  }
}

/** Sends one phase spread over the collectors; every message must be accepted. */
async function send(load: BenchChild, phase: string, urls: string[]): Promise<PhaseResult> {
  load.send({ type: 'run', phase, urls });
  const result = await load.next<PhaseResult>('result', 10 * MINUTE);
  if (result.failed > 0 || result.accepted !== result.sent) {
    throw new Error(
      `${phase}: ${result.failed} of ${result.requests} requests failed (${result.accepted}/${result.sent} accepted): ${result.failures.join(' | ')}`,
    );
  }
  return result;
}

async function resetAll(db: Database): Promise<void> {
  await db.query('TRUNCATE unscored, account_aliases');
  await resetEvents(db);
}

export function collectorsMarkdown(r: CollectorsResult, command: string, date: Date): string {
  const base = r.runs[0];
  const perSec = (run: CollectorsRun) => run.events / (run.ms / 1000);
  const lines = r.runs.map((run) => {
    const ok =
      run.stored === run.events && run.distinct === run.events && run.unscored === 0 && run.mismatches.length === 0;
    return `| ${run.processes} | ${fmt(run.events)} | ${(run.ms / 1000).toFixed(2)} | ${fmt(perSec(run))} | ${base ? (perSec(run) / perSec(base)).toFixed(2) : '-'}x | ${fmt(run.latencyMs.p50)} / ${fmt(run.latencyMs.p99)} | ${fmt(run.stored)} (${fmt(run.distinct)} distinct), ${fmt(run.unscored)} unscored | ${fmt(run.persons)} / ${fmt(run.accounts)} | ${run.mismatches.length} | ${run.differFromOne} | ${ok ? 'yes' : '**no**'} | ${run.loadAverage.toFixed(1)} |`;
  });
  const bad = r.runs.flatMap((run) => run.mismatches.slice(0, 3).map((m) => ({ ...m, processes: run.processes })));
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\`.`,
    '',
    `Load: the ingest benchmark's messages (${fmt(r.options.events)} page/track/identify messages after ${fmt(r.options.warmupEvents)} warm-up, batches of ${r.options.batchSize}, 2,000 visitors of whom a third identify, work emails at 150 company domains, so many persons share an account${(r.options.sites ?? 1) > 1 ? `; batch i goes to site i mod ${r.options.sites}, so a visitor is a different person in each site` : ', one site'}) from ${r.options.clients} keep-alive clients; client i sends to collector i mod N, so each person's and account's events reach several collectors at the same time. Each collector is its own process (the real app, scoring on, default pool of 10 connections), all on the one PostgreSQL, fresh tables for each N. After each run the collectors are drained and stopped, then: stored rows against messages sent, unscored marks left, every person's and account's stored score against the pure model (\`scorePerson\` / \`scoreAccount\` from \`shared/scoring\`) on all of that subject's stored events at the time the score was written, and every subject's pure score at one common time against the 1-process run's.`,
    '',
    '| Collectors | Events | Seconds | Events/s | vs 1 | p50 / p99 ms | Stored rows | Persons / accounts | Scores unlike the pure model | Subjects unlike 1 process | All equal | Load avg |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |',
    ...lines,
    '',
    "What the collectors' busy PostgreSQL backends were waiting for (samples every 100 ms during the run, `bench/waits.ts`; `CPU` = running, `site identity lock` = the site's identity lock of `identity/locks.ts` (the message-by-message identity path and erasure), `anonymous id locks` = the locks of the anonymous ids being created or inserted (`identity/locks.ts`), `person/account score locks` = the advisory locks of the subjects being rescored, `IO/WALSync` = a commit's flush):",
    '',
    ...r.runs.map(
      (run) =>
        `- ${run.processes} collector(s): ${run.waits.map(([w, share]) => `${w} ${Math.round(share * 100)} %`).join(', ')}`,
    ),
    ...(bad.length > 0
      ? [
          '',
          'First mismatches:',
          ...bad.map((m) => `- ${m.processes} collectors: ${m.kind} ${m.id} stored ${m.stored}, pure ${m.pure}`),
        ]
      : []),
  ].join('\n');
}
