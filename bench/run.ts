import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchCalibration, calibrationMarkdown } from './calibration.ts';
import { benchCollectors, collectorsMarkdown } from './collectors.ts';
import { benchDashboard, dashboardMarkdown } from './dashboard.ts';
import { DEFAULT_BENCH_DATABASE_URL } from './database.ts';
import { benchDelivery, deliveryMarkdown } from './delivery.ts';
import { benchIngest } from './ingest.ts';
import { benchLookup, lookupMarkdown } from './lookup.ts';
import { benchOverload, overloadMarkdown } from './overload.ts';
import { benchPartitions, partitionsMarkdown } from './partitions.ts';
import { benchPerEvent, perEventMarkdown } from './per-event.ts';
import { ingestMarkdown, machineFacts, updateSection } from './report.ts';
import { benchRescore, rescoreMarkdown } from './rescore.ts';
import { benchRules } from './rules.ts';
import { rulesMarkdown } from './rules-report.ts';
import { benchSoak, soakMarkdown } from './soak.ts';

/**
 * `npm run bench`: runs every benchmark against the real PostgreSQL named by
 * BENCH_DATABASE_URL (a database it drops and recreates), prints a markdown section per
 * benchmark and records it in docs/BENCHMARKS.md. Each benchmark lives in its own module
 * (`bench/ingest.ts`, `bench/rescore.ts`) and is one call here.
 *
 * Options: --events N, --clients N, --profile (V8 CPU profile of the collector process;
 * a profiled run is not recorded), --no-record, --only ingest|rules|rescore|lookup|overload|partitions|collectors|per-event|delivery|dashboard|calibration,
 * --rescore-people N (default 100000), --events-per-person N (default 10),
 * --per-event-samples N (default 21, at least 15), --rules-rounds N (rules, default 2),
 * --connections N (lookup, default 50), --round-seconds N (lookup, default 10),
 * --overload-connections N (default 1000), --overload-seconds N (default 20),
 * --partition-months N, --partition-events N (partitions, default 24 months, 300000 events),
 * --collector-events N, --collector-sites N (collectors: 1, 2 and 4 collector processes,
 * default 20000 events on 1 site),
 * --delivery-samples N, --delivery-burst N (delivery: firings one at a time, default 200, and a
 * burst, default 1000; on a database of its own, BENCH_DATABASE_URL's name + `_delivery`),
 * --dashboard-events N, --dashboard-accounts N, --dashboard-requests N (dashboard: the Today page,
 * default 1000000 events, 10000 accounts, 25 requests per route per round),
 * --minutes N, --rate N (soak, default 30 min at 100 events/s; only with --only soak: it is
 * not part of a plain `npm run bench`).
 */
