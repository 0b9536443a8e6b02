import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let t: TestDatabase;
let server: TestServer;
beforeAll(async () => {
  t = await openTestDatabase();
  // The shipped default is 15 s; a short one keeps the test short. Node answers 408 and closes.
  server = await startTestServer(t.db, { limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } });
});
afterAll(async () => {
  await server?.close();
  await server?.collector.drain();
  await t?.close();
});

/**
 * Opens a raw connection, sends `head`, then dribbles `body` one byte every 100 ms.
 * Resolves when the server closes the connection: how many body bytes went out by then
 * and what the server answered.
 */
function dribble(head: string, body: string): Promise<{ sent: number; answer: string }> {
  const { port, hostname } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let sent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < body.length && socket.writable) socket.write(body[sent++] as string);
      }, 100);
    });
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ sent, answer });
    });
  });
}

describe('slow clients', () => {
  it('should cut a request whose body is dribbled slowly, long before the body is complete', async () => {
    const body = JSON.stringify({ writeKey: 'pk_x', batch: [{ type: 'track', event: 'x'.repeat(2000) }] });
    const head = `POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { sent, answer } = await dribble(head, body);
    // At 10 bytes/s the body would take over 200 s; the server closed the connection well before.
    expect(sent).toBeLessThan(body.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('should count a body cut short, by the timeout or by a client that hangs up, as refused and never as a server error', async () => {
    const aborted = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return {
        text,
        n: Number(/inkling_ingest_refused_requests_total\{code="request_aborted"\} (\d+)/.exec(text)?.[1] ?? 0),
      };
    };
    const before = (await aborted()).n;
    const body = JSON.stringify({ writeKey: 'pk_x', batch: [{ type: 'track', event: 'x' }] });
    const head = `POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 50}\r\n\r\n`;
    // The timeout: the body never completes.
    await dribble(head, body);
    // A client that hangs up halfway.
    await new Promise<void>((resolve) => {
      const { port, hostname } = new URL(server.url);
      const socket = connect(Number(port), hostname, () => {
        socket.write(head + body.slice(0, 10));
        setTimeout(() => socket.destroy(), 200);
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    const after = await aborted();
    expect(after.n - before).toBe(2);
    expect(after.text).not.toMatch(/status="500"/);
  }, 30_000);

  it('should cut a request whose headers are dribbled slowly', async () => {
    const head = `POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n${'X-Slow: a\r\n'.repeat(300)}\r\n`;
    const { sent } = await dribble('', head);
    expect(sent).toBeLessThan(head.length);
  }, 30_000);
});
