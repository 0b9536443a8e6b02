import { parseArgs } from 'node:util';

/** `npm run bench`'s options (bench/run.ts), with their defaults and the help text. */

/** What `--only` takes: one benchmark (soak runs only this way). */
export const BENCHMARKS = [
  'ingest',
  'rules',
  'rescore',
  'lookup',
  'overload',
  'partitions',
  'collectors',
  'per-event',
  'delivery',
  'dashboard',
  'calibration',
  'soak',
] as const;

export const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '16' },
    profile: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    only: { type: 'string' },
    'rescore-people': { type: 'string', default: '100000' },
    'events-per-person': { type: 'string', default: '10' },
    'per-event-samples': { type: 'string', default: '21' },
    'rules-rounds': { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'round-seconds': { type: 'string', default: '10' },
    'overload-connections': { type: 'string', default: '1000' },
    'overload-seconds': { type: 'string', default: '20' },
    'partition-months': { type: 'string', default: '24' },
    'partition-events': { type: 'string', default: '300000' },
    'collector-events': { type: 'string', default: '20000' },
    'collector-sites': { type: 'string', default: '1' },
    'delivery-samples': { type: 'string', default: '200' },
    'delivery-burst': { type: 'string', default: '1000' },
    'dashboard-events': { type: 'string', default: '1000000' },
    'dashboard-accounts': { type: 'string', default: '10000' },
    'dashboard-requests': { type: 'string', default: '25' },
    'calibration-persons': { type: 'string', default: '100000' },
    'calibration-events': { type: 'string', default: '1000000' },
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '100' },
    help: { type: 'boolean', default: false },
  },
});

export const HELP = `npm run bench [-- options]: benchmarks on the PostgreSQL of BENCH_DATABASE_URL (dropped and recreated)
  --only ingest|rules|rescore|lookup|overload|partitions|collectors|per-event|delivery|dashboard|calibration   one benchmark
  --per-event-samples N          per-event: single-event batches per subject (default 21, >= 15)
  --events N, --clients N        ingest (default 100000, 16)
  --rules-rounds N               rules: rounds of none / 20 ingest-only / 20 delivering (default 2)
  --rescore-people N, --events-per-person N   rescore (default 100000, 10)
  --connections N, --round-seconds N          lookup (default 50, 10)
  --overload-connections N, --overload-seconds N   overload (default 1000, 20)
  --partition-months N, --partition-events N   partitions (default 24, 300000)
  --collector-events N, --collector-sites N   collectors: 1, 2 and 4 collector processes (default 20000 events, 1 site)
  --delivery-samples N, --delivery-burst N    delivery: outbox vs direct POST (default 200, 1000)
  --dashboard-events N, --dashboard-accounts N, --dashboard-requests N   dashboard: Today (default 1000000, 10000, 25)
  --calibration-persons N, --calibration-events N   calibration: GET /v1/calibration (default 100000, 1000000)
  --only soak --minutes N --rate N   soak: N events/s for N minutes (default 30, 100; only with --only)
  --profile                      V8 CPU profile of the collector process (not recorded)
  --no-record                    do not update docs/BENCHMARKS.md
`;

/** The option `name`'s value as a positive integer, or a clear error. */
export function positive(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}
