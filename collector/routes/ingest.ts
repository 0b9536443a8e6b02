import { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { nanoid } from 'nanoid';
import type { Intent } from '../../shared/intent.ts';
import { MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES } from '../../shared/limits.ts';
import type { IngestResponse, MessageType } from '../../shared/messages.ts';
import type { LoadLimits } from '../config.ts';
import type { EventRow } from '../db/event-row.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { InklingError, RETRY_AFTER_SECONDS } from '../errors.ts';
import { readJsonBody } from '../ingest/body.ts';
import { browserAgent, enrich } from '../ingest/enrich.ts';
import { checkMessage, messageIdOf, soleAnonymousId, unwrap } from '../ingest/messages.ts';
import { bodyLimitOf, routeKind } from '../ingest/paths.ts';
import { markVerified } from '../ingest/verify.ts';
import type { EventWriter } from '../ingest/writer.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { clientAddress } from '../overload/client-address.ts';
import { type InflightGauge, inflightGate } from '../overload/in-flight.ts';
import type { RateLimits } from '../overload/rate-limit.ts';
import type { SiteCache } from '../site-cache.ts';
import { type WriteKeyEnv, writeKeyAuth } from './write-key.ts';

export interface IngestDeps {
  sites: SiteCache;
  writer: EventWriter;
  log: Logger;
  trustProxy: boolean;
  /** Per write key and per client address. */
  rates: RateLimits;
  /** The in-flight bounds (README "Under load"). */
  limits: Pick<
    LoadLimits,
    'maxPendingRows' | 'maxInflightRequests' | 'initialInflightRequests' | 'maxInflightBytes' | 'targetLatencyMs'
  >;
  /**
   * The visitor's stored intent, looked up after the batch is scored; only set when
   * scoring is on (without it the answer has no `intent`).
   */
  intentOf?: (siteId: string, anonymousId: string) => Promise<Intent>;
  /** Counts accepted and rejected messages and database errors (the refusals are counted by `onError`). */
  metrics: Pick<Metrics, 'accepted' | 'rejected' | 'refused' | 'databaseErrors'>;
}

type Rejected = IngestResponse['rejected'][number];

/** The write key's variables, and the size of the body `readIngestBody` read. */
type IngestEnv = WriteKeyEnv & { Variables: { bytes: number } };

/** The ingest routes, and what their in-flight gate holds (for `/metrics`). */
export function ingestRoutes(deps: IngestDeps): { routes: Hono<IngestEnv>; inflight: InflightGauge } {
  const app = new Hono<IngestEnv>();
  const { gate, gauge, observe } = inflightGate({
    maxRequests: deps.limits.maxInflightRequests,
    initialRequests: deps.limits.initialInflightRequests,
    maxBytes: deps.limits.maxInflightBytes,
    targetMs: deps.limits.targetLatencyMs,
    bodyLimit: (path) => bodyLimitOf(routeKind(path.slice(4)) ?? 'batch'),
  });

  // Everything that can shed a request does so before its body is read.
  const shed: MiddlewareHandler = async function shedEarly(c, next) {
    if (!routeKind(c.req.param('route') ?? ''))
      throw new InklingError(404, 'not_found', `No route POST ${c.req.path}.`);
    await deps.rates.address(clientAddress(c, deps.trustProxy));
    if (deps.writer.pending > deps.limits.maxPendingRows) {
      throw new InklingError(429, 'overloaded', 'The collector is busy; retry shortly.', { 'Retry-After': '1' });
    }
    await next();
  };

  // Within the kind's limit (also once inflated), before the key: the body may carry it.
  const readBody: MiddlewareHandler<IngestEnv> = async function readIngestBody(c, next) {
    const { value: body, bytes } = await readJsonBody(c.req.raw, bodyLimitOf(kindOf(c)), overHttp1(c));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InklingError(400, 'invalid_body', 'Body must be a JSON object.');
    }
    c.set('body', body as Record<string, unknown>);
    c.set('bytes', bytes);
    await next();
  };
  const writeKey = writeKeyAuth(deps.sites, { metrics: deps.metrics });

  app.post('/v1/:route', shed, gate, readBody, writeKey, async (c) => {
    const kind = kindOf(c);
    const { site, trusted } = c.var;
    const body = c.var.body as Record<string, unknown>;
    // Why: no message can outgrow a body that is itself within the per-message limit.
    const measure = c.var.bytes > MAX_MESSAGE_BYTES;
    await deps.rates.site(site.id);

    const { messages, sentAt, context } = unwrap(body, kind);
    if (messages.length > MAX_BATCH_MESSAGES) {
      throw new InklingError(413, 'too_many_messages', `A batch holds at most ${MAX_BATCH_MESSAGES} messages.`);
    }

    const facts = {
      siteId: site.id,
      receivedAt: new Date(),
      sentAt,
      context,
      clientIp: clientAddress(c, deps.trustProxy),
      userAgent: browserAgent((name) => c.req.header(name)),
      newMessageId: () => `srv-${nanoid()}`,
    };
    const rows: EventRow[] = [];
    const rejected: Rejected[] = [];
    let oversized = 0;
    messages.forEach((raw, index) => {
      const problem = checkMessage(raw, kind, measure);
      if ('reason' in problem) {
        if (problem.reason === 'too_large') oversized++;
        deps.metrics.rejected.inc({ reason: problem.reason });
        rejected.push({ index, messageId: messageIdOf(raw), error: problem.error });
        return;
      }
      rows.push(markVerified(enrich(problem.message, facts), site, trusted));
    });

    if (rows.length === 0) {
      const allLarge = oversized > 0 && oversized === rejected.length;
      deps.metrics.refused.inc({ code: allLarge ? 'payload_too_large' : 'no_valid_messages' });
      return c.json(
        {
          error: {
            code: allLarge ? 'payload_too_large' : 'no_valid_messages',
            message: messages.length === 0 ? 'The batch is empty.' : 'No message in the body is valid.',
          },
          rejected,
        },
        allLarge ? 413 : 400,
      );
    }

    const storing = performance.now();
    try {
      await deps.writer.write(rows);
      observe(performance.now() - storing);
    } catch (err) {
      deps.metrics.databaseErrors.inc({ kind: isDatabaseUnavailable(err) ? 'unavailable' : 'query' });
      deps.log.error('ingest write failed', { siteId: site.id, rows: rows.length, err });
      throw unavailable();
    }
    deps.metrics.accepted.inc(rows.length);
    const answer: IngestResponse = { success: true, accepted: rows.length, rejected };
    const visitor = deps.intentOf ? soleAnonymousId(rows) : null;
    if (visitor && deps.intentOf) answer.intent = await deps.intentOf(site.id, visitor);
    return c.json(answer);
  });

  return { routes: app, inflight: gauge };
}

/** The message type of the route (`shedEarly` has answered 404 for an unknown one). */
function kindOf(c: Context): MessageType | 'batch' {
  return routeKind(c.req.param('route') ?? '') ?? 'batch';
}

/** The database cannot be reached: the client should retry (nothing was stored). */
function unavailable(): InklingError {
  return new InklingError(503, 'unavailable', 'Events could not be stored; retry later.', {
    'Retry-After': RETRY_AFTER_SECONDS,
  });
}

/** Served by Node's HTTP/1 server, whose parser delivers exactly the declared Content-Length. */
function overHttp1(c: Context): boolean {
  return (c.env as { incoming?: unknown } | undefined)?.incoming instanceof IncomingMessage;
}
