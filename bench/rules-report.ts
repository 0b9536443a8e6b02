import type { HttpMeasured } from './ingest.ts';
import { quantiles } from './quantiles.ts';
import type { RulesBenchResult } from './rules.ts';

/** The "Ingest with alert rules" section of docs/BENCHMARKS.md (also printed). */
export function rulesMarkdown(r: RulesBenchResult, command: string, date: Date): string {
  const mean = (xs: HttpMeasured[]) => xs.reduce((sum, x) => sum + x.eventsPerSec, 0) / xs.length;
  const none = mean(r.none);
  const pct = (xs: HttpMeasured[]) => `${((mean(xs) / none) * 100).toFixed(1)} %`;
  /** Each round's phase against that round's "none", and the median (nearest rank) of those ratios. */
  const paired = (xs: HttpMeasured[]) => {
    const ratios = xs.map((x, i) => x.eventsPerSec / r.none[i]!.eventsPerSec);
    const median = quantiles(ratios, 4).p50;
    return `median of the rounds' ratios ${(median * 100).toFixed(1)} % (${ratios.map((x) => `${(x * 100).toFixed(0)} %`).join(', ')})`;
  };
  const row = (round: number, what: string, m: HttpMeasured, firings: string, received: string) =>
    `| ${round} | ${what} | ${Math.round(m.eventsPerSec)} | ${m.latencyMs.p50} | ${m.latencyMs.p99} | ${firings} | ${received} |`;
  const rows = r.none.flatMap((n, i) => {
    return [
      row(i + 1, 'none', n, '-', '-'),
      row(i + 1, '20, ingest-only collector', r.outbox[i]!, String(r.firings[i]![0]), '0'),
      row(i + 1, '20, collector delivering too', r.twenty[i]!, String(r.firings[i]![1]), String(r.received[i])),
    ];
  });
  const workers = r.worker.map(
    (w, i) =>
      `| ${i + 1} | ${w.deliveries} | ${w.received} | ${(w.ms / 1000).toFixed(1)} | ${Math.round(w.deliveries / (w.ms / 1000))} |`,
  );
  const share = (x: number) => `${Math.round(x * 100)} %`;
  const facts = (round: number, what: string, m: HttpMeasured) =>
    `- ${round}, ${what}: collector ${share(m.cpu.collector)} of a core, machine ${share(m.cpu.machineBusy)} busy ` +
    `(load ${m.cpu.loadAverage.toFixed(1)}); busy backends: ${m.waits
      .slice(0, 4)
      .map(([w, x]) => `${w} ${share(x)}`)
      .join(', ')}`;
  const phaseFacts = r.none.flatMap((n, i) => [
    facts(i + 1, 'none', n),
    facts(i + 1, '20 ingest-only', r.outbox[i]!),
    facts(i + 1, '20 delivering', r.twenty[i]!),
  ]);
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\`: ${r.events} events per phase, ${r.clients} clients,`,
    'batches of 20, scoring on, each phase a fresh collector process on empty tables; per round: no rules, then 20',
    'rules with an ingest-only collector (`INKLING_DELIVERY=off`: rules evaluated and the outbox written in the',
    'scoring transactions, nothing sent), then 20 rules with the collector also delivering (the default). The',
    "rules' webhooks go to a local receiver that answers 204.",
    '',
    '| round | rules | events/s | p50 ms | p99 ms | firings recorded | webhooks received during the phase |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'CPU of each phase and what its busy PostgreSQL backends waited for (samples every 100 ms):',
    '',
    ...phaseFacts,
    '',
    'After each ingest-only phase, a delivery worker (`npm run inkling -- deliver`, a process of its own) sends that outbox:',
    '',
    '| round | deliveries | webhooks received | seconds | deliveries/s |',
    '| --- | --- | --- | --- | --- |',
    ...workers,
    '',
    `**Ingest with 20 rules: ${pct(r.outbox)} of none** (mean of the rounds) with the delivery in a worker (aim: at least 90 %),`,
    `${paired(r.outbox)};`,
    `${pct(r.twenty)} of none with the collector delivering its webhooks on the same 2 cores, ${paired(r.twenty)}.`,
  ].join('\n');
}
