import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver got it. */
export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The `webhook-id` header. */
  id: string | undefined;
  /** Whether `standardwebhooks`' `Webhook.verify` accepted it (null when no secret was given). */
  verified: boolean | null;
  /** The status it was answered. */
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Never answers (for timeouts). */
  hang?: boolean;
}

export interface Receiver {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly received: Received[];
  /** The signing secret its checks use (`whsec_...`); none: `verified` is null. */
  secret: string | undefined;
  /** What the next requests are answered (the default: 200). */
  answer: (r: Received) => Answer;
  /** Stops listening: the port refuses connections (the receiver is "down"). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP webhook receiver on 127.0.0.1 that verifies each request's Standard Webhooks
 * signature with `standardwebhooks`' `Webhook.verify`, unchanged, as a site would.
 */
export async function startReceiver(secret?: string): Promise<Receiver> {
  let server: Server;
  let port = 0;
  const hanging = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    secret,
    received: [],
    answer: () => ({ status: 200 }),
    async down() {
      for (const end of hanging) end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async up() {
      await listen();
    },
    async close() {
      if (server.listening) await receiver.down();
    },
  };
  const listen = () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        let verified: boolean | null = null;
        if (receiver.secret) {
          try {
            new Webhook(receiver.secret).verify(body, req.headers as Record<string, string>);
            verified = true;
          } catch {
            verified = false;
          }
        }
        const got: Received = {
          path: req.url ?? '',
          headers: req.headers,
          body,
          id: req.headers['webhook-id'] as string | undefined,
          verified,
          status: 0,
        };
        const answer = receiver.answer(got);
        got.status = answer.hang ? 0 : answer.status;
        receiver.received.push(got);
        if (answer.hang) {
          hanging.add(() => res.destroy());
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.status < 300 ? 'ok' : `answer ${answer.status}`);
      });
    });
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  };
  await listen();
  Object.defineProperty(receiver, 'url', { value: `http://127.0.0.1:${port}` });
  return receiver;
}

/** Polls `check` until it answers something other than undefined (generous: a loaded machine is slow). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
