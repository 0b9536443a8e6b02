import { createSite } from '../collector/sites.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase } from './database.ts';
import { generateBatchBodies } from './messages.ts';
import { fmt } from './report.ts';
import type { SoakMinute, SoakRun } from './soak-load.ts';

/**
 * Soak: one collector process (scoring on, real time) takes a steady rate of 10-event
 * batches for `minutes` from a load process. Every minute it prints the collector's RSS and
 * heap and that minute's accepted p99; the verdict compares the first minutes with the last.
 */

export interface SoakOptions {
  url: string;
  minutes: number;
  /** Events per second (sent as 10-event batches). */
  rate: number;
  log: (line: string) => void;
}

export interface SoakRow extends SoakMinute {
  rssMb: number;
  heapMb: number;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log' | 'url'>;
  rows: SoakRow[];
  verdict: string;
}

const BATCH = 10;
const MINUTE = 60_000;
const ID_PREFIX = 'soak';

export async function benchSoak(options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const collector = forkTs(new URL('./collector-process.ts', import.meta.url), {
    env: { BENCH_DATABASE_URL: options.url, BENCH_SCORING: 'on' },
  });
  const load = forkTs(new URL('./soak-load.ts', import.meta.url));
  try {
    const site = await createSite(db, 'soak bench');
    const { port } = await collector.next<{ type: 'ready'; port: number }>('ready', MINUTE);
    // 20,000 distinct events, sent round after round under new messageIds.
    const bodies = generateBatchBodies({ events: 20_000, batchSize: BATCH, seed: 11, idPrefix: ID_PREFIX }).map(
      (b) => `{"writeKey":${JSON.stringify(site.writeKey)},${b.slice(1)}`,
    );
    log(`${options.rate} events/s in ${BATCH}-event batches for ${options.minutes} min, scoring on`);
    const spec: SoakRun = {
      type: 'run',
      url: `http://127.0.0.1:${port}`,
      bodies,
      idPrefix: ID_PREFIX,
      requestsPerSecond: options.rate / BATCH,
      minutes: options.minutes,
      maxOpen: 256,
    };
    load.send(spec);
    const rows: SoakRow[] = [];
    while (rows.length < options.minutes) {
      const minute = await load.next<SoakMinute>('minute', 3 * MINUTE);
      collector.send({ type: 'memory' });
      const mem = await collector.next<{ type: 'memory'; rss: number; heapUsed: number }>('memory', MINUTE);
      const row = { ...minute, rssMb: mb(mem.rss), heapMb: mb(mem.heapUsed) };
      rows.push(row);
      log(
        `minute ${row.minute}: RSS ${row.rssMb} MB, heap ${row.heapMb} MB, accepted ${fmt(row.accepted)} ` +
          `p99 ${row.acceptedMs.p99} ms, failed ${row.failed}, skipped ${row.skipped}` +
          (row.failed ? ` (${failureText(row.failures)})` : ''),
      );
    }
    await load.next('done', MINUTE);
    rows.sort((a, b) => a.minute - b.minute);
    const { log: _l, url: _u, ...rest } = options;
    return { options: rest, rows, verdict: verdict(rows) };
  } finally {
    await load.stop(2000);
    await collector.stop();
    await db.close();
  }
}

function total(rows: readonly SoakRow[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [why, n] of Object.entries(row.failures)) sum[why] = (sum[why] ?? 0) + n;
  return sum;
}

function failureText(failures: Record<string, number>): string {
  return Object.entries(failures)
    .map(([why, n]) => `${why}: ${fmt(n)}`)
    .join(', ');
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/**
 * Growth: the last minutes against the first ones after the warm-up minute (a third of the
 * run each, at least one minute). "No growth" when the heap grew by at most 20 % (or 10 MB),
 * RSS by at most 20 % (or 20 MB) and p99 at most doubled (or stayed under 50 ms).
 */
export function verdict(rows: readonly SoakRow[]): string {
  const steady = rows.length > 2 ? rows.slice(1) : rows;
  const k = Math.max(1, Math.floor(steady.length / 3));
  const first = steady.slice(0, k);
  const last = steady.slice(-k);
  const avg = (xs: readonly SoakRow[], f: (r: SoakRow) => number) => xs.reduce((s, r) => s + f(r), 0) / xs.length;
  const heap = [avg(first, (r) => r.heapMb), avg(last, (r) => r.heapMb)] as const;
  const rss = [avg(first, (r) => r.rssMb), avg(last, (r) => r.rssMb)] as const;
  const p99 = [avg(first, (r) => r.acceptedMs.p99), avg(last, (r) => r.acceptedMs.p99)] as const;
  const grew = [
    heap[1] > Math.max(heap[0] * 1.2, heap[0] + 10) ? 'heap' : null,
    rss[1] > Math.max(rss[0] * 1.2, rss[0] + 20) ? 'RSS' : null,
    p99[1] > Math.max(p99[0] * 2, 50) ? 'p99' : null,
  ].filter((g) => g !== null);
  const span = `minutes ${first[0]?.minute}-${first.at(-1)?.minute} vs ${last[0]?.minute}-${last.at(-1)?.minute}`;
  const figures = `heap ${r1(heap[0])} -> ${r1(heap[1])} MB, RSS ${r1(rss[0])} -> ${r1(rss[1])} MB, p99 ${r1(p99[0])} -> ${r1(p99[1])} ms`;
  return `${grew.length ? `growth (${grew.join(', ')})` : 'no growth'}: ${span}, ${figures}`;
}

function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

export function soakMarkdown(r: SoakResult, command: string, date: Date): string {
  const failed = r.rows.reduce((s, x) => s + x.failed, 0);
  const skipped = r.rows.reduce((s, x) => s + x.skipped, 0);
  return [
    `\`${command}\`, ${date.toISOString().slice(0, 10)}: ${r.options.rate} events/s as ${BATCH}-event batches for`,
    `${r.options.minutes} min to one collector process (scoring on, real time) on PostgreSQL; the collector's`,
    'memory is read at the end of each minute, p99 is of the requests sent in that minute.',
    '',
    '| minute | RSS MB | heap MB | accepted | p50 ms | p99 ms | failed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.rows.map(
      (x) =>
        `| ${x.minute} | ${x.rssMb} | ${x.heapMb} | ${fmt(x.accepted)} | ${x.acceptedMs.p50} | ${x.acceptedMs.p99} | ${x.failed} |`,
    ),
    '',
    `Verdict: ${r.verdict}. Failed ${fmt(failed)}${failed ? ` (${failureText(total(r.rows))})` : ''}, not sent (256 requests already open) ${fmt(skipped)}.`,
  ].join('\n');
}
