import { Agent } from 'node:http';
import { type BenchMessage, parentChannel } from './child.ts';
import { post } from './post.ts';
import { type Quantiles, quantiles } from './quantiles.ts';

/**
 * The soak benchmark's load generator, in its own process: posts `bodies` (round robin;
 * each round renames the messageIds, so nothing is a duplicate) at a steady `requestsPerSecond`
 * for `minutes`, whatever the answers' latency (an open loop, at most `maxOpen` requests
 * open at once). At the end of each minute it sends that minute's `minute` report; `done` at the end.
 */

export interface SoakRun extends BenchMessage {
  type: 'run';
  url: string;
  bodies: string[];
  /** The id prefix the bodies' messageIds carry, renamed per round. */
  idPrefix: string;
  requestsPerSecond: number;
  minutes: number;
  maxOpen: number;
}

export interface SoakMinute extends BenchMessage {
  type: 'minute';
  minute: number;
  accepted: number;
  /** Requests due that were not sent because `maxOpen` were open (the collector fell behind). */
  skipped: number;
  failed: number;
  /** The failed requests by status and error code, e.g. `{"429 overloaded": 3}` (status 0: no answer). */
  failures: Record<string, number>;
  acceptedMs: Quantiles;
}

const MINUTE = 60_000;

const send = parentChannel(async (m) => {
  if (m.type === 'run') await run(m as SoakRun);
  if (m.type === 'stop') process.exit(0);
});

async function run(spec: SoakRun): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.maxOpen });
  const interval = 1000 / spec.requestsPerSecond;
  let sent = 0;
  let open = 0;
  let current = fresh(1);
  let reported = 0;
  const settle = (bucket: Bucket) => {
    if (!bucket.closed || bucket.open > 0) return;
    send(report(bucket));
    reported++;
  };
  const start = performance.now();
  for (let minute = 1; minute <= spec.minutes; minute++) {
    const end = start + minute * MINUTE;
    while (performance.now() < end) {
      // Catch up on what is due by now, then sleep until the next one is.
      const due = Math.floor((performance.now() - start) / interval);
      for (; sent < due; sent++) {
        if (open >= spec.maxOpen) {
          current.skipped++;
          continue;
        }
        const round = Math.floor(sent / spec.bodies.length);
        const body = (spec.bodies[sent % spec.bodies.length] as string).replaceAll(
          `-${spec.idPrefix}-`,
          `-${spec.idPrefix}${round}-`,
        );
        const counted = current;
        const t0 = performance.now();
        open++;
        counted.open++;
        post(agent, `${spec.url}/v1/batch`, body)
          .catch((err: Error) => ({ status: 0, text: err.message }))
          .then((res) => {
            open--;
            counted.open--;
            // Counted in the minute it was sent in, reported once all of that minute's are answered.
            if (res.status === 200) counted.latencies.push(performance.now() - t0);
            else {
              counted.failed++;
              const why = `${res.status} ${errorCode(res.text)}`;
              counted.failures[why] = (counted.failures[why] ?? 0) + 1;
            }
            settle(counted);
          });
      }
      await new Promise((r) => setTimeout(r, Math.max(1, start + (sent + 1) * interval - performance.now())));
    }
    const done = current;
    current = fresh(minute + 1);
    done.closed = true;
    settle(done);
  }
  while (reported < spec.minutes) await new Promise((r) => setTimeout(r, 100));
  agent.destroy();
  send({ type: 'done' });
}

interface Bucket {
  minute: number;
  latencies: number[];
  skipped: number;
  failed: number;
  failures: Record<string, number>;
  /** Requests of this minute not answered yet. */
  open: number;
  /** The minute is over: no more requests join it. */
  closed: boolean;
}

function fresh(minute: number): Bucket {
  return { minute, latencies: [], skipped: 0, failed: 0, failures: {}, open: 0, closed: false };
}

function report(m: Bucket): SoakMinute {
  return {
    type: 'minute',
    minute: m.minute,
    accepted: m.latencies.length,
    skipped: m.skipped,
    failed: m.failed,
    failures: m.failures,
    acceptedMs: quantiles(m.latencies, 1),
  };
}

/** The answer's `error.code`, or the start of its text. */
function errorCode(text: string): string {
  try {
    return String(JSON.parse(text)?.error?.code ?? text.slice(0, 80));
  } catch {
    return text.slice(0, 80);
  }
}