const { values } = parseArgs({
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

const HELP = `npm run bench [-- options]: benchmarks on the PostgreSQL of BENCH_DATABASE_URL (dropped and recreated)
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

const DOC = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));
const INTRO = `# Benchmarks

Speed is checked by benchmarks, not by timed tests. Each figure is compared with a baseline
measured in the same run on the same machine, and each section says the command that
produced it. One \`##\` section per benchmark; \`npm run bench\` rewrites only the part between
its own markers.
`;

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const url = process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL;
  const args = process.argv.slice(2).join(' ');
  const command = `npm run bench${args ? ` -- ${args}` : ''}`;
  const profileDir = values.profile ? join(tmpdir(), `inkling-bench-profile-${Date.now()}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const record = !values.profile && !values['no-record'];
  const only = values.only;
  if (
    only &&
    ![
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
    ].includes(only)
  )
    throw new Error(
      '--only takes ingest, rules, rescore, lookup, overload, partitions, collectors, per-event, delivery, dashboard, calibration or soak',
    );
  const save = (heading: string, key: string, body: string) => {
    process.stdout.write(`\n## ${heading}\n\n${body}\n\n`);
    if (record) updateSection(DOC, { heading, key, body, intro: INTRO });
  };

  if (!only || only === 'ingest') {
    // Scoring off (issue 2's figure) and on (issue 4's), each in a fresh collector, then COPY.
    const ingest = await benchIngest({
      url,
      events: positive(values.events, 'events'),
      warmupEvents: 5000,
      clients: positive(values.clients, 'clients'),
      batchSize: 20,
      insertSample: 10_000,
      profileDir,
      log,
    });
    save('Ingest throughput', 'ingest', ingestMarkdown(ingest, await machineFacts(url), command, new Date()));
  }
  if (!only || only === 'rules') {
    // Ingest with 20 enabled rules against none (alerts evaluated in the scoring transactions).
    const result = await benchRules({
      url,
      events: 20_000,
      rounds: positive(values['rules-rounds'], 'rules-rounds'),
      clients: positive(values.clients, 'clients'),
      profileDir,
      log,
    });
    save('Ingest with alert rules', 'rules', rulesMarkdown(result, command, new Date()));
  }
  if (!only || only === 'rescore') {
    const result = await benchRescore({
      url,
      people: positive(values['rescore-people'], 'rescore-people'),
      eventsPerPerson: positive(values['events-per-person'], 'events-per-person'),
      log,
    });
    save('Rescoring people', 'rescore', rescoreMarkdown(result, command, new Date()));
  }

  if (!only || only === 'lookup') {
    const result = await benchLookup({
      url,
      visitors: 100_000,
      connections: positive(values.connections, 'connections'),
      roundMs: positive(values['round-seconds'], 'round-seconds') * 1000,
      freshnessSamples: 200,
      log,
    });
    save('Tier lookup', 'lookup', lookupMarkdown(result, command, new Date()));
  }

  if (!only || only === 'overload') {
    const result = await benchOverload({
      url,
      connections: positive(values['overload-connections'], 'overload-connections'),
      durationMs: positive(values['overload-seconds'], 'overload-seconds') * 1000,
      log,
    });
    save('Under overload', 'overload', overloadMarkdown(result, command, new Date()));
  }

  if (!only || only === 'partitions') {
    const result = await benchPartitions({
      url,
      months: positive(values['partition-months'], 'partition-months'),
      events: positive(values['partition-events'], 'partition-events'),
      visitors: 20_000,
      lookups: 1000,
      log,
    });
    save('Partitioned events', 'partitions', partitionsMarkdown(result, command, new Date()));
  }

  if (!only || only === 'collectors') {
    const result = await benchCollectors({
      url,
      events: positive(values['collector-events'], 'collector-events'),
      warmupEvents: 2000,
      clients: positive(values.clients, 'clients'),
      batchSize: 20,
      processes: [1, 2, 4],
      sites: positive(values['collector-sites'], 'collector-sites'),
      log,
    });
    save('Several collectors', 'collectors', collectorsMarkdown(result, command, new Date()));
  }

  if (!only || only === 'per-event') {
    const samples = positive(values['per-event-samples'], 'per-event-samples');
    if (samples < 15) throw new Error('--per-event-samples must be at least 15');
    const result = await benchPerEvent({ url, samples, log });
    save('Cost of one event vs history', 'per-event', perEventMarkdown(result, command, new Date()));
  }

  if (!only || only === 'delivery') {
    // A database of its own, so that it never drops one another benchmark is using.
    const own = new URL(url);
    own.pathname = `${own.pathname}_delivery`;
    const result = await benchDelivery({
      url: own.toString(),
      samples: positive(values['delivery-samples'], 'delivery-samples'),
      burst: positive(values['delivery-burst'], 'delivery-burst'),
      log,
    });
    save('Webhook delivery', 'delivery', deliveryMarkdown(result, command, new Date()));
  }

  if (!only || only === 'dashboard') {
    const result = await benchDashboard({
      url,
      events: positive(values['dashboard-events'], 'dashboard-events'),
      accounts: positive(values['dashboard-accounts'], 'dashboard-accounts'),
      peoplePerAccount: 5,
      requests: positive(values['dashboard-requests'], 'dashboard-requests'),
      log,
    });
    save('The dashboard: Today', 'dashboard', dashboardMarkdown(result, command, new Date()));
  }

  if (!only || only === 'calibration') {
    const result = await benchCalibration({
      url,
      persons: positive(values['calibration-persons'], 'calibration-persons'),
      events: positive(values['calibration-events'], 'calibration-events'),
      runs: 2,
      log,
    });
    save('Calibration report', 'calibration', calibrationMarkdown(result, command, new Date()));
  }

  if (only === 'soak') {
    const result = await benchSoak({
      url,
      minutes: positive(values.minutes, 'minutes'),
      rate: positive(values.rate, 'rate'),
      log,
    });
    save('Soak', 'soak', soakMarkdown(result, command, new Date()));
  }

  if (profileDir)
    log(`collector CPU profile in ${profileDir} (summarise: npx tsx bench/profile-summary.ts ${profileDir})`);
  log(record ? 'recorded in docs/BENCHMARKS.md' : 'not recorded in docs/BENCHMARKS.md');
}

function positive(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
