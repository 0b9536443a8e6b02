import type { Database } from '../collector/db/client.ts';
import { createSite } from '../collector/sites.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase } from './database.ts';
import type { LookupResult, LookupRun } from './lookup-load.ts';
import { type Quantiles, quantiles } from './quantiles.ts';

/**
 * Tier lookup (`GET /v1/intent`) against a no-op route of the same server (`GET /healthz`,
 * which answers a constant JSON body), at `connections` concurrent keep-alive connections
 * from a separate load process, in alternating rounds; then freshness: how long after an
 * ingest answer a lookup shows the visitor's new tier.
 */

export interface LookupOptions {
  url: string;
  /** Visitors with stored scores (the lookup's table sizes). */
  visitors: number;
  connections: number;
  /** Length of each measured round; rounds alternate no-op, lookup, no-op, lookup. */
  roundMs: number;
  /** Visitors whose tier is moved by an ingest, for freshness. */
  freshnessSamples: number;
  log: (line: string) => void;
}

export interface RouteMeasured {
  name: string;
  requests: number;
  seconds: number;
  perSec: number;
  latencyMs: Pick<Quantiles, 'p50' | 'p99' | 'max'>;
}

export interface LookupBenchResult {
  options: Omit<LookupOptions, 'log' | 'url'>;
  noop: RouteMeasured;
  lookup: RouteMeasured;
  /** Latency with one connection (no queueing): what each request itself costs. */
  unloaded: { noop: LookupResult['latencyMs']; lookup: LookupResult['latencyMs'] };
  freshness: {
    samples: number;
    /** Lookups right after the ingest answer that already showed the new tier. */
    visibleAtOnce: number;
    /** From the ingest answer to a lookup answer showing the new tier, ms. */
    ms: Quantiles;
  };
}

const MINUTE = 60_000;
const TIERS = ['low', 'medium', 'high'] as const;
const BROWSER_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export async function benchLookup(options: LookupOptions): Promise<LookupBenchResult> {
  const { log } = options;
  const db = await createBenchDatabase(options.url);
  const collector = forkTs(new URL('./collector-process.ts', import.meta.url), {
    env: { BENCH_DATABASE_URL: options.url, BENCH_SCORING: 'on' },
  });
  const load = forkTs(new URL('./lookup-load.ts', import.meta.url));
  try {
    const site = await createSite(db, 'lookup bench');
    log(`seeding ${options.visitors} visitors with scores`);
    await seedVisitors(db, site.siteId, options.visitors);
    const { port } = await collector.next<{ type: 'ready'; port: number }>('ready', MINUTE);
    const base = `http://127.0.0.1:${port}`;

    // Known visitors and, one in ten, unknown ids (the neutral answer), in a shuffled order.
    const paths = Array.from({ length: 4096 }, (_, i) => {
      const n = (i * 7919) % options.visitors;
      const id = i % 10 === 9 ? `unknown-${i}` : `visitor-${n}`;
      return `/v1/intent?anonymousId=${id}&key=${site.writeKey}`;
    });
    const round = async (route: 'noop' | 'lookup', durationMs: number, connections = options.connections) => {
      const spec: LookupRun = {
        type: 'run',
        url: base,
        paths: route === 'noop' ? ['/healthz'] : paths,
        connections,
        durationMs,
      };
      load.send(spec);
      const r = await load.next<LookupResult>('result', durationMs + MINUTE);
      if (r.failed > 0)
        throw new Error(`${route}: ${r.failed} of ${r.requests} requests failed: ${r.failures.join(' | ')}`);
      return r;
    };
    log('warm-up');
    await round('noop', 2000);
    await round('lookup', 2000);
    const noops: LookupResult[] = [];
    const lookups: LookupResult[] = [];
    for (let i = 0; i < 2; i++) {
      log(`round ${i + 1}: no-op, then lookup, ${options.roundMs} ms each, ${options.connections} connections`);
      noops.push(await round('noop', options.roundMs));
      lookups.push(await round('lookup', options.roundMs));
    }
    log('one connection: the latency of each route without queueing');
    const unloaded = {
      noop: (await round('noop', 3000, 1)).latencyMs,
      lookup: (await round('lookup', 3000, 1)).latencyMs,
    };
    const fresh = await freshness(base, site.writeKey, options.freshnessSamples);
    const { log: _l, url: _u, ...rest } = options;
    return {
      options: rest,
      noop: combine('`GET /healthz` (no-op: a constant JSON answer)', noops),
      lookup: combine('`GET /v1/intent?anonymousId=` (write key; the intent cache, the database on a miss)', lookups),
      unloaded,
      freshness: fresh,
    };
  } finally {
    await load.stop(2000);
    await collector.stop();
    await db.close();
  }
}

