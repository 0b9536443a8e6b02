import { loadavg } from 'node:os';
import { ensureEventPartitions, listEventPartitions } from '../collector/db/partitions.ts';
import { createSite } from '../collector/sites.ts';
import { createBenchDatabase } from './database.ts';
import { fmt } from './report.ts';

/**
 * What monthly partitions cost a read of one visitor's events (the query shape of
 * `scoring/device.ts` and of the person loads: by `(site_id, anonymous_id)`, which no
 * partition bound narrows), against an unpartitioned copy of the very same rows in the same
 * run, and what bounding the read by `received_at` (a parameter: the planner prunes) wins
 * back. Also times the maintenance job moving a DEFAULT partition full of rows into months.
 */
export interface PartitionsOptions {
  url: string;
  /** Months of history, so about that many monthly partitions. */
  months: number;
  events: number;
  visitors: number;
  /** Reads per path per round (three rounds, the paths alternating). */
  lookups: number;
  log: (line: string) => void;
}

export interface PartitionsResult {
  months: number;
  events: number;
  visitors: number;
  partitions: number;
  moveMs: number;
  /** Milliseconds per read, the median round of each path. */
  flatMs: number;
  partedMs: number;
  flatBoundedMs: number;
  partedBoundedMs: number;
  /** Rows a bounded read returns, and an unbounded one (all rounds). */
  boundedRows: number;
  rows: number;
  loadAverage: number;
}

const DAY_MS = 86_400_000;
/** The bound of the bounded reads: about the scoring horizon. */
const BOUND_DAYS = 200;

export async function benchPartitions(options: PartitionsOptions): Promise<PartitionsResult> {
  const { log, months, events, visitors, lookups } = options;
  const db = await createBenchDatabase(options.url);
  try {
    const loadAverage = loadavg()[0] ?? 0;
    const site = await createSite(db, 'partitions bench');
    const now = new Date();
    log(`seeding ${events} events of ${visitors} visitors over ${months} months (they land in the default partition)`);
    await db.query(
      `insert into events (site_id, received_at, message_id, type, anonymous_id, "timestamp", properties,
         traits, context, is_bot)
       select $1, t, 'seed-' || g, 'page', 'anon_' || (g % $3::int), t, '{"path": "/pricing"}', '{}', '{}', false
       from generate_series(1, $2::int) g,
            lateral (select $4::timestamptz - ((g::bigint * 7919) % ($5::int * 30 * 24)) * interval '1 hour' as t) at`,
      [site.siteId, events, visitors, now.toISOString(), months],
    );
    log('making the monthly partitions (the maintenance job moves the rows out of the default partition)');
    const t0 = performance.now();
    await ensureEventPartitions(db, now);
    const moveMs = performance.now() - t0;
    const partitions = (await listEventPartitions(db)).length;
    log('copying the rows into an unpartitioned table with the same indexes (the baseline)');
    await db.query('create table events_flat (like events including all)');
    await db.query('insert into events_flat overriding system value select * from events');
    await db.query('analyze events');
    await db.query('analyze events_flat');

    const since = new Date(now.getTime() - BOUND_DAYS * DAY_MS);
    const read = async (table: string, bounded: boolean) => {
      let rows = 0;
      const started = performance.now();
      for (let i = 0; i < lookups; i++) {
        const params: unknown[] = [site.siteId, `anon_${(i * 7919) % visitors}`];
        if (bounded) params.push(since);
        const found = await db.query(
          `select id, "timestamp", type, path from ${table} where site_id = $1 and anonymous_id = $2
           ${bounded ? 'and received_at >= $3' : ''} order by "timestamp", id`,
          params,
        );
        rows += found.length;
      }
      return { ms: (performance.now() - started) / lookups, rows };
    };
    const paths = {
      flat: ['events_flat', false],
      parted: ['events', false],
      flatBounded: ['events_flat', true],
      partedBounded: ['events', true],
    } as const;
    const samples: Record<keyof typeof paths, number[]> = { flat: [], parted: [], flatBounded: [], partedBounded: [] };
    let rows = 0;
    let boundedRows = 0;
    for (let round = 1; round <= 3; round++) {
      log(`reads, round ${round} of 3`);
      for (const [name, [table, bounded]] of Object.entries(paths) as [keyof typeof paths, (typeof paths)['flat']][]) {
        const r = await read(table, bounded);
        samples[name].push(r.ms);
        if (name === 'parted') rows += r.rows;
        if (name === 'partedBounded') boundedRows += r.rows;
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    return {
      months,
      events,
      visitors,
      partitions,
      moveMs,
      flatMs: median(samples.flat),
      partedMs: median(samples.parted),
      flatBoundedMs: median(samples.flatBounded),
      partedBoundedMs: median(samples.partedBounded),
      rows,
      boundedRows,
      loadAverage,
    };
  } finally {
    await db.close();
  }
}

export function partitionsMarkdown(r: PartitionsResult, command: string, date: Date): string {
  const ms = (x: number) => x.toFixed(3);
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\` (1-minute load average at the start: ${r.loadAverage.toFixed(1)}; the machine is shared, so only the ratios of this one run mean anything).`,
    '',
    `${fmt(r.events)} page events of ${fmt(r.visitors)} visitors received over ${r.months} months, stored in \`events\` (${r.partitions} monthly partitions and the default one) and copied into an unpartitioned table with the same indexes. The maintenance job made the monthly partitions and moved the rows out of the default partition in ${(r.moveMs / 1000).toFixed(1)} s. Each read fetches one visitor's events by \`(site_id, anonymous_id)\`; bounded reads add \`received_at >= $3\` (${BOUND_DAYS} days back, a parameter, so the planner keeps only the partitions it can reach). Median of 3 rounds, the paths alternating.`,
    '',
    '| Read | ms per read | vs unpartitioned |',
    '| --- | ---: | ---: |',
    `| unpartitioned, whole history | ${ms(r.flatMs)} | 1x |`,
    `| partitioned, whole history | ${ms(r.partedMs)} | ${(r.partedMs / r.flatMs).toFixed(1)}x |`,
    `| unpartitioned, last ${BOUND_DAYS} days | ${ms(r.flatBoundedMs)} | ${(r.flatBoundedMs / r.flatMs).toFixed(1)}x |`,
    `| partitioned, last ${BOUND_DAYS} days | ${ms(r.partedBoundedMs)} | ${(r.partedBoundedMs / r.flatMs).toFixed(1)}x (${(r.partedBoundedMs / r.flatBoundedMs).toFixed(1)}x the unpartitioned bounded read) |`,
    '',
    `A read of the whole history visits every partition's index (${fmt(r.rows)} rows over the 3 rounds); a bounded one only the partitions of its months (${fmt(r.boundedRows)} rows). So the reads of scoring and of the Sales API should bound \`received_at\` by a parameter wherever they can: an event dated \`timestamp >= T\` was received at \`received_at >= T - 5 minutes\` (ingest replaces later timestamps), so the scoring horizon gives the bound exactly.`,
  ].join('\n');
}
