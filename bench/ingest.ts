import { cpus, loadavg } from 'node:os';
import type { Database } from '../collector/db/client.ts';
import { createSite } from '../collector/sites.ts';
import { copyRows, insertRowByRow, readStoredRows, writeRowsDirectly } from './baselines.ts';
import { type BenchChild, forkTs } from './child.ts';
import { countDerived, countEvents, createBenchDatabase, resetEvents } from './database.ts';
import type { PhaseResult, PrepareMessage } from './load-process.ts';
import { sampleWaits } from './waits.ts';

/**
 * Ingest throughput: realistic batches through the real collector over HTTP, once with
 * identity and real-time scoring off and once on (the same messages, each in a fresh
 * collector process), then, on the very rows it stored, PostgreSQL's COPY (the ceiling),
 * the collector's writer without HTTP, and single-row INSERTs. Every phase starts from
 * empty tables and is verified by counting rows.
 */

export interface IngestOptions {
  url: string;
  events: number;
  warmupEvents: number;
  clients: number;
  batchSize: number;
  /** Rows for the single-row INSERT baseline (it is slow, so a sample). */
  insertSample: number;
  /** Where the collector process writes a V8 CPU profile; undefined = no profiling. */
  profileDir?: string;
  /** More environment for the collector process (`INKLING_DELIVERY=off`). */
  collectorEnv?: Record<string, string>;
  log: (line: string) => void;
}

export interface Measured {
  name: string;
  events: number;
  ms: number;
  eventsPerSec: number;
}

/** One collector process's measured HTTP phase. */
export type HttpMeasured = Measured & {
  scoring: boolean;
  requests: number;
  latencyMs: PhaseResult['latencyMs'];
  /**
   * CPU during the measured phase: each process's time as a share of one core, and the
   * whole machine's busy share of all its cores (PostgreSQL included).
   */
  cpu: { collector: number; loadGenerator: number; machineBusy: number; cores: number; loadAverage: number };
  /** What identity and scoring had produced when the phase ended. */
  derived: Awaited<ReturnType<typeof countDerived>>;
  /** What the collector's busy PostgreSQL backends waited for during the phase (`bench/waits.ts`). */
  waits: [string, number][];
};

export interface IngestResult {
  options: Omit<IngestOptions, 'log' | 'url'>;
  meanBodyBytes: number;
  /** Scoring on (the product's default), then off: same messages, fresh tables, fresh process. */
  scoringOn: HttpMeasured;
  scoringOff: HttpMeasured;
  writer: Measured;
  /** COPY of the same rows right after the scoring-off phase (its ceiling) and after scoring on. */
  copyAfterOff: Measured;
  copy: Measured;
  insert: Measured;
}

const MINUTE = 60_000;

export async function benchIngest(options: IngestOptions): Promise<IngestResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const load = forkTs(new URL('./load-process.ts', import.meta.url));
  try {
    const site = await createSite(db, 'bench site');
    const prepare: PrepareMessage = {
      type: 'prepare',
      url: '',
      writeKey: site.writeKey,
      clients: options.clients,
      batchSize: options.batchSize,
      phases: {
        warmup: { events: options.warmupEvents, seed: 7, idPrefix: 'w' },
        measured: { events: options.events, seed: 42, idPrefix: 'm' },
      },
    };
    log(`generating ${options.events + options.warmupEvents} messages in the load process...`);
    load.send(prepare);
    const { meanBodyBytes } = await load.next<{ type: 'prepared'; meanBodyBytes: number }>('prepared', 2 * MINUTE);

    // Off first, then on. COPY runs right after each HTTP phase (three times, the median) and
    // each phase is compared with its own: other work on a shared machine comes and goes.
    const scoringOff = await httpPhase(options, db, load, false, site.siteId);
    log('reading back the stored rows');
    const stored = await readStoredRows(options.url);
    const n = stored.rows.length;
    const copyAfterOff = await copyMedian(options, db, stored.copyText, n, 'scoring off');

    log(`collector writer without HTTP: ${n} rows`);
    await resetEvents(db);
    const writerMs = await writeRowsDirectly(db, stored.rows, {
      clients: options.clients,
      batchSize: options.batchSize,
    });
    await expectRows(db, n, 'writer');

    const sample = stored.rows.slice(0, Math.min(options.insertSample, n));
    log(`single-row INSERT: ${sample.length} rows, ${options.clients} connections`);
    await resetEvents(db);
    const insertMs = await insertRowByRow(options.url, sample, options.clients);
    await expectRows(db, sample.length, 'INSERT');

    await resetEvents(db);
    const scoringOn = await httpPhase(options, db, load, true, site.siteId);
    await load.stop();
    const copyAfterOn = await copyMedian(options, db, stored.copyText, n, 'scoring on');

    const { log: _log, url: _url, ...rest } = options;
    return {
      options: rest,
      meanBodyBytes,
      scoringOn,
      scoringOff,
      writer: measured('Collector writer only (no HTTP, parsing, validation, enrichment, scoring)', n, writerMs),
      copyAfterOff,
      copy: copyAfterOn,
      insert: measured('Single-row `INSERT` per event (prepared, autocommit)', sample.length, insertMs),
    };
  } finally {
    await load.stop(2000);
    await db.close();
  }
}

/**
 * A fresh collector process (scoring on or off) on empty tables: warm-up, reset, then the
 * measured messages. The process is stopped before this returns.
 */
