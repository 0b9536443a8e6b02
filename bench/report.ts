import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import postgres from 'postgres';
import type { HttpMeasured, IngestResult, Measured } from './ingest.ts';

/** Machine and server facts printed with every result, so figures can be compared. */
export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: string;
}

export async function machineFacts(url: string): Promise<MachineFacts> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [v] = await sql`SELECT current_setting('server_version') AS version`;
    const settings = await sql`
      SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_level', 'max_wal_size')
      ORDER BY name`;
    return {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: String(v?.version),
      postgresSettings: settings.map((s) => `${s.name}=${s.setting}${s.unit ? ` ${s.unit}` : ''}`).join(', '),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const pct = (n: number) => `${Math.round(n * 100)} %`;

/** The ingest section of docs/BENCHMARKS.md (also printed to the terminal). */
export function ingestMarkdown(r: IngestResult, facts: MachineFacts, command: string, date: Date): string {
  // Each path against the COPY measured right after its own phase (the writer and INSERT
  // follow the scoring-off phase).
  const ceiling = r.copy.eventsPerSec;
  const offCeiling = r.copyAfterOff.eventsPerSec;
  const row = (m: Measured, copy: number) =>
    `| ${m.name} | ${fmt(m.events)} | ${(m.ms / 1000).toFixed(2)} | ${fmt(m.eventsPerSec)} | ${pct(m.eventsPerSec / copy)} |`;
  const on = r.scoringOn;
  const off = r.scoringOff;
  const o = r.options;
  const d = on.derived;
  const phaseFacts = (c: HttpMeasured) => [
    `- Scoring ${c.scoring ? 'on' : 'off'}: request latency (batch of ${o.batchSize}) p50 ${c.latencyMs.p50} ms, ` +
      `p95 ${c.latencyMs.p95} ms, p99 ${c.latencyMs.p99} ms, max ${c.latencyMs.max} ms. CPU: collector process ` +
      `${pct(c.cpu.collector)} of one core, load generator ${pct(c.cpu.loadGenerator)} of one core, whole machine ` +
      `${pct(c.cpu.machineBusy)} busy of ${c.cpu.cores} cores (the rest is PostgreSQL and anything else running). ` +
      `1-minute load average when the phase began: ${c.cpu.loadAverage.toFixed(1)}. Its busy PostgreSQL ` +
      `backends (samples every 100 ms): ${c.waits.map(([w, share]) => `${w} ${pct(share)}`).join(', ')}.`,
  ];
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\`.`,
    '',
    machineLine(facts),
    '',
    `Load: ${fmt(o.events)} page/track/identify messages (after ${fmt(o.warmupEvents)} warm-up) in batches of ` +
      `${o.batchSize}, mean body ${fmt(r.meanBodyBytes)} bytes, from ${o.clients} concurrent keep-alive clients ` +
      'in a separate load-generator process: 2,000 visitors (anonymous ids), a third of whom identify with a ' +
      'stable userId and email (80 % work emails at 150 company domains), pages that hit signals (`/pricing`, ' +
      '`/blog/...`, `/case-studies/...`, `/customers/...`, `/careers`, `/demo`, ...). The collector runs in its own ' +
      'process (the real app, `@hono/node-server`, no access log, no periodic rescore timer) and PostgreSQL in its own. ' +
      'The same messages are sent twice, each time to a fresh collector process on empty tables: scoring off ' +
      '(`createCollector({ scoring: false })`: events stored only) then scoring on (the default: identity ' +
      'resolution and the affected person and account scores recomputed before each answer). Every phase is ' +
      'verified by counting the stored rows. The baselines reuse the rows the collector stored. COPY runs three ' +
      'times right after each HTTP phase (the median counts) and each phase is compared with its own, so that ' +
      'both see the same machine; the writer alone and the single-row INSERTs follow the scoring-off COPY.',
    '',
    '| Path | Events | Seconds | Events/s | vs COPY |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(on, ceiling),
    row(r.copy, ceiling),
    row(off, offCeiling),
    row(r.writer, offCeiling),
    row(r.insert, offCeiling),
    row(r.copyAfterOff, offCeiling),
    '',
    `**Scoring on / scoring off: ${pct(on.eventsPerSec / off.eventsPerSec)}. Scoring on / COPY: ` +
      `${pct(on.eventsPerSec / ceiling)}. Scoring off / COPY: ${pct(off.eventsPerSec / offCeiling)}** ` +
      '(goals of issue 11: scoring on ≥ 25 % of COPY, scoring off ≥ 50 %).',
    '',
    `With scoring on, the measured phase left ${fmt(d.persons)} persons (${fmt(d.identified)} identified), ` +
      `${fmt(d.accounts)} accounts, ${fmt(d.personScores)} person scores and ${fmt(d.accountScores)} account scores.`,
    '',
    ...phaseFacts(on),
    ...phaseFacts(off),
  ].join('\n');
}

export function machineLine(facts: MachineFacts): string {
  return (
    `Machine: ${facts.cores} cores (${facts.cpuModel}), ${facts.memoryGiB} GiB RAM, Node ${facts.node}, ` +
    `PostgreSQL ${facts.postgres} on the same machine over loopback (${facts.postgresSettings}).`
  );
}

/**
 * Writes `body` into one benchmark's `## heading` section of a markdown file, between
 * `<!-- bench:key -->` markers, so that the hand-written notes after the markers and the
 * other benchmarks' sections stay as they are. Creates the file or the section if needed.
 */
export function updateSection(path: string, section: { heading: string; key: string; body: string; intro: string }) {
  const begin = `<!-- bench:${section.key} begin: written by npm run bench -->`;
  const end = `<!-- bench:${section.key} end -->`;
  const block = `${begin}\n${section.body.trim()}\n${end}`;
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : `${section.intro.trim()}\n`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) {
    doc = doc.slice(0, from) + block + doc.slice(to + end.length);
  } else {
    const title = `## ${section.heading}`;
    const at = doc.split('\n').findIndex((l) => l.trim() === title);
    if (at < 0) doc = `${doc.replace(/\s*$/, '\n')}\n${title}\n\n${block}\n`;
    else {
      const lines = doc.split('\n');
      lines.splice(at + 1, 0, '', block);
      doc = lines.join('\n');
    }
  }
  writeFileSync(path, doc.replace(/\s*$/, '\n'));
}
