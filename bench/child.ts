import { type ChildProcess, fork } from 'node:child_process';

/** A message between the bench and one of its child processes. */
export interface BenchMessage {
  type: string;
  [key: string]: unknown;
}

export interface BenchChild {
  readonly pid: number | undefined;
  send(message: BenchMessage): void;
  /** The next message of this type, or an error after `timeoutMs` or if the child dies. */
  next<T extends BenchMessage>(type: string, timeoutMs: number): Promise<T>;
  /** Asks nicely (`{type: 'stop'}`), then kills after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
// Why: a bench that throws must not leave a collector or a load generator running.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Runs a TypeScript module (through tsx) in its own Node process, so that it gets its own
 * event loop and its CPU time is its own; the two talk over the IPC channel.
 */
export function forkTs(file: string | URL, options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): BenchChild {
  const child = fork(file, [], {
    execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const inbox: BenchMessage[] = [];
  const waiting: { type: string; resolve: (m: BenchMessage) => void }[] = [];
  let exited: Error | null = null;
  const failures = new Set<(err: Error) => void>();

  child.on('message', (raw) => {
    const m = raw as BenchMessage;
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(m);
    else inbox.push(m);
  });
  child.on('exit', (code, signal) => {
    live.delete(child);
    exited = new Error(`child ${String(file)} exited (code ${code}, signal ${signal})`);
    for (const fail of failures) fail(exited);
  });

  return {
    pid: child.pid,
    send(message) {
      child.send(message);
    },
    next<T extends BenchMessage>(type: string, timeoutMs: number): Promise<T> {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
      if (exited) return Promise.reject(exited);
      return new Promise<T>((resolve, reject) => {
        const fail = (err: Error) => {
          clearTimeout(timer);
          failures.delete(fail);
          reject(err);
        };
        const timer = setTimeout(
          () => fail(new Error(`no '${type}' from ${String(file)} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        failures.add(fail);
        waiting.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            failures.delete(fail);
            resolve(m as T);
          },
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** For the child side: sends to the parent, and exits if the parent goes away. */
export function parentChannel(onMessage: (m: BenchMessage) => void | Promise<void>): (m: BenchMessage) => void {
  if (!process.send) throw new Error('run this module through bench/run.ts (it needs an IPC channel)');
  process.on('disconnect', () => process.exit(1));
  process.on('message', (m) => {
    Promise.resolve(onMessage(m as BenchMessage)).catch((err) => {
      process.stderr.write(`${String(err?.stack ?? err)}\n`);
      process.exit(1);
    });
  });
  return (m) => process.send?.(m);
}
