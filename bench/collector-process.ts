import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { readDeliveryEnabled } from '../collector/alerts/settings.ts';
import { createCollector } from '../collector/app.ts';
import { readLimits } from '../collector/config.ts';
import { openDatabase } from '../collector/db/client.ts';
import { serverOptions } from '../collector/overload/server-options.ts';
import { parentChannel } from './child.ts';

/**
 * The collector under test, in its own process: the real app on a real port
 * (127.0.0.1, any free port), on the bench database, as `npm start` would run it minus
 * the access log. Answers `cpu` with its CPU time so far, `rss` with its peak resident set
 * size (KB), `memory` with its current RSS and heap used (bytes); `stop` drains and exits. The limits come from the INKLING_* variables, except
 * that the rate limits are off unless set: the throughput benchmarks send from one address.
 */
const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');
const db = await openDatabase({ url });
const limits = readLimits({ INKLING_RATE_LIMIT_PER_ADDRESS: '0', INKLING_RATE_LIMIT_PER_KEY: '0', ...process.env });
// BENCH_SCORING=off: store only (no identity, no scores), the baseline for scoring's cost.
const collector = createCollector({
  db,
  config: {},
  scoring: process.env.BENCH_SCORING !== 'off',
  rescoreIntervalMs: 0,
  limits,
  // INKLING_DELIVERY=off, as `npm start` reads it: rules are evaluated and firings written to
  // the outbox, a delivery worker sends them.
  delivery: { enabled: readDeliveryEnabled() },
});

const send = parentChannel(async (m) => {
  if (m.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
  if (m.type === 'rss') send({ type: 'rss', maxRss: process.resourceUsage().maxRSS });
  if (m.type === 'memory') {
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed });
  }
  if (m.type === 'stop') {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    await collector.drain();
    await db.close();
    // Exiting normally lets --cpu-prof write its profile.
    process.exit(0);
  }
});

const server = serve(
  { fetch: collector.app.fetch, port: 0, hostname: '127.0.0.1', serverOptions: serverOptions(limits) },
  () => {
    send({ type: 'ready', port: (server.address() as AddressInfo).port });
  },
);
