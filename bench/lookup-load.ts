import { Agent, request } from 'node:http';
import { type BenchMessage, parentChannel } from './child.ts';
import { type Quantiles, quantiles } from './quantiles.ts';

/**
 * The lookup benchmark's load generator, in its own process: `run` keeps `connections`
 * keep-alive connections busy with GETs of `paths` (round robin) for `durationMs`, and
 * answers the requests done, their latencies and any answer other than 200.
 */

export interface LookupRun extends BenchMessage {
  type: 'run';
  url: string;
  paths: string[];
  connections: number;
  durationMs: number;
}

export interface LookupResult extends BenchMessage {
  type: 'result';
  requests: number;
  failed: number;
  failures: string[];
  elapsedMs: number;
  latencyMs: Quantiles;
  cpuMs: number;
}

const send = parentChannel(async (m) => {
  if (m.type === 'run') send(await run(m as LookupRun));
  if (m.type === 'stop') process.exit(0);
});

async function run(spec: LookupRun): Promise<LookupResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const latencies: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + spec.durationMs;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (performance.now() < end) {
        const path = spec.paths[next++ % spec.paths.length] as string;
        const t0 = performance.now();
        const res = await get(agent, spec.url + path).catch((err: Error) => ({ status: 0, text: err.message }));
        latencies.push(performance.now() - t0);
        if (res.status !== 200) {
          failed++;
          if (failures.length < 5) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return {
    type: 'result',
    requests: latencies.length,
    failed,
    failures,
    elapsedMs,
    latencyMs: quantiles(latencies, 2),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function get(agent: Agent, url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end();
  });
}