export async function httpPhase(
  options: IngestOptions,
  db: Database,
  load: BenchChild,
  scoring: boolean,
  siteId: string,
): Promise<HttpMeasured> {
  const { log } = options;
  const label = scoring ? 'on' : 'off';
  const profileDir = options.profileDir ? `${options.profileDir}/scoring-${label}` : undefined;
  const collector = forkTs(new URL('./collector-process.ts', import.meta.url), {
    env: {
      BENCH_DATABASE_URL: options.url,
      BENCH_SCORING: label,
      ...admitAll(options.clients),
      ...options.collectorEnv,
    },
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  try {
    const { port } = await collector.next<{ type: 'ready'; port: number }>('ready', MINUTE);
    const url = `http://127.0.0.1:${port}`;
    log(`scoring ${label}: warm-up, ${options.warmupEvents} events`);
    await runPhase(load, db, 'warmup', url);
    // Statistics of tables as the warm-up filled them (what autovacuum keeps on a running
    // collector; the truncation keeps them): without any, the planner read a person's
    // events by scanning the site's month (about 120 ms for 12 people instead of 5).
    await db.query('analyze');
    await resetEvents(db);

    log(
      `scoring ${label}: collector over HTTP, ${options.events} events, ${options.clients} clients, batches of ${options.batchSize}`,
    );
    const cpu0 = await collectorCpu(collector);
    const loadAverage = loadavg()[0] ?? 0;
    const machine0 = machineTimes();
    const sampler = sampleWaits(db, [siteId]);
    const result = await runPhase(load, db, 'measured', url).finally(sampler.stop);
    const machine1 = machineTimes();
    const cpu1 = await collectorCpu(collector);
    const wall = result.elapsedMs;
    const derived = await countDerived(db);
    if (scoring && derived.personScores === 0) throw new Error('scoring on stored no person scores');
    if (!scoring && derived.persons + derived.personScores > 0) throw new Error('scoring off still resolved identity');
    options.log(
      `scoring ${label}: ${result.accepted} events in ${(wall / 1000).toFixed(1)} s = ${Math.round(result.accepted / (wall / 1000))} events/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${derived.personScores} person scores`,
    );
    return {
      ...measured(`Collector, HTTP \`POST /v1/batch\`, scoring **${label}**`, result.accepted, wall),
      scoring,
      requests: result.requests,
      latencyMs: result.latencyMs,
      cpu: {
        collector: (cpu1 - cpu0) / wall,
        loadGenerator: result.cpuMs / wall,
        machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
        cores: cpus().length,
        loadAverage,
      },
      derived,
      waits: sampler.shares(),
    };
  } finally {
    await collector.stop();
  }
}

/**
 * The collector's environment for a throughput phase: its in-flight bound admits every
 * client from the first request on and never shrinks (a target latency of 10 minutes).
 * This benchmark measures storing and scoring; shedding load is `bench/overload.ts`'s.
 */
export function admitAll(clients: number): NodeJS.ProcessEnv {
  const bound = String(Math.max(clients, 64));
  return {
    INKLING_MAX_INFLIGHT_REQUESTS: bound,
    INKLING_INITIAL_INFLIGHT_REQUESTS: bound,
    INKLING_TARGET_LATENCY_MS: '600000',
  };
}

/** COPY of every stored row into emptied tables, three times: the median, with the range in its name. */
async function copyMedian(
  options: IngestOptions,
  db: Database,
  copyText: Buffer[],
  n: number,
  after: string,
): Promise<Measured> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    options.log(`COPY after ${after}: ${n} rows (${i + 1} of 3)`);
    await resetEvents(db);
    times.push(await copyRows(options.url, copyText));
    await expectRows(db, n, 'COPY');
  }
  times.sort((a, b) => a - b);
  const range = `${((times[0] ?? 0) / 1000).toFixed(2)}-${((times[2] ?? 0) / 1000).toFixed(2)} s`;
  return measured(
    `PostgreSQL \`COPY events FROM STDIN\` right after scoring ${after.split(' ')[1]} (median of 3, ${range})`,
    n,
    times[1] ?? 0,
  );
}

/** Sends one phase and checks that every message was accepted and stored exactly once. */
async function runPhase(load: BenchChild, db: Database, phase: string, url: string): Promise<PhaseResult> {
  load.send({ type: 'run', phase, url });
  const result = await load.next<PhaseResult>('result', 5 * MINUTE);
  if (result.failed > 0 || result.accepted !== result.sent) {
    throw new Error(
      `${phase}: ${result.failed} of ${result.requests} requests failed (${result.accepted}/${result.sent} accepted): ${result.failures.join(' | ')}`,
    );
  }
  await expectRows(db, result.sent, phase);
  return result;
}

async function expectRows(db: Database, expected: number, what: string): Promise<void> {
  const { rows, distinct } = await countEvents(db);
  if (rows !== expected || distinct !== expected) {
    throw new Error(
      `${what}: expected ${expected} stored events, found ${rows} rows (${distinct} distinct messageIds)`,
    );
  }
}

function measured(name: string, events: number, ms: number): Measured {
  return { name, events, ms, eventsPerSec: events / (ms / 1000) };
}

async function collectorCpu(collector: BenchChild): Promise<number> {
  collector.send({ type: 'cpu' });
  const { usage } = await collector.next<{ type: 'cpu'; usage: NodeJS.CpuUsage }>('cpu', MINUTE);
  return (usage.user + usage.system) / 1000;
}

/** Whole-machine CPU times (ms), summed over cores: PostgreSQL's share is in here too. */
function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}