/**
 * Persons with an anonymous id each, a stored score across the three tiers, and one in
 * five in an account with its own score: the rows a lookup joins.
 */
async function seedVisitors(db: Database, siteId: string, n: number): Promise<void> {
  await db.query(
    `insert into accounts (site_id, id, domain, name)
     select $1, 'acc_' || g, 'company-' || g || '.example', 'Company ' || g from generate_series(0, $2::int / 5) g`,
    [siteId, n],
  );
  await db.query(
    `insert into account_scores (site_id, account_id, score, tier, trend, points, explanation, categories, contacts, updated_at)
     select $1, 'acc_' || g, (g * 37) % 101, (array['low','medium','high'])[1 + (g % 3)], 'stable', 0, '[]', '{}', '[]', now()
       from generate_series(0, $2::int / 5) g`,
    [siteId, n],
  );
  await db.query(
    `insert into persons (site_id, id, account_id)
     select $1, 'per_' || g, case when g % 5 = 0 then 'acc_' || (g / 5) end from generate_series(0, $2::int - 1) g`,
    [siteId, n],
  );
  await db.query(
    `insert into identities (site_id, anonymous_id, person_id)
     select $1, 'visitor-' || g, 'per_' || g from generate_series(0, $2::int - 1) g`,
    [siteId, n],
  );
  await db.query(
    `insert into person_scores (site_id, person_id, score, tier, type, trend, points, explanation, categories, updated_at)
     select $1, 'per_' || g, (g * 13) % 101, (array['low','medium','high'])[1 + (g % 3)], 'buying', 'stable', 0, '[]', '{}', now()
       from generate_series(0, $2::int - 1) g`,
    [siteId, n],
  );
  await db.query('analyze');
}

/**
 * For each sample, a new visitor: one lookup (the neutral low), one batch of buying signals
 * (its answer carries the stored tier), then lookups until one shows that tier.
 */
async function freshness(base: string, writeKey: string, samples: number): Promise<LookupBenchResult['freshness']> {
  const times: number[] = [];
  let visibleAtOnce = 0;
  const lookup = async (anon: string) => {
    const res = await fetch(`${base}/v1/intent?anonymousId=${anon}&key=${writeKey}`);
    return ((await res.json()) as { tier: (typeof TIERS)[number] }).tier;
  };
  for (let i = 0; i < samples; i++) {
    const anon = `fresh-${i}-${Date.now()}`;
    if ((await lookup(anon)) !== 'low') throw new Error('a new visitor did not start low');
    const messages = ['/pricing', '/case-studies/acme', '/product', '/demo'].map((path, j) => ({
      type: 'page',
      messageId: `${anon}-${j}`,
      anonymousId: anon,
      properties: { path },
    }));
    messages.push({ type: 'track', messageId: `${anon}-demo`, anonymousId: anon, event: 'Demo Requested' } as never);
    const res = await fetch(`${base}/v1/batch?key=${writeKey}`, {
      method: 'POST',
      // A browser's user agent: Node's own is a bot's, and bot traffic scores nothing.
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
      body: JSON.stringify({ batch: messages }),
    });
    const answer = (await res.json()) as { intent?: { tier: string } };
    const answered = performance.now();
    const tier = answer.intent?.tier;
    if (res.status !== 200 || !tier || tier === 'low')
      throw new Error(`ingest did not raise the tier: ${JSON.stringify(answer)}`);
    let first = true;
    for (;;) {
      const seen = await lookup(anon);
      if (seen === tier) break;
      first = false;
      if (performance.now() - answered > 10_000) throw new Error(`the new tier never showed for ${anon}`);
    }
    times.push(performance.now() - answered);
    if (first) visibleAtOnce++;
  }
  return { samples, visibleAtOnce, ms: quantiles(times, 2) };
}

