import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BENCH_DATABASE_URL } from './database.ts';
import { benchIngest } from './ingest.ts';
import { ingestMarkdown, machineFacts, updateSection } from './report.ts';

/**
 * `npm run bench`: runs every benchmark against the real PostgreSQL named by
 * BENCH_DATABASE_URL (a database it drops and recreates), prints a markdown table per
 * benchmark and records it in docs/BENCHMARKS.md. Each benchmark lives in its own module
 * (`bench/ingest.ts`, ...) and is one call here.
 *
 * Options: --events N, --clients N, --profile (V8 CPU profile of the collector process;
 * a profiled run is not recorded), --no-record.
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '16' },
    profile: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});

const DOC = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));
const INTRO = `# Benchmarks

Speed is checked by benchmarks, not by timed tests. Each figure is compared with a baseline
measured in the same run on the same machine, and each section says the command that
produced it. One \`##\` section per benchmark; \`npm run bench\` rewrites only the part between
its own markers.
`;

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL;
  const args = process.argv.slice(2).join(' ');
  const command = `npm run bench${args ? ` -- ${args}` : ''}`;
  const profileDir = values.profile ? join(tmpdir(), `inkling-bench-profile-${Date.now()}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

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
  const facts = await machineFacts(url);
  const body = ingestMarkdown(ingest, facts, command, new Date());
  process.stdout.write(`\n## Ingest throughput\n\n${body}\n\n`);

  if (profileDir)
    log(`collector CPU profile in ${profileDir} (summarise: npx tsx bench/profile-summary.ts ${profileDir})`);
  if (values.profile || values['no-record']) log('not recorded in docs/BENCHMARKS.md');
  else {
    updateSection(DOC, { heading: 'Ingest throughput', key: 'ingest', body, intro: INTRO });
    log('recorded in docs/BENCHMARKS.md');
  }
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
