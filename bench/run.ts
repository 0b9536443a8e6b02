import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCalibration, calibrationMarkdown } from './calibration.ts';
import { benchCollectors, collectorsMarkdown } from './collectors.ts';
import { benchDashboard, dashboardMarkdown } from './dashboard.ts';
import { DEFAULT_BENCH_DATABASE_URL } from './database.ts';
import { benchDelivery, deliveryMarkdown } from './delivery.ts';
import { benchIngest } from './ingest.ts';
import { benchLookup, lookupMarkdown } from './lookup.ts';
import { BENCHMARKS, HELP, positive, values } from './options.ts';
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
 * Options: `npm run bench -- --help` (bench/options.ts).
 */
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
  if (only && !(BENCHMARKS as readonly string[]).includes(only))
    throw new Error(`--only takes ${BENCHMARKS.join(', ')}`);
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

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
