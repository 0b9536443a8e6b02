import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { startDispatcher } from '../collector/alerts/dispatcher.ts';
import { enqueueFirings, type NewFiring } from '../collector/alerts/outbox.ts';
import { DEFAULT_DELIVERY } from '../collector/alerts/settings.ts';
import type { Database } from '../collector/db/client.ts';
import { createLogger } from '../collector/log.ts';
import { createSite } from '../collector/sites.ts';
import { forkTs } from './child.ts';
import { createBenchDatabase } from './database.ts';
import { admitAll } from './ingest.ts';
import { type Quantiles, quantiles } from './quantiles.ts';
import { fmt } from './report.ts';

/**
 * Delivery through the outbox (collector/alerts/) against the same signed POST made
 * directly, in the same run, to the same local receiver: latency from the firing's commit to
 * the receiver getting it (one firing at a time), and throughput of a burst of firings. Then
 * as a user sees it: a real collector process (its own dispatcher) with a signal rule on
 * `pricing_page`, sent one-event batches over HTTP that each fire it; latency from the
 * ingest answer to the receiver getting the signed webhook, against direct POSTs alternating.
 */
export interface DeliveryOptions {
  url: string;
  /** One-at-a-time samples per path. */
  samples: number;
  /** Firings in the burst. */
  burst: number;
  log: (line: string) => void;
}

export interface DeliveryResult {
  samples: number;
  burst: number;
  outboxMs: Quantiles;
  directMs: Quantiles;
  outboxPerSecond: number;
  directPerSecond: number;
  /** From `POST /v1/batch`'s answer to the webhook at the receiver (0 when it came first). */
  ingestMs: Quantiles;
  /** Of those, how many webhooks reached the receiver before the ingest answer reached the client. */
  beforeAnswer: number;
  /** The ingest request itself, sent to answered. */
  answerMs: Quantiles;
  /** Direct POSTs alternating with the ingest samples (the baseline of that phase). */
  directIngestMs: Quantiles;
  loadAverage: number;
}

const SECRET = `whsec_${Buffer.from('inkling-bench-delivery-secret!!').toString('base64')}`;

