import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Intent, NEUTRAL_INTENT } from '../shared/intent.ts';
import type { BatchBody, Message } from '../shared/messages.ts';

/** One request as the recorder saw it. */
export interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: BatchBody;
}

export interface Recorder {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  requests: Received[];
  /** The URLs of the intent lookups (`GET /v1/intent?...`), in order. */
  lookups: string[];
  /** Every message received, in order (duplicates included). */
  messages(): Message[];
  /**
   * The answer to the next POSTs (default 200); `intent`, when set, rides on a 200 (as the
   * collector's ingest answer carries it) and answers the lookups (else the neutral intent).
   */
  answer: { status: number; headers?: Record<string, string>; intent?: Intent };
  close(): Promise<void>;
}

/**
 * A real HTTP endpoint for the SDK's unit tests (not a collector: it stores nothing and
 * validates nothing), answering CORS like the collector so that the page's fetch and
 * sendBeacon reach it for real. The end-to-end flow is tested against the collector in
 * test/browser.
 */
export async function startRecorder(): Promise<Recorder> {
  const requests: Received[] = [];
  const lookups: string[] = [];
  const answer: Recorder['answer'] = { status: 200 };
  const server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'content-type');
    res.setHeader('Access-Control-Expose-Headers', 'retry-after');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    if (req.method === 'GET') {
      lookups.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(answer.intent ?? NEUTRAL_INTENT));
    }
    const text = await read(req);
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      body: JSON.parse(text),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(
      JSON.stringify(
        answer.status === 200
          ? { success: true, ...(answer.intent && { intent: answer.intent }) }
          : { error: { code: 'x', message: 'x' } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    lookups,
    answer,
    messages: () => requests.flatMap((r) => r.body.batch),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
