import { Hono } from 'hono';
import type { Dispatcher } from './alerts/dispatcher.ts';
import { registerRuleEvaluator } from './alerts/evaluator.ts';
import { DEFAULT_DELIVERY, type DeliverySettings } from './alerts/settings.ts';
import { startDelivery } from './alerts/worker.ts';
import { buildCalibrationReport } from './calibration/report.ts';
import { type ChangeFeed, openChangeFeed } from './changes/feed.ts';
import { type Config, DEFAULT_LIMITS, DEFAULT_PUBLIC_URL, type LoadLimits } from './config.ts';
import { preflight } from './cors.ts';
import { type DashboardDeps, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './dashboard/context.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import type { Database } from './db/client.ts';
import { isDatabaseError, isDatabaseUnavailable } from './db/unavailable.ts';
import { errorBody, InklingError, RETRY_AFTER_SECONDS } from './errors.ts';
import { routeKind } from './ingest/paths.ts';
import { createEventWriter, type EventWriter } from './ingest/writer.ts';
import { createIntentCache, type IntentCache } from './intent-cache.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { apiBodyLimit } from './overload/body-limit.ts';
import { createRateLimits } from './overload/rate-limit.ts';
import { createPipeline } from './pipeline/pipeline.ts';
import { type RescoreTimer, startRescoreTimer } from './pipeline/rescore-timer.ts';
import { accountSignalRoutes } from './routes/account-signals.ts';
import { accountRoutes } from './routes/accounts.ts';
import { adminRoutes } from './routes/admin.ts';
import { calibrationRoutes } from './routes/calibration.ts';
import { configRoutes } from './routes/config.ts';
import { eraseRoutes } from './routes/erase.ts';
import { exportRoutes } from './routes/export.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { intentRoutes } from './routes/intent.ts';
import { linkRoutes } from './routes/links.ts';
import { metricsRoutes, requestTimer } from './routes/metrics.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { ownerRoutes } from './routes/owners.ts';
import { peopleRoutes } from './routes/people.ts';
import { peopleListRoutes } from './routes/people-list.ts';
import { ruleStatsRoutes } from './routes/rule-stats.ts';
import { ruleRoutes } from './routes/rules.ts';
import { staticRoutes } from './routes/static.ts';
import { type ConfigStore, createConfigStore } from './scoring/config-store.ts';
import { createSiteCache, type SiteCache } from './site-cache.ts';
import { rejectNulInUrl } from './url-text.ts';

export interface AppOptions {
  db: Database;
  config?: Partial<Pick<Config, 'adminToken' | 'trustProxy' | 'publicUrl' | 'denyPrivateWebhooks'>>;
  log?: Logger;
  /** Log one line per request. @default false */
  accessLog?: boolean;
  /**
   * Identity and real-time scores on ingest, before each answer. Off: events are only
   * stored (the benchmark's baseline). @default true
   */
  scoring?: boolean;
  /**
   * How often due scores are recomputed and unscored events older than the grace period are
   * recovered; 0 = never (tests run `rescore` and `recoverUnscored` themselves). @default 60000
   */
  rescoreIntervalMs?: number;
  /** How old an unscored mark must be before the periodic job replays it. @default RECOVER_GRACE_MS */
  recoverGraceMs?: number;
  /**
   * Test only (off by default): runs after a group's insert has committed and before its
   * identity and scores, to simulate a crash (or a failure, when it throws) in between.
   */
  afterStored?: () => void;
  /** In-flight bounds and rate limits (the server timeouts are set where it is served). @default DEFAULT_LIMITS */
  limits?: Partial<LoadLimits>;
  /** Also export the process's memory, CPU and event loop metrics on `/metrics`. @default false */
  processMetrics?: boolean;
  /**
   * Delivery of rule firings (alerts/): the dispatcher and the digest job run in every
   * collector unless `enabled` is false (tests that look at the outbox untouched).
   */
  delivery?: Partial<DeliverySettings> & {
    /** @default true */
    enabled?: boolean;
    /** Test only (off by default): runs right before each delivery's POST. */
    beforeSend?: () => void;
  };
  /** The dashboard's sign-in attempts per email and per address. @default DEFAULT_LOGIN_LIMITS */
  loginLimits?: Partial<LoginLimits>;
  /** The calibration report the dashboard shows. @default buildCalibrationReport on `db` (tests give a fixed one) */
  calibration?: DashboardDeps['calibration'];
}

export interface Collector {
  app: Hono;
  writer: EventWriter;
  sites: SiteCache;
  configs: ConfigStore;
  /** Every process's score changes, this one's right after each commit: subscribe to act on them. */
  changes: ChangeFeed;
  /** Tier lookups from memory, evicted on score changes. */
  intents: IntentCache;
  /** This collector's Prometheus registry and metrics (`GET /metrics`). */
  metrics: Metrics;
  /** The outbox's dispatcher in this process (null when delivery is off). */
  dispatcher: Dispatcher | null;
  /** How delivery runs in this process (the give-up time for new firings, among others). */
  delivery: DeliverySettings;
  /** Stops answering /readyz and waits for queued writes. */
  drain(): Promise<void>;
}

function isIngestPath(path: string): boolean {
  return path.startsWith('/v1/') && routeKind(path.slice(4)) !== undefined;
}

/** Builds the collector's HTTP app around an open, migrated database. */
export function createCollector(options: AppOptions): Collector {
  const { db } = options;
  const log = options.log ?? createLogger('silent');
  const configs = createConfigStore(db);
  const scoring = options.scoring ?? true;
  const changes = openChangeFeed(db, log);
  const { enabled: deliveryOn = true, beforeSend, ...deliveryOptions } = options.delivery ?? {};
  const delivery: DeliverySettings = { ...DEFAULT_DELIVERY, ...deliveryOptions };
  // Rules fire inside the transactions that store scores (ingest and the periodic rescore).
  const stopRules = registerRuleEvaluator(db, delivery.giveUpMs);
  const intents = createIntentCache(db, changes, configs.model);
  const writer = createEventWriter(db, {
    pipeline: scoring ? createPipeline(db, configs, { beforeRun: options.afterStored }) : undefined,
  });
  const interval = options.rescoreIntervalMs ?? 60_000;
  const timer: RescoreTimer | null =
    scoring && interval > 0 ? startRescoreTimer(db, configs, log, interval, options.recoverGraceMs) : null;
  const sites = createSiteCache(db);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const publicUrl = options.config?.publicUrl ?? DEFAULT_PUBLIC_URL;
  const delivering = deliveryOn ? startDelivery(db, { settings: delivery, publicUrl, log, changes, beforeSend }) : null;
  let closing = false;
  const metrics = createMetrics({
    db,
    inflight: () => ingest.inflight,
    pendingRows: () => writer.pending,
    processMetrics: options.processMetrics,
  });
  const ingest = ingestRoutes({
    sites,
    writer,
    log,
    trustProxy: options.config?.trustProxy ?? false,
    rates: createRateLimits({
      perKey: limits.ratePerKey,
      perAddress: limits.ratePerAddress,
      windowSeconds: limits.rateWindowSeconds,
    }),
    limits,
    intentOf: scoring ? intents.get : undefined,
    metrics,
  });
  const app = new Hono();
  app.use(requestTimer(metrics));

  if (options.accessLog) {
    app.use(async function accessLog(c, next) {
      const start = performance.now();
      await next();
      log.info('request', {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      });
    });
  }
  app.use(rejectNulInUrl());
  app.use(preflight(sites));
  // Ingest reads its own body within its own limits (ingest/body.ts).
  app.use(apiBodyLimit((method, path) => method === 'POST' && isIngestPath(path)));
  app.route(
    '/',
    healthRoutes(db, () => closing),
  );
  if (options.config?.adminToken) app.route('/', adminRoutes(db, options.config.adminToken));
  // Before ingest, whose `POST /v1/:route` answers 404 for any other name.
  app.route('/', linkRoutes(db, writer, publicUrl));
  app.route('/', ruleRoutes(db, configs, { denyPrivate: options.config?.denyPrivateWebhooks ?? false }));
  app.route('/', openApiRoutes());
  app.route('/', metricsRoutes(metrics));
  app.route('/', ingest.routes);
  app.route('/', intentRoutes(intents.get, sites));
  app.route('/', peopleListRoutes(db));
  app.route('/', peopleRoutes(db, configs));
  app.route('/', accountSignalRoutes(db, configs));
  app.route('/', accountRoutes(db));
  app.route('/', ownerRoutes(db));
  app.route('/', ruleStatsRoutes(db));
  app.route('/', calibrationRoutes(db));
  app.route('/', exportRoutes(db, configs, log));
  app.route('/', eraseRoutes(db, configs));
  app.route('/', configRoutes(db, configs));
  app.route('/', staticRoutes(db, { publicUrl }));
  app.route(
    '/',
    dashboardRoutes({
      db,
      configs,
      log,
      trustProxy: options.config?.trustProxy ?? false,
      publicUrl,
      loginLimits: { ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits },
      calibration: options.calibration ?? ((siteId, o) => buildCalibrationReport(db, siteId, o)),
    }),
  );

  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `No route ${c.req.method} ${c.req.path}.` } }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof InklingError) {
      if (err.status === 429) metrics.shed.inc({ code: err.code });
      if (c.req.method === 'POST' && isIngestPath(c.req.path)) metrics.refused.inc({ code: err.code });
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json({ error: { code: err.code, message: err.message } }, err.status);
    }
    if (isDatabaseUnavailable(err)) {
      // Refused, dropped, terminated or timed out: the client retries; the pool reconnects
      // by itself once the server answers again.
      metrics.databaseErrors.inc({ kind: 'unavailable' });
      if (c.req.method === 'POST' && isIngestPath(c.req.path)) metrics.refused.inc({ code: 'unavailable' });
      log.warn('database unavailable', { method: c.req.method, path: c.req.path, err: err.cause ?? err });
      c.header('Retry-After', RETRY_AFTER_SECONDS);
      return c.json(errorBody('unavailable', 'The database is unavailable; retry later.'), 503);
    }
    // Database and programming errors are logged (one JSON line, the stack a field), never echoed.
    if (isDatabaseError(err)) metrics.databaseErrors.inc({ kind: 'query' });
    log.error('unhandled error', { method: c.req.method, path: c.req.path, err });
    return c.json({ error: { code: 'internal', message: 'Internal error.' } }, 500);
  });

  return {
    app,
    writer,
    sites,
    configs,
    changes,
    intents,
    metrics,
    dispatcher: delivering?.dispatcher ?? null,
    delivery,
    async drain() {
      closing = true;
      await delivering?.stop();
      await timer?.stop();
      await writer.drain();
      await intents.close();
      await changes.close();
      stopRules();
    },
  };
}
