import { Agent, request } from 'node:http';
import { type BenchMessage, parentChannel } from './child.ts';
import { generateBatchBodies } from './messages.ts';
import { type Quantiles, quantiles } from './quantiles.ts';

/**
 * The load generator, in its own process so that its CPU time is not the collector's.
 * `prepare` builds every request body up front (not timed); `run` sends one phase's
 * bodies from `clients` concurrent keep-alive connections and answers with what the
 * collector accepted, how long it took, and the latencies.
 */

export interface PhaseSpec {
  events: number;
  seed: number;
  idPrefix: string;
}

export interface PrepareMessage extends BenchMessage {
  type: 'prepare';
  url: string;
  writeKey: string;
  /** Several sites' write keys: body i is sent with writeKeys[i % n] (default: writeKey alone). */
  writeKeys?: string[];
  clients: number;
  batchSize: number;
  phases: Record<string, PhaseSpec>;
}

export interface PhaseResult extends BenchMessage {
  type: 'result';
  phase: string;
  requests: number;
  sent: number;
  accepted: number;
  /** First few failures, e.g. `503 {"error":...}`. */
  failures: string[];
  failed: number;
  elapsedMs: number;
  latencyMs: Quantiles;
  /** This process's CPU time during the phase, in ms. */
  cpuMs: number;
}

interface Body {
  json: Buffer;
  messages: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
let setup: PrepareMessage | undefined;
const phases = new Map<string, Body[]>();

const send = parentChannel(async (m) => {
  if (m.type === 'prepare') {
    setup = m as PrepareMessage;
    for (const [name, spec] of Object.entries(setup.phases)) {
      const bodies = generateBatchBodies({ ...spec, batchSize: setup.batchSize });
      phases.set(
        name,
        bodies.map((b) => ({ json: Buffer.from(b), messages: (JSON.parse(b) as { batch: unknown[] }).batch.length })),
      );
    }
    const bytes = [...phases.values()].flat().reduce((n, b) => n + b.json.byteLength, 0);
    const count = [...phases.values()].flat().length;
    send({ type: 'prepared', meanBodyBytes: Math.round(bytes / count) });
  }
  if (m.type === 'run') {
    // Each collector process listens on its own port: the run names where to send. With
    // `urls` (several collectors), client i sends to urls[i % n]: the same bodies, spread.
    if (setup && typeof m.url === 'string') setup.url = m.url;
    const urls = Array.isArray(m.urls) ? (m.urls as string[]) : undefined;
    send(await runPhase(String(m.phase), urls));
  }
  if (m.type === 'stop') process.exit(0);
});

async function runPhase(name: string, urls?: string[]): Promise<PhaseResult> {
  const bodies = phases.get(name);
  if (!setup || !bodies) throw new Error(`phase ${name} was not prepared`);
  const { writeKey, clients } = setup;
  const targets = urls && urls.length > 0 ? urls : [setup.url];
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const auths = (setup.writeKeys ?? [writeKey]).map((k) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`);
  const latencies: number[] = [];
  const failures: string[] = [];
  let nextIndex = 0;
  let accepted = 0;
  let failed = 0;

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const url = targets[client % targets.length] as string;
      while (nextIndex < bodies.length) {
        const index = nextIndex++;
        const body = bodies[index] as Body;
        const auth = auths[index % auths.length] as string;
        const t0 = performance.now();
        const res = await post(agent, url, auth, body.json).catch((err: Error) => ({ status: 0, text: err.message }));
        latencies.push(performance.now() - t0);
        const got = res.status === 200 ? (JSON.parse(res.text) as { accepted?: number }).accepted : undefined;
        if (got === body.messages) accepted += got;
        else {
          failed++;
          if (failures.length < 5) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  agent.destroy();

  return {
    type: 'result',
    phase: name,
    requests: bodies.length,
    sent: bodies.reduce((n, b) => n + b.messages, 0),
    accepted,
    failed,
    failures,
    elapsedMs,
    latencyMs: quantiles(latencies, 1),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function post(agent: Agent, url: string, auth: string, json: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/batch`,
      {
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { authorization: auth, 'content-type': 'application/json', 'content-length': json.byteLength },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(json);
  });
}
