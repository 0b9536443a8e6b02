import { serve } from '@hono/node-server';
import { releaseLeases } from './alerts/claim.ts';
import { readDeliveryEnabled, readDeliverySettings } from './alerts/settings.ts';
import { type Collector, createCollector } from './app.ts';
import { readConfig } from './config.ts';
import { generatePassword } from './dashboard/passwords.ts';
import { createUser } from './dashboard/users.ts';
import type { Database } from './db/client.ts';
import { readRetentionSettings, startMaintenanceTimer } from './db/retention.ts';
import { createLogger, type Logger } from './log.ts';
import { serverOptions } from './overload/server-options.ts';
import { recoverUnscored } from './pipeline/recover.ts';
import { openConfiguredDatabase } from './runtime.ts';
import { createSite, listSites } from './sites.ts';

/** `npm start`: open the database, migrate, create the demo site once, serve. */
async function main(): Promise<void> {
  const config = readConfig();
  const retention = readRetentionSettings();
  const delivery = readDeliverySettings();
  const delivering = readDeliveryEnabled();
  if (!delivering && !config.databaseUrl) {
    // The embedded folder is this process's alone: no worker could ever send its firings.
    throw new Error('INKLING_DELIVERY=off needs DATABASE_URL: a delivery worker must share the database');
  }
  const log = createLogger(config.logLevel);
  const { db, close } = await openConfiguredDatabase(config);
  log.info('database ready', { database: db.kind, dataDir: db.kind === 'embedded' ? config.dataDir : undefined });

  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (db.kind === 'embedded' && (await listSites(db)).length === 0) {
    const local = [base, `http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`];
    const origins = [...new Set([...local, new URL(config.publicUrl).origin])];
    const demo = await createSite(db, 'Demo site', origins);
    const password = generatePassword();
    const user = await createUser(db, demo.siteId, { ...DEMO_USER, password, slackMemberId: null });
    printDemoKeys(demo.siteId, demo.writeKey, demo.secretKey);
    printDemoUser(config.publicUrl, user.email, password);
  }

  // The embedded folder is this process's alone: a lease left in it is a dead process's.
  if (db.kind === 'embedded') await releaseLeases(db);
  const collector = createCollector({
    db,
    config,
    log,
    accessLog: true,
    processMetrics: true,
    limits: config.limits,
    // Test only, off by default: dies right after a group's insert commits, before scoring.
    afterStored:
      process.env.INKLING_TEST_KILL_AFTER_STORE === '1' ? () => process.kill(process.pid, 'SIGKILL') : undefined,
    delivery: {
      ...delivery,
      enabled: delivering,
      // Test only, off by default: dies right before a delivery's POST (after its claim).
      beforeSend:
        process.env.INKLING_TEST_KILL_BEFORE_DELIVERY === '1' ? () => process.kill(process.pid, 'SIGKILL') : undefined,
    },
  });
  await recoverOnStart(db, collector, log);
  // Event partitions made ahead and retention applied, now and hourly (collector/retention.ts).
  const maintenance = startMaintenanceTimer(db, retention, log);
  const server = serve(
    // Slow clients are cut: the whole request within INKLING_REQUEST_TIMEOUT_MS (README "Under load").
    {
      fetch: collector.app.fetch,
      port: config.port,
      hostname: config.host,
      serverOptions: serverOptions(config.limits),
    },
    (info) => {
      log.info('collector listening', {
        url: `http://${info.address}:${info.port}`,
        admin: Boolean(config.adminToken),
      });
    },
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // Stop accepting, let in-flight requests finish, then wait for queued writes.
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    server.close(async () => {
      try {
        await maintenance.stop();
        await collector.drain();
        await close();
        log.info('stopped');
        process.exit(0);
      } catch (err) {
        log.error('shutdown failed', { err });
        process.exit(1);
      }
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * Scores what a crash left stored and unscored before serving. The embedded folder is this
 * process's alone (`db/lock.ts`), so every mark there is a dead process's; on PostgreSQL a
 * live collector may be scoring its own, so only marks older than the grace period (the
 * periodic job takes the rest). A failure is logged: the periodic job retries.
 */
async function recoverOnStart(db: Database, collector: Collector, log: Logger): Promise<void> {
  try {
    const graceMs = db.kind === 'embedded' ? 0 : undefined;
    const recovered = await recoverUnscored(db, collector.configs, { graceMs });
    if (recovered.events) log.warn('scored events a crash left unscored', { ...recovered });
  } catch (err) {
    log.error('recovering unscored events failed', { err });
  }
}

/** The dashboard user `npm start` creates beside the demo site (an admin of it). */
const DEMO_USER = { email: 'demo@inkling.local', name: 'Demo Admin', role: 'admin' } as const;

function printDemoUser(publicUrl: string, email: string, password: string): void {
  const lines = [
    'Dashboard (first start): sign in with this demo user. The password is shown only now.',
    `  dashboard:  ${publicUrl}/dashboard`,
    `  email:      ${email}`,
    `  password:   ${password}`,
    '',
    'Then browse the example site (it sends to the demo site): its visitors appear on the dashboard',
    'and change tiers as they read pricing and book a demo (a work email there names their company).',
    `  example site: ${publicUrl}/examples/`,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function printDemoKeys(siteId: string, writeKey: string, secretKey: string): void {
  const lines = [
    'Demo site created (first start). Keep the secret key: it is shown only now.',
    `  site id:    ${siteId}`,
    `  write key:  ${writeKey}   (public: the <script> snippet and ingest)`,
    `  secret key: ${secretKey}   (server-side: the sales API)`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  createLogger('error').error('startup failed', { err });
  process.exit(1);
});
