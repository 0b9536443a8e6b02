import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../collector/db/client.ts';
import { startScript, waitForLine } from './helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'inkling-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start` on an embedded data folder of this test's own, on a free port. */
const env = { DATABASE_URL: '', INKLING_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' };

/** Starts the collector and answers its URL and everything it printed so far. */
async function start(extra: Record<string, string> = {}) {
  const child = startScript('collector/main.ts', [], { ...env, ...extra });
  let stdout = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  const listening = JSON.parse(await waitForLine(child, /collector listening/));
  return { child, url: listening.url as string, stdout: () => stdout };
}

const exit = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

const batch = [
  { type: 'page', anonymousId: 'crash-visitor', name: 'Pricing', properties: { path: '/pricing' } },
  { type: 'page', anonymousId: 'crash-visitor', properties: { path: '/case-studies/acme' } },
  { type: 'track', anonymousId: 'crash-visitor', event: 'Demo Requested' },
].map((m, i) => ({ ...m, messageId: `crash-${i}` }));

describe('a collector killed between storing and scoring', () => {
  it('should score the stored events after a restart, without any client retry', async () => {
    // The test-only hook: SIGKILL right after the insert commits, before identity and scoring.
    const doomed = await start({ INKLING_TEST_KILL_AFTER_STORE: '1' });
    const writeKey = /write key:\s+(pk_\w+)/.exec(doomed.stdout())?.[1] as string;
    const secretKey = /secret key:\s+(sk_\w+)/.exec(doomed.stdout())?.[1] as string;
    const died = exit(doomed.child);
    const sent = fetch(`${doomed.url}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ batch }),
    });
    // The client gets no answer (and does not retry).
    await expect(sent).rejects.toThrow();
    expect((await died).signal).toBe('SIGKILL');

    const restarted = await start();
    const res = await fetch(`${restarted.url}/v1/people/crash-visitor`, {
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect(res.status).toBe(200);
    const person = (await res.json()) as { score: number; anonymousIds: string[] };
    expect(person.score).toBeGreaterThan(0);
    expect(person.anonymousIds).toEqual(['crash-visitor']);

    const stopped = exit(restarted.child);
    restarted.child.kill('SIGINT');
    expect((await stopped).code).toBe(0);
    const db = await openDatabase({ dataDir: dir });
    try {
      const [events] = await db.query<{ n: number }>('select count(*)::int as n from events');
      const [marks] = await db.query<{ n: number }>('select count(*)::int as n from unscored');
      expect(events?.n).toBe(batch.length);
      expect(marks?.n).toBe(0);
    } finally {
      await db.close();
    }
    // Two process starts (each builds and opens PGlite): generous, so that a loaded machine
    // is not mistaken for a failure.
  }, 240_000);
});
