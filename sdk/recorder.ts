import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /** Every message received, in order (duplicates included). */
  messages(): Message[];
  /** The answer to the next POSTs (default 200). */
  answer: { status: number; headers?: Record<string, string> };
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
  const answer: Recorder['answer'] = { status: 200 };
  const server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'content-type');
    res.setHeader('Access-Control-Expose-Headers', 'retry-after');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const text = await read(req);
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      body: JSON.parse(text),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.status === 200 ? { success: true } : { error: { code: 'x', message: 'x' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
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
