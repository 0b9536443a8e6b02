import { insertRule } from '../collector/alerts/rules-store.ts';
import type { Database } from '../collector/db/client.ts';
import { createSite } from '../collector/sites.ts';
import type { RuleDefinition } from '../shared/rules/types.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase, resetEvents } from './database.ts';
import { type HttpMeasured, httpPhase } from './ingest.ts';
import type { PrepareMessage } from './load-process.ts';

/**
 * Ingest throughput with 20 enabled rules against none: the same messages through the real
 * collector over HTTP with scoring on, each phase in a fresh collector process on empty
 * tables, alternating none / 20 rules twice so that other work on a shared machine weighs
 * on both alike. The rules cover every condition on persons and accounts, with holdouts,
 * caps, stop conditions and routing, on the signals and events the generated traffic has.
 */
export interface RulesBenchOptions {
  url: string;
  events: number;
  clients: number;
  log: (line: string) => void;
}

export interface RulesBenchResult {
  events: number;
  clients: number;
  none: HttpMeasured[];
  twenty: HttpMeasured[];
  /** Firings recorded in the rule phases (each phase from empty tables). */
  firings: number[];
}

const hook = [{ type: 'webhook' as const, url: 'http://127.0.0.1:9/never-delivered' }];

/** The 20 rules: each condition on both subjects, with every control somewhere. */
export const BENCH_RULES: RuleDefinition[] = (['person', 'account'] as const).flatMap((subject) => [
  { name: `${subject} into medium`, subject, when: { type: 'threshold', tier: 'medium' }, actions: hook },
  {
    name: `${subject} into high`,
    subject,
    when: { type: 'threshold', tier: 'high' },
    actions: hook,
    route: { to: 'owner', roundRobin: ['ann@acme.example', 'bob@acme.example'], fallback: 'lead@acme.example' },
  },
  { name: `${subject} over 60`, subject, when: { type: 'threshold', score: 60 }, actions: hook, holdout: 0.1 },
  {
    name: `${subject} pricing`,
    subject,
    when: { type: 'signal', signal: 'pricing_page' },
    actions: hook,
    cap: { within: '24h', max: 1 },
  },
  {
    name: `${subject} demo while hot`,
    subject,
    when: { type: 'signal', signal: 'demo_requested', tiers: ['medium', 'high'] },
    actions: hook,
    stopWhen: { event: 'Signed Up' },
  },
  { name: `${subject} spike`, subject, when: { type: 'spike', points: 30 }, actions: hook },
  { name: `${subject} cooling below`, subject, when: { type: 'cooling', below: 40 }, actions: hook },
  { name: `${subject} cooling drop`, subject, when: { type: 'cooling', points: 15, days: 7 }, actions: hook },
  {
    name: `${subject} enterprise plan twice`,
    subject,
    when: { type: 'behavior', event: 'Pricing Plan Viewed', where: { plan: 'enterprise' }, times: 2, days: 7 },
    actions: hook,
    holdout: 0.2,
    stopWhen: { event: 'Demo Requested' },
  },
  {
    name: `${subject} pricing 3x, not high`,
    subject,
    when: { type: 'behavior', signal: 'pricing_page', times: 3, days: 14, notTier: 'high' },
    actions: hook,
    digest: { every: '1h' },
  },
]);

export async function benchRules(options: RulesBenchOptions): Promise<RulesBenchResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const load = forkTs(new URL('./load-process.ts', import.meta.url));
  const ingest = {
    events: options.events,
    warmupEvents: 2000,
    clients: options.clients,
    batchSize: 20,
    insertSample: 0,
    url: options.url,
    log,
  };
  try {
    const site = await createSite(db, 'bench rules site');
    const prepare: PrepareMessage = {
      type: 'prepare',
      url: '',
      writeKey: site.writeKey,
      clients: options.clients,
      batchSize: 20,
      phases: {
        warmup: { events: ingest.warmupEvents, seed: 7, idPrefix: 'w' },
        measured: { events: options.events, seed: 42, idPrefix: 'm' },
      },
    };
    load.send(prepare);
    await load.next('prepared', 120_000);
    const result: RulesBenchResult = {
      events: options.events,
      clients: options.clients,
      none: [],
      twenty: [],
      firings: [],
    };
    for (let round = 0; round < 2; round++) {
      await setRules(db, site.siteId, false);
      await resetEvents(db);
      log(`rules: none (round ${round + 1})`);
      result.none.push(await httpPhase(ingest, db, load, true, site.siteId));
      await setRules(db, site.siteId, true);
      await resetEvents(db);
      log(`rules: 20 (round ${round + 1})`);
      result.twenty.push(await httpPhase(ingest, db, load, true, site.siteId));
      const [row] = await db.query<{ n: number }>('select count(*)::int as n from firings where site_id = $1', [
        site.siteId,
      ]);
      result.firings.push(row?.n ?? 0);
    }
    return result;
  } finally {
    await load.stop(2000);
    await db.close();
  }
}

/** No rules, or the 20 (fresh, so nothing recorded by an earlier phase counts). */
async function setRules(db: Database, siteId: string, on: boolean): Promise<void> {
  for (const table of ['deliveries', 'firings', 'rule_subjects', 'rules']) {
    await db.query(`delete from ${table} where site_id = $1`, [siteId]);
  }
  if (on) for (const rule of BENCH_RULES) await insertRule(db, siteId, rule);
}

export function rulesMarkdown(r: RulesBenchResult, command: string, date: Date): string {
  const mean = (xs: HttpMeasured[]) => xs.reduce((s, x) => s + x.eventsPerSec, 0) / xs.length;
  const none = mean(r.none);
  const twenty = mean(r.twenty);
  const rows = r.none.flatMap((n, i) => {
    const t = r.twenty[i]!;
    return [
      `| ${i + 1} | none | ${Math.round(n.eventsPerSec)} | ${n.latencyMs.p50} | ${n.latencyMs.p99} | - |`,
      `| ${i + 1} | 20 | ${Math.round(t.eventsPerSec)} | ${t.latencyMs.p50} | ${t.latencyMs.p99} | ${r.firings[i]} |`,
    ];
  });
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\`: ${r.events} events per phase, ${r.clients} clients,`,
    'batches of 20, scoring on, each phase a fresh collector process on empty tables, none / 20 rules alternating.',
    '',
    '| round | rules | events/s | p50 ms | p99 ms | firings recorded |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `**Throughput with 20 rules: ${((twenty / none) * 100).toFixed(1)} % of none** (mean of the rounds; aim: at least 90 %).`,
  ].join('\n');
}
