import { MAX_MESSAGE_BYTES } from '../../shared/limits.ts';
import type { MessageType } from '../../shared/messages.ts';
import type { EventRow } from '../db/event-row.ts';
import { InklingError } from '../errors.ts';
import type { RejectReason } from '../metrics.ts';
import { NestingError, sanitize, sanitizeMeasured } from './sanitize.ts';
import { batchEnvelopeSchema, describeIssue, messageSchema } from './schema.ts';

const TOO_LARGE = `message exceeds ${MAX_MESSAGE_BYTES / 1024} KB`;

export type Checked = { message: ReturnType<typeof messageSchema.parse> } | { reason: RejectReason; error: string };

/** A valid message, or why it is rejected (a metric label and the answer's `error`). */
export function checkMessage(raw: unknown, kind: MessageType | 'batch', measure: boolean): Checked {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { reason: 'not_an_object', error: 'message must be a JSON object' };
  }
  let clean: Record<string, unknown>;
  let bytes = 0;
  try {
    // The size is what JSON.stringify of the sanitized message would take, counted in the same walk.
    if (measure) ({ value: clean, bytes } = sanitizeMeasured(raw) as { value: Record<string, unknown>; bytes: number });
    else clean = sanitize(raw) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof NestingError) return { reason: 'too_deep', error: err.message };
    throw err;
  }
  if (bytes > MAX_MESSAGE_BYTES) return { reason: 'too_large', error: TOO_LARGE };
  // A single-message route names the type; the body's own `type` cannot contradict it
  // (a copy: sanitize may answer the parsed body itself).
  if (kind !== 'batch') clean = { ...clean, type: kind };
  const parsed = messageSchema.safeParse(clean);
  return parsed.success ? { message: parsed.data } : { reason: 'invalid', error: describeIssue(parsed.error) };
}

/** The messages of a body (one message, or a batch's) and the batch's envelope. */
export function unwrap(body: Record<string, unknown>, kind: MessageType | 'batch') {
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

export function messageIdOf(raw: unknown): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).messageId : undefined;
  return typeof id === 'string' ? id.slice(0, 256) : null;
}

/** The anonymous id every row carries, or null when the batch is about several visitors (or none). */
export function soleAnonymousId(rows: readonly EventRow[]): string | null {
  const id = rows[rows.length - 1]?.anonymous_id ?? null;
  return id !== null && rows.every((r) => r.anonymous_id === id) ? id : null;
}
