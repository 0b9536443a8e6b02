import { Agent } from 'node:http';
import { type BenchMessage, parentChannel } from './child.ts';
import { post } from './post.ts';
import { type Quantiles, quantiles } from './quantiles.ts';

/**
 * The overload benchmark's load generator, in its own process: `run` keeps `connections`
 * keep-alive connections each posting `bodies` (round robin) for `durationMs`. A client
 * answered 429 waits `shedPauseMs` (less than its Retry-After, to keep the pressure on)
 * and posts again. Answers the latencies of accepted (200) requests and the count of each
 * other answer.
 */

export interface OverloadRun extends BenchMessage {
  type: 'run';
  url: string;
  bodies: string[];
  connections: number;
  durationMs: number;
  shedPauseMs: number;
}

export interface OverloadResult extends BenchMessage {
  type: 'result';
  accepted: number;
  shed: number;
  /** Answers other than 200 and 429 (status 0: no answer), with up to 5 examples. */
  failed: number;
  failures: string[];
  elapsedMs: number;
  acceptedMs: Quantiles;
  shedMs: Quantiles;
}

const send = parentChannel(async (m) => {
  if (m.type === 'run') send(await run(m as OverloadRun));
  if (m.type === 'stop') process.exit(0);
});

async function run(spec: OverloadRun): Promise<OverloadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const accepted: number[] = [];
  const shed: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  let next = 0;
  const start = performance.now();
  const end = start + spec.durationMs;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (performance.now() < end) {
        const body = spec.bodies[next++ % spec.bodies.length] as string;
        const t0 = performance.now();
        const res = await post(agent, `${spec.url}/v1/batch`, body).catch((err: Error) => ({
          status: 0,
          text: err.message,
        }));
        const ms = performance.now() - t0;
        if (res.status === 200) accepted.push(ms);
        else if (res.status === 429) {
          shed.push(ms);
          await new Promise((r) => setTimeout(r, spec.shedPauseMs));
        } else {
          failed++;
          if (failures.length < 5) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return {
    type: 'result',
    accepted: accepted.length,
    shed: shed.length,
    failed,
    failures,
    elapsedMs,
    acceptedMs: quantiles(accepted, 1),
    shedMs: quantiles(shed, 1),
  };
}
