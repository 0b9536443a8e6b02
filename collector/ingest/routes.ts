import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { nanoid } from 'nanoid';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES } from '../../shared/limits.ts';
import type { IngestResponse, MessageType } from '../../shared/messages.ts';
import type { LoadLimits } from '../config.ts';
import type { Site } from '../db/schema.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { InklingError, RETRY_AFTER_SECONDS } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import { type InflightGauge, inflightGate } from '../overload/in-flight.ts';
import type { RateLimits } from '../overload/rate-limit.ts';
import type { Intent } from '../routes/answers.ts';
import type { SiteCache } from '../site-cache.ts';
import { originAllowed } from '../sites.ts';
import { readJsonBody } from './body.ts';
import { browserAgent, type EventRow, enrich } from './enrich.ts';
import { NestingError, sanitize } from './sanitize.ts';
import { batchEnvelopeSchema, describeIssue, messageSchema } from './schema.ts';
import { markVerified } from './verify.ts';
import type { EventWriter } from './writer.ts';

/** Route names and analytics.js short paths, to the message type they carry. */
/** `POST /v1/<name>`: what each ingest path receives (Segment's long and analytics.js's short paths). */
export const ROUTES: Record<string, MessageType | 'batch'> = {
  batch: 'batch',
  b: 'batch',
  import: 'batch',
  track: 'track',
  t: 'track',
  page: 'page',
  p: 'page',
  identify: 'identify',
  i: 'identify',
  group: 'group',
  g: 'group',
  alias: 'alias',
  a: 'alias',
  screen: 'screen',
  s: 'screen',
};

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

/** The ingest routes, and what their in-flight gate holds (for `/metrics`). */
export function ingestRoutes(deps: IngestDeps): { routes: Hono; inflight: InflightGauge } {
  const app = new Hono();
  const { gate, gauge, observe } = inflightGate({
    maxRequests: deps.limits.maxInflightRequests,
    initialRequests: deps.limits.initialInflightRequests,
    maxBytes: deps.limits.maxInflightBytes,
    targetMs: deps.limits.targetLatencyMs,
    bodyLimit: (path) => bodyLimitOf((Object.hasOwn(ROUTES, path.slice(4)) && ROUTES[path.slice(4)]) || 'batch'),
  });

  // Everything that can shed a request does so before its body is read.
  const shed: MiddlewareHandler = async function shedEarly(c, next) {
    if (!Object.hasOwn(ROUTES, c.req.param('route') ?? ''))
      throw new InklingError(404, 'not_found', `No route POST ${c.req.path}.`);
    await deps.rates.address(clientIp(c, deps.trustProxy));
    if (deps.writer.pending > deps.limits.maxPendingRows) {
      throw new InklingError(429, 'overloaded', 'The collector is busy; retry shortly.', { 'Retry-After': '1' });
    }
    await next();
  };

  app.post('/v1/:route', shed, gate, async (c) => {
    const kind = ROUTES[c.req.param('route')] as MessageType | 'batch';
    const limit = bodyLimitOf(kind);
    const { value: body, bytes } = await readJsonBody(c.req.raw, limit);
    // Why: no message can outgrow a body that is itself within the per-message limit.
    const measure = bytes > MAX_MESSAGE_BYTES;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InklingError(400, 'invalid_body', 'Body must be a JSON object.');
    }
    const { site, trusted } = await authenticate(c, body as Record<string, unknown>, deps.sites, deps.metrics);
    checkOrigin(c, site);
    await deps.rates.site(site.id);

    const { messages, sentAt, context } = unwrap(body as Record<string, unknown>, kind);
    if (messages.length > MAX_BATCH_MESSAGES) {
      throw new InklingError(413, 'too_many_messages', `A batch holds at most ${MAX_BATCH_MESSAGES} messages.`);
    }

    const facts = {
      siteId: site.id,
      receivedAt: new Date(),
      sentAt,
      context,
      clientIp: clientIp(c, deps.trustProxy),
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

function bodyLimitOf(kind: MessageType | 'batch'): number {
  return kind === 'batch' ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES;
}

/** The anonymous id every row carries, or null when the batch is about several visitors (or none). */
function soleAnonymousId(rows: readonly EventRow[]): string | null {
  const id = rows[rows.length - 1]?.anonymous_id ?? null;
  return id !== null && rows.every((r) => r.anonymous_id === id) ? id : null;
}

/** The database cannot be reached: the client should retry (nothing was stored). */
function unavailable(): InklingError {
  return new InklingError(503, 'unavailable', 'Events could not be stored; retry later.', {
    'Retry-After': RETRY_AFTER_SECONDS,
  });
}

const TOO_LARGE = `message exceeds ${MAX_MESSAGE_BYTES / 1024} KB`;

type Checked = { message: ReturnType<typeof messageSchema.parse> } | { reason: RejectReason; error: string };

/** A valid message, or why it is rejected (a metric label and the answer's `error`). */
function checkMessage(raw: unknown, kind: MessageType | 'batch', measure: boolean): Checked {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { reason: 'not_an_object', error: 'message must be a JSON object' };
  }
  let clean: Record<string, unknown>;
  try {
    clean = sanitize(raw) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof NestingError) return { reason: 'too_deep', error: err.message };
    throw err;
  }
  // Measured after sanitize: JSON.stringify recurses, and only sanitize bounds the depth.
  if (measure && Buffer.byteLength(JSON.stringify(clean)) > MAX_MESSAGE_BYTES) {
    return { reason: 'too_large', error: TOO_LARGE };
  }
  // A single-message route names the type; the body's own `type` cannot contradict it.
  if (kind !== 'batch') clean.type = kind;
  const parsed = messageSchema.safeParse(clean);
  return parsed.success ? { message: parsed.data } : { reason: 'invalid', error: describeIssue(parsed.error) };
}

function unwrap(body: Record<string, unknown>, kind: MessageType | 'batch') {
  if (kind !== 'batch') {
    return { messages: [body], sentAt: undefined, context: undefined };
  }
  const envelope = batchEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new InklingError(400, 'invalid_batch', describeIssue(envelope.error));
  }
  return { messages: envelope.data.batch, sentAt: envelope.data.sentAt, context: batchContext(envelope.data.context) };
}

