import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../collector/db/client.ts';
import { runScript, startScript, waitForLine } from './helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'inkling-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `npm start` runs, on the embedded default (no DATABASE_URL), on a free port. */
const env = { DATABASE_URL: '', INKLING_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' };

function postRaw(
  url: string,
  path: string,
  body: string,
  key: string,
  onSent: () => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => {
          data += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body, onSent);
  });
}

describe('npm start on a fresh machine', () => {
  it('should create a demo site once, ingest over HTTP, refuse a second process and stop gracefully', async () => {
    const first = startScript('collector/main.ts', [], env);
    let stdout = '';
    first.stdout?.on('data', (d) => {
      stdout += d;
    });
    const listening = JSON.parse(await waitForLine(first, /collector listening/));
    const url: string = listening.url;
    const writeKey = /write key:\s+(pk_\w+)/.exec(stdout)?.[1];
    expect(/secret key:\s+(sk_\w+)/.test(stdout)).toBe(true);
    expect(writeKey).toBeDefined();

    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'embedded' });

    // The demo user printed beside the keys signs in to the printed dashboard URL.
    expect(stdout).toMatch(/dashboard:\s+http:\/\/\S+\/dashboard\n/);
    // ... and the example site that sends to the demo site (PORT=0 here: the printed port is 0).
    const example = /example site:\s+(http:\/\/\S+\/examples\/)\n/.exec(stdout)?.[1] ?? '';
    const examplePage = await fetch(new URL(new URL(example).pathname, url));
    expect(examplePage.status).toBe(200);
    expect(await examplePage.text()).toContain(`data-key="${writeKey}"`);
    const email = /email:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const password = /password:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const form = await fetch(`${url}/dashboard/login`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const signIn = await fetch(`${url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        origin: url,
        cookie: form.headers.getSetCookie()[0]?.split(';')[0] ?? '',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ email, password, csrf }).toString(),
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/dashboard');

    // A second collector on the same data folder must refuse, not corrupt it.
    const second = await runScript('collector/main.ts', [], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use by process/);

    // A large batch in flight when SIGTERM arrives is still answered and stored.
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      type: 'track',
      event: 'Shutdown Test',
      anonymousId: `a${i % 7}`,
      messageId: `shutdown-${i}`,
      properties: { i },
    }));
    const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
    const inFlight = postRaw(url, '/v1/batch', JSON.stringify({ batch }), writeKey as string, () => {
      // The body is on the wire; give the server a moment to start reading it.
      setTimeout(() => first.kill('SIGTERM'), 30);
    });
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).accepted).toBe(2000);
    // Graceful: the 15 s forced exit would be code 1 with "shutdown timed out".
    expect(await exited).toBe(0);
    expect(stdout).not.toMatch(/shutdown timed out/);
    expect(stdout).toMatch(/"msg":"stopped"/);

    const db = await openDatabase({ dataDir: dir });
    try {
      const [row] = await db.query<{ n: number }>(
        `select count(*)::int as n from events where event = 'Shutdown Test'`,
      );
      expect(row?.n).toBe(2000);
    } finally {
      await db.close();
    }

    // Second start: same data, no new demo site.
    const again = startScript('collector/main.ts', [], env);
    let out2 = '';
    again.stdout?.on('data', (d) => {
      out2 += d;
    });
    await waitForLine(again, /collector listening/);
    const stopped = new Promise<number | null>((resolve) => again.once('exit', resolve));
    again.kill('SIGINT');
    expect(await stopped).toBe(0);
    expect(out2).not.toMatch(/Demo site created/);
    // Three process starts (each builds and opens PGlite) and a 2,000-message batch: generous,
    // so that a loaded machine is not mistaken for a failure.
  }, 240_000);
});