function combine(name: string, rounds: LookupResult[]): RouteMeasured {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.elapsedMs, 0) / 1000;
  // Latency quantiles: the worse round's (quantiles of rounds cannot be merged exactly).
  const worst = (k: 'p50' | 'p99' | 'max') => Math.max(...rounds.map((r) => r.latencyMs[k]));
  return {
    name,
    requests,
    seconds,
    perSec: requests / seconds,
    latencyMs: { p50: worst('p50'), p99: worst('p99'), max: worst('max') },
  };
}

export function lookupMarkdown(r: LookupBenchResult, command: string, when: Date): string {
  const ratio = r.lookup.perSec / r.noop.perSec;
  const row = (m: RouteMeasured, base: number) =>
    `| ${m.name} | ${m.requests.toLocaleString('en')} | ${Math.round(m.perSec).toLocaleString('en')} | ${m.latencyMs.p50} | ${m.latencyMs.p99} | ${m.latencyMs.max} | ${Math.round((m.perSec / base) * 100)} % |`;
  const f = r.freshness;
  return [
    `Measured ${when.toISOString().slice(0, 10)} with \`${command}\`.`,
    '',
    `Load: ${r.options.connections} concurrent keep-alive connections from a separate load process, each sending its next GET as soon as the last is answered; rounds of ${r.options.roundMs / 1000} s alternate no-op, lookup, no-op, lookup (after 2 s of warm-up each), and the table sums the two rounds of each route (latency: the worse round's). The collector is the real app in its own process on PostgreSQL, with ${r.options.visitors.toLocaleString('en')} visitors seeded with scores (one in five in a scored account); nine lookups in ten are for known visitors, one in ten for unknown ids (the neutral answer).`,
    '',
    '| Route | Requests | Requests/s | p50 ms | p99 ms | max ms | vs no-op |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(r.noop, r.noop.perSec),
    row(r.lookup, r.noop.perSec),
    '',
    `**Lookup / no-op: ${Math.round(ratio * 100)} %** (aim ≥ 60 %), **lookup p99 ${r.lookup.latencyMs.p99} ms at ${r.options.connections} connections** (aim < 5 ms).`,
    '',
    `With ${r.options.connections} connections each waiting for its answer, the mean latency is the number of connections divided by the throughput (Little's law): at the no-op's ${Math.round(r.noop.perSec).toLocaleString('en')} requests/s that is already ${((r.options.connections / r.noop.perSec) * 1000).toFixed(1)} ms, so on this machine a p99 under 5 ms at ${r.options.connections} connections is out of reach for any route. With one connection (no queueing, 3 s each), the no-op answers in p50 ${r.unloaded.noop.p50} ms / p99 ${r.unloaded.noop.p99} ms and the lookup in p50 ${r.unloaded.lookup.p50} ms / p99 ${r.unloaded.lookup.p99} ms.`,
    '',
    `Freshness: ${f.samples} new visitors, each sending one batch of buying signals (pricing, case study, product, demo pages and \`Demo Requested\`). The tier in the ingest answer was already the tier a lookup returned right after it for ${f.visibleAtOnce} of ${f.samples} visitors (ingest stores the new scores before it answers); from the ingest answer to a lookup answer showing the new tier: p50 ${f.ms.p50} ms, p99 ${f.ms.p99} ms, max ${f.ms.max} ms (one lookup's round trip).`,
  ].join('\n');
}