export async function benchDelivery(options: DeliveryOptions): Promise<DeliveryResult> {
  const { log, samples, burst } = options;
  const db = await createBenchDatabase(options.url);
  const waiting = new Map<string, () => void>();
  // A webhook whose id the bench cannot know (fired by a collector from an ingested event).
  let unknown: ((at: number) => void) | null = null;
  const verifier = new Webhook(SECRET);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      verifier.verify(body, req.headers as Record<string, string>);
      res.writeHead(200).end();
      const at = performance.now();
      const id = req.headers['webhook-id'] as string;
      const known = waiting.get(id);
      if (known) {
        known();
        waiting.delete(id);
      } else {
        unknown?.(at);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const received = (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve));
  let dispatcher: { stop(): Promise<void> } | null = startDispatcher(db, {
    settings: DEFAULT_DELIVERY,
    publicUrl: 'http://bench',
    log: createLogger('silent'),
  });
  try {
    const loadAverage = loadavg()[0] ?? 0;
    const site = await createSite(db, 'delivery bench');
    const ruleId = 'rul_bench';
    await db.query(
      `insert into rules (site_id, id, name, subject, definition, secret) values ($1, $2, 'bench', 'account', $3::text::jsonb, $4)`,
      [site.siteId, ruleId, JSON.stringify({ actions: [{ type: 'webhook', url: hook }] }), SECRET],
    );
    let seq = 0;
    const firing = (): NewFiring => {
      const id = `fir_bench_${++seq}`;
      const payload = {
        id,
        rule: { id: ruleId, name: 'bench' },
        firedAt: new Date().toISOString(),
        account: { id: `acc_${seq}`, name: 'Bench', score: 80, tier: 'high', previousTier: 'medium', owner: null },
        reason: 'crossed into High',
        signals: [{ signal: 'Pricing page', points: 15 }],
      };
      return {
        id,
        ruleId,
        subjectKind: 'account',
        subjectId: `acc_${seq}`,
        changeKey: `bench:${seq}`,
        outcome: 'fired',
        recipient: null,
        payload,
        firedAt: Date.now(),
        actions: [{ type: 'webhook', url: hook }],
      };
    };
    const viaOutbox = async (firings: NewFiring[]) => {
      const all = Promise.all(firings.map((f) => received(f.id)));
      await db.transaction((tx) => enqueueFirings(tx, site.siteId, firings));
      await all;
    };
    const direct = async (f: NewFiring) => {
      const got = received(f.id);
      const body = JSON.stringify(f.payload);
      const now = new Date();
      const res = await fetch(hook, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': f.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(SECRET).sign(f.id, now, body),
        },
      });
      await res.arrayBuffer();
      await got;
    };

    log(
      `delivery: ${samples} firings one at a time through the outbox and directly (alternating), then a burst of ${burst}`,
    );
    const outbox: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < samples; i++) {
      let t = performance.now();
      await viaOutbox([firing()]);
      outbox.push(performance.now() - t);
      t = performance.now();
      await direct(firing());
      plain.push(performance.now() - t);
    }
    let t = performance.now();
    await viaOutbox(Array.from({ length: burst }, firing));
    const outboxPerSecond = burst / ((performance.now() - t) / 1000);
    // The direct baseline with the dispatcher's concurrency (its batch).
    const queue = Array.from({ length: burst }, firing);
    t = performance.now();
    await Promise.all(
      Array.from({ length: DEFAULT_DELIVERY.batch }, async () => {
        for (let f = queue.pop(); f; f = queue.pop()) await direct(f);
      }),
    );
    const directPerSecond = burst / ((performance.now() - t) / 1000);
    await dispatcher.stop();
    dispatcher = null;

    // As a user sees it: ingest over HTTP to a collector process whose dispatcher delivers.
    const ruleDefinition = {
      name: 'pricing',
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      actions: [{ type: 'webhook', url: hook }],
    };
    await db.query(
      `insert into rules (site_id, id, name, subject, definition, secret) values ($1, 'rul_ingest', 'pricing', 'person', $2::text::jsonb, $3)`,
      [site.siteId, JSON.stringify(ruleDefinition), SECRET],
    );
    const collector = forkTs(new URL('./collector-process.ts', import.meta.url), {
      env: { BENCH_DATABASE_URL: options.url, ...admitAll(1) },
    });
    const ingestMs: number[] = [];
    const answerMs: number[] = [];
    const directIngest: number[] = [];
    let beforeAnswer = 0;
    try {
      const { port } = await collector.next<{ type: 'ready'; port: number }>('ready', 60_000);
      const auth = `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}`;
      const visit = async (n: number) => {
        const webhook = new Promise<number>((resolve) => {
          unknown = resolve;
        });
        const sent = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: JSON.stringify({
            batch: [
              {
                type: 'page',
                messageId: `bench-visit-${n}`,
                anonymousId: `bench-visitor-${n}`,
                properties: { path: '/pricing', url: 'https://bench.example/pricing' },
              },
            ],
          }),
        });
        const answer = await res.text();
        const answered = performance.now();
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${answer}`);
        const at = await Promise.race([
          webhook,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`visit ${n}: no webhook within 30 s`)), 30_000).unref(),
          ),
        ]);
        unknown = null;
        return { answer: answered - sent, webhook: at - answered };
      };
      // Warm-up: the collector's first requests load its caches (site, model, rules).
      for (let i = 0; i < 10; i++) await visit(-1 - i);
      log(`delivery: ${samples} one-event batches over HTTP, each firing a rule, alternating with direct POSTs`);
      for (let i = 0; i < samples; i++) {
        const v = await visit(i);
        if (v.webhook < 0) beforeAnswer++;
        ingestMs.push(Math.max(0, v.webhook));
        answerMs.push(v.answer);
        const d = performance.now();
        await direct(firing());
        directIngest.push(performance.now() - d);
      }
    } finally {
      await collector.stop();
    }
    return {
      samples,
      burst,
      outboxMs: quantiles(outbox, 1),
      directMs: quantiles(plain, 1),
      outboxPerSecond,
      directPerSecond,
      ingestMs: quantiles(ingestMs, 1),
      beforeAnswer,
      answerMs: quantiles(answerMs, 1),
      directIngestMs: quantiles(directIngest, 1),
      loadAverage,
    };
  } finally {
    await dispatcher?.stop();
    server.close();
    await (db as Database).close();
  }
}

export function deliveryMarkdown(r: DeliveryResult, command: string, at: Date): string {
  const row = (name: string, q: Quantiles) => `| ${name} | ${q.p50} | ${q.p95} | ${q.p99} | ${q.max} |`;
  return [
    `\`${command}\` (${at.toISOString().slice(0, 10)}, load average ${r.loadAverage.toFixed(1)} at the start)`,
    '',
    `From a firing's commit (\`enqueueFirings\`) to a local receiver holding the signed webhook (verified with`,
    '`standardwebhooks`), one firing at a time, against the same signed POST sent directly to the same receiver,',
    `alternating, ${r.samples} each (milliseconds):`,
    '',
    '| path | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    row('outbox + dispatcher', r.outboxMs),
    row('direct POST (baseline)', r.directMs),
    '',
    `A burst of ${r.burst} firings committed at once: ${fmt(r.outboxPerSecond)} deliveries/s through the outbox,`,
    `${fmt(r.directPerSecond)}/s for direct POSTs with the same concurrency (${(r.outboxPerSecond / r.directPerSecond).toFixed(2)}x).`,
    '',
    `As a user sees it: a collector process (\`npm start\`'s app, its dispatcher on) with a signal rule on`,
    `\`pricing_page\` and a webhook action; ${r.samples} one-event \`POST /v1/batch\` requests (write key), each a new`,
    "visitor's pricing page, so each fires; from the ingest answer to the receiver holding the verified webhook,",
    'against direct signed POSTs to the same receiver alternating with them (milliseconds):',
    '',
    '| path | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    row('ingest answer -> webhook received', r.ingestMs),
    row('direct POST (baseline)', r.directIngestMs),
    row('the ingest request itself', r.answerMs),
    '',
    `**Ingest answer to webhook: p50 ${r.ingestMs.p50} ms, p99 ${r.ingestMs.p99} ms** (aim: p99 under 1 s); p99 ${(r.ingestMs.p99 / Math.max(0.1, r.directIngestMs.p99)).toFixed(1)}x the direct POST's.`,
    `${r.beforeAnswer} of ${r.samples} webhooks reached the receiver before the ingest answer reached the client (counted as 0 ms).`,
  ].join('\n');
}