/** The batch-level context, made safe; too deep a one refuses the batch (it applies to every message). */
function batchContext(context: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!context) return undefined;
  try {
    return sanitize(context) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof NestingError) throw new InklingError(400, 'invalid_batch', `context: ${err.message}`);
    throw err;
  }
}

function messageIdOf(raw: unknown): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).messageId : undefined;
  return typeof id === 'string' ? id.slice(0, 256) : null;
}

/** Who sent a request: the site, and whether with its secret key (a server: trusted). */
export interface Sender {
  site: Site;
  /** Sent with the secret key, which never reaches a page: what it says about identity is trusted. */
  trusted: boolean;
}

/**
 * The write key, or the secret key in its place (server-side libraries), from Basic auth, the
 * body's `writeKey`, or `?key=`, in that order.
 */
export async function authenticate(
  c: Context,
  body: Record<string, unknown>,
  sites: SiteCache,
  metrics?: Pick<Metrics, 'databaseErrors'>,
): Promise<Sender> {
  const key = basicUser(c.req.header('authorization')) ?? stringOrUndefined(body.writeKey) ?? c.req.query('key');
  if (!key) {
    throw new InklingError(401, 'missing_key', 'Send the write key as Basic auth username, `writeKey`, or `?key=`.');
  }
  const trusted = key.startsWith('sk_');
  let site: Site | undefined;
  try {
    if (key.length <= 256) site = await (trusted ? sites.bySecretKey(key) : sites.byWriteKey(key));
  } catch (err) {
    metrics?.databaseErrors.inc({ kind: isDatabaseUnavailable(err) ? 'unavailable' : 'query' });
    throw unavailable();
  }
  if (!site) throw new InklingError(401, 'unknown_key', `The ${trusted ? 'secret' : 'write'} key is not known.`);
  return { site, trusted };
}

function basicUser(header: string | undefined): string | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user || undefined;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A browser request from an origin the site does not list is refused, and nothing is stored. */
export function checkOrigin(c: Context, site: Site): void {
  const origin = c.req.header('origin');
  if (!origin) return;
  if (!originAllowed(site, origin)) {
    throw new InklingError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for this site.`);
  }
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Vary', 'Origin');
}

function clientIp(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
