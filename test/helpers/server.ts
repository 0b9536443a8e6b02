import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { type AppOptions, type Collector, createCollector } from '../../collector/app.ts';
import type { LoadLimits } from '../../collector/config.ts';
import { DEFAULT_LIMITS } from '../../collector/config.ts';
import type { Database } from '../../collector/db/client.ts';
import { serverOptions } from '../../collector/overload/server-options.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';

export interface TestServer {
  collector: Collector;
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

/**
 * The load limits of the tests' collectors: the shipped ones, except that nothing sheds by
 * rate or by how slow the machine is (rate limits off, the in-flight bound starts at its
 * maximum and does not adapt),
 * so that a loaded CI machine cannot turn a test of something else into a 429. The tests
 * of the limits set their own.
 */
export const TEST_LIMITS: Partial<LoadLimits> = {
  ratePerKey: 0,
  ratePerAddress: 0,
  targetLatencyMs: 3_600_000,
  initialInflightRequests: DEFAULT_LIMITS.maxInflightRequests,
};

/**
 * A real collector on a real port (127.0.0.1, any free port), served with the server
 * timeouts of `limits` as `npm start` does. `wrap` may put a Hono app in front of the
 * collector's, e.g. to simulate an outage.
 */
export async function startTestServer(
  db: Database,
  options: {
    adminToken?: string;
    wrap?: (app: Hono) => Hono;
    limits?: Partial<LoadLimits>;
    /** The collector's delivery of rule firings (its dispatcher runs unless `enabled` is false). */
    delivery?: AppOptions['delivery'];
    /** How often the periodic rescore runs; 0 = never. @default 60000 */
    rescoreIntervalMs?: number;
    /** The report the dashboard's calibration page shows. */
    calibration?: AppOptions['calibration'];
  } = {},
): Promise<TestServer> {
  const limits = { ...DEFAULT_LIMITS, ...TEST_LIMITS, ...options.limits };
  // The port comes first: the collector's public URL (the example site's script, tracked
  // links) is the URL it is really served at, as INKLING_PUBLIC_URL would say.
  let handle: (req: Request, env?: unknown) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve(
      { fetch: (req, env) => handle(req, env), port: 0, hostname: '127.0.0.1', serverOptions: serverOptions(limits) },
      () => resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const collector = createCollector({
    db,
    config: { adminToken: options.adminToken, publicUrl: url },
    limits,
    delivery: options.delivery,
    rescoreIntervalMs: options.rescoreIntervalMs,
    calibration: options.calibration,
  });
  const app = options.wrap ? options.wrap(collector.app) : collector.app;
  handle = (req, env) => app.fetch(req, env);
  return {
    collector,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/**
 * A test file's database and a real collector on a real port, opened before its tests and
 * closed after them; `ready` receives both.
 */
export function useTestServer(ready: (env: { t: TestDatabase; server: TestServer }) => void): void {
  let t: TestDatabase | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    t = await openTestDatabase();
    server = await startTestServer(t.db);
    ready({ t, server });
  });
  afterAll(async () => {
    await server?.close();
    await server?.collector.drain();
    await t?.close();
  });
}
