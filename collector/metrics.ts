import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from './db/client.ts';

/** Why a message of an accepted batch was left out (`rejected[]`), as a bounded label. */
export type RejectReason = 'not_an_object' | 'too_deep' | 'too_large' | 'invalid';

/** Why a database error was counted: the database was unavailable (503), or anything else (500). */
export type DatabaseErrorKind = 'unavailable' | 'query';

/**
 * The collector's Prometheus metrics, in a registry of its own (one per `createCollector`,
 * so that many collectors in one process never collide). README "Metrics" lists them.
 */
export interface Metrics {
  registry: Registry;
  /** Messages stored (or recognised as already stored) by ingest. */
  accepted: Counter<never>;
  /** Messages left out of an ingest request, by reason. */
  rejected: Counter<'reason'>;
  /** Ingest requests refused as a whole (4xx/5xx with an error code), by code. */
  refused: Counter<'code'>;
  /** Requests shed with 429 on any route, by code (`rate_limited`, `overloaded`). */
  shed: Counter<'code'>;
  /** Database errors, by kind. */
  databaseErrors: Counter<'kind'>;
  /** Request latency, by method, route pattern and status. */
  latency: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricSources {
  db: Database;
  /** Ingest requests in flight right now, and the bound they are admitted under. */
  inflight: () => { requests: number; bytes: number; limit: number };
  /** Rows queued for the writer's next statement. */
  pendingRows: () => number;
  /** The process's memory, CPU, event loop lag... (prom-client's defaults): `npm start` only. */
  processMetrics?: boolean;
}

const OLDEST_UNSCORED = `SELECT extract(epoch FROM now() - min(marked_at))::float8 AS age, count(*)::int AS marks FROM unscored`;

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (sources.processMetrics) collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'inkling_ingest_inflight_requests',
    help: 'Ingest requests admitted and not yet answered.',
    registers,
    collect() {
      this.set(sources.inflight().requests);
    },
  });
  new Gauge({
    name: 'inkling_ingest_inflight_bytes',
    help: 'Body bytes reserved by the ingest requests in flight.',
    registers,
    collect() {
      this.set(sources.inflight().bytes);
    },
  });
  new Gauge({
    name: 'inkling_ingest_inflight_limit',
    help: 'How many ingest requests are admitted at once now (adapts to the store latency).',
    registers,
    collect() {
      this.set(sources.inflight().limit);
    },
  });
  new Gauge({
    name: 'inkling_ingest_pending_rows',
    help: 'Rows queued for the next insert statement (group commit).',
    registers,
    collect() {
      this.set(sources.pendingRows());
    },
  });
  const unscoredMarks = new Gauge({
    name: 'inkling_scoring_unscored_events',
    help: 'Stored events whose identity and scores are not committed yet (the unscored marks).',
    registers,
  });
  new Gauge({
    name: 'inkling_scoring_lag_seconds',
    help: 'Age of the oldest stored event not yet scored (0 when every stored event is scored).',
    registers,
    async collect() {
      try {
        const [row] = await sources.db.query<{ age: number | null; marks: number }>(OLDEST_UNSCORED);
        this.set(Math.max(0, row?.age ?? 0));
        unscoredMarks.set(row?.marks ?? 0);
      } catch {
        // The database is unavailable: the gauges keep their last values; /readyz says why.
      }
    },
  });

  return {
    registry,
    accepted: new Counter({
      name: 'inkling_ingest_accepted_messages_total',
      help: 'Messages accepted by ingest (stored once, or already stored).',
      registers,
    }),
    rejected: new Counter({
      name: 'inkling_ingest_rejected_messages_total',
      help: 'Messages ingest left out of a request (listed in `rejected`), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    refused: new Counter({
      name: 'inkling_ingest_refused_requests_total',
      help: 'Ingest requests refused as a whole, by error code (e.g. too_many_messages, unknown_key, rate_limited).',
      labelNames: ['code'],
      registers,
    }),
    shed: new Counter({
      name: 'inkling_shed_requests_total',
      help: 'Requests answered 429 (rate limited or overloaded), by error code.',
      labelNames: ['code'],
      registers,
    }),
    databaseErrors: new Counter({
      name: 'inkling_database_errors_total',
      help: 'Database errors: unavailable (answered 503) or query (a failed statement, answered 500).',
      labelNames: ['kind'],
      registers,
    }),
    latency: new Histogram({
      name: 'inkling_http_request_duration_seconds',
      help: 'Time to answer a request (until its headers; a streamed body may take longer), by route.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
