import { DEFAULT_LIMITS } from '../collector/config.ts';
import { createSite } from '../collector/sites.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase } from './database.ts';
import { generateBatchBodies } from './messages.ts';
import type { OverloadResult, OverloadRun } from './overload-load.ts';
import { fmt } from './report.ts';

/**
 * Overload: `connections` concurrent keep-alive connections post batches to one collector
 * process (scoring on, the shipped limits except the per-address rate limit, which would
 * otherwise shed everything from the one load address) for `durationMs`. Measures the
 * collector's peak RSS, the accepted requests' latency and how many were shed with 429.
 */

export interface OverloadOptions {
  url: string;
  connections: number;
  durationMs: number;
  log: (line: string) => void;
}

export interface OverloadBenchResult {
  options: Omit<OverloadOptions, 'log' | 'url'>;
  load: OverloadResult;
  /** The collector process's peak resident set size, MB (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  idleRssMb: number;
}

const MINUTE = 60_000;
const BATCH = 10;

export async function benchOverload(options: OverloadOptions): Promise<OverloadBenchResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const collector = forkTs(new URL('./collector-process.ts', import.meta.url), {
    env: { BENCH_DATABASE_URL: options.url, BENCH_SCORING: 'on', INKLING_RATE_LIMIT_PER_ADDRESS: '0' },
  });
  const load = forkTs(new URL('./overload-load.ts', import.meta.url));
  try {
    const site = await createSite(db, 'overload bench');
    const { port } = await collector.next<{ type: 'ready'; port: number }>('ready', MINUTE);
    const bodies = generateBatchBodies({ events: 100_000, batchSize: BATCH, seed: 7, idPrefix: 'ovl' }).map(
      (b) => `{"writeKey":${JSON.stringify(site.writeKey)},${b.slice(1)}`,
    );
    collector.send({ type: 'rss' });
    const idle = await collector.next<{ type: 'rss'; maxRss: number }>('rss', MINUTE);
    log(`${options.connections} connections posting ${BATCH}-event batches for ${options.durationMs} ms`);
    const spec: OverloadRun = {
      type: 'run',
      url: `http://127.0.0.1:${port}`,
      bodies,
      connections: options.connections,
      durationMs: options.durationMs,
      shedPauseMs: 250,
    };
    load.send(spec);
    const result = await load.next<OverloadResult>('result', options.durationMs + 2 * MINUTE);
    collector.send({ type: 'rss' });
    const peak = await collector.next<{ type: 'rss'; maxRss: number }>('rss', MINUTE);
    const { log: _l, url: _u, ...rest } = options;
    return {
      options: rest,
      load: result,
      peakRssMb: Math.round(peak.maxRss / 1024),
      idleRssMb: Math.round(idle.maxRss / 1024),
    };
  } finally {
    await load.stop(2000);
    await collector.stop();
    await db.close();
  }
}

export function overloadMarkdown(r: OverloadBenchResult, command: string, date: Date): string {
  const seconds = r.load.elapsedMs / 1000;
  const l = DEFAULT_LIMITS;
  return [
    `\`${command}\`, ${date.toISOString().slice(0, 10)}: ${r.options.connections} concurrent keep-alive connections`,
    `for ${Math.round(seconds)} s, each posting ${BATCH}-event batches to one collector process (scoring on) on`,
    `PostgreSQL; a client answered 429 waits 250 ms and posts again. The shipped limits: at most ${l.maxInflightRequests}`,
    `ingest requests in flight (fewer while storing a batch takes over ${fmt(l.targetLatencyMs)} ms), ${l.maxInflightBytes / 1024 / 1024} MiB in flight,`,
    `${fmt(l.maxPendingRows)} queued rows, ${fmt(l.ratePerKey)} requests/s per write key; the per-address limit is off`,
    '(every client is 127.0.0.1).',
    '',
    '| measure | value |',
    '| --- | --- |',
    `| collector peak RSS | ${r.peakRssMb} MB (${r.idleRssMb} MB before the load) |`,
    `| accepted (200) | ${fmt(r.load.accepted)} requests, ${fmt(r.load.accepted / seconds)}/s |`,
    `| accepted latency p50 / p99 / max | ${r.load.acceptedMs.p50} / ${r.load.acceptedMs.p99} / ${r.load.acceptedMs.max} ms |`,
    `| shed (429) | ${fmt(r.load.shed)} requests; p99 ${r.load.shedMs.p99} ms to the answer |`,
    `| other answers | ${fmt(r.load.failed)}${r.load.failures.length ? ` (${r.load.failures.join('; ')})` : ''} |`,
  ].join('\n');
}
