import type { Message } from '../shared/messages.ts';
import { bytes, getItem, setItem } from './env.ts';

/**
 * Sends one batch. Resolves undefined when the batch is done with (stored, or refused for
 * good), or the least number of milliseconds to wait before retrying it (0 = no hint).
 */
export type Send = (batch: Message[]) => Promise<number | undefined>;

// Properties ending in `_` are internal: the build shortens them (esbuild mangleProps).
export interface RetryQueue {
  push_(m: Message): void;
  /** Sends what waits now, even during a backoff. */
  flush_(): Promise<void>;
  /** The waiting events in chunks, each under the 64 KB beacon/keepalive body limit. */
  chunks_(): Message[][];
  /** Drops everything, in memory and in storage. */
  clear_(): void;
}

/** Send as soon as this many events wait... */
export const FLUSH_AT = 20;
/** ...or this long (ms) after the first one. */
export const INTERVAL = 2000;
/** Most events kept (in memory and in storage); the oldest go first. */
export const MAX_EVENTS = 200;
/** First retry delay (ms), doubled on every failure up to MAX_BACKOFF, with 50-100 % jitter. */
export const BACKOFF = 1000;
export const MAX_BACKOFF = 30_000;
const CHUNK_BYTES = 60_000;

/**
 * A bounded, persisted queue with retries. Every event stays in localStorage until the
 * collector answered for it, so a reload, a closed tab or an outage loses nothing: the next
 * page load adopts the stored events and sends them again with their original messageId,
 * which the collector stores once. Storage holds the queue of the tab that saved last: with
 * two tabs open, the other tab's waiting events live on in its memory, are sent from
 * there, and handed to sendBeacon when it closes (merging tabs' queues cost more bytes than
 * that window is worth). Storage that is full or disabled only costs persistence; delivery
 * goes on from memory.
 */
export function createRetryQueue(send: Send, key: string): RetryQueue {
  let q: Message[] = [];
  try {
    q = JSON.parse(getItem(key) || '[]').filter((m: Message) => m.messageId);
  } catch {}
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false;
  // Failures in a row; while it is not 0, a backoff timer is pending and a full queue waits for it.
  let attempt = 0;

  const save = () => setItem(key, q[0] && JSON.stringify(q));
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  };
  const chunks = () => {
    const out: Message[][] = [];
    let total = CHUNK_BYTES;
    for (const m of q) {
      const size = bytes(m);
      total += size;
      if (total > CHUNK_BYTES) {
        out.push([]);
        total = size;
      }
      out.at(-1)!.push(m);
    }
    return out;
  };

  // Sends the oldest chunk now, and the next ones as long as the collector answers.
  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (busy || !q[0]) return;
    busy = true;
    const batch = chunks()[0] as Message[];
    const retry = await send(batch).catch(() => 0);
    busy = false;
    if (retry === undefined) {
      attempt = 0;
      q = q.filter((m) => !batch.includes(m));
      save();
      await flush();
    } else {
      // Never sooner than the collector asked (Retry-After).
      schedule(Math.max(retry, Math.min(BACKOFF * 2 ** attempt++, MAX_BACKOFF) * (0.5 + Math.random() / 2)));
    }
  }

  return {
    push_(m) {
      if (q.push(m) > MAX_EVENTS) q.shift();
      save();
      if (q.length >= FLUSH_AT && !attempt) flush();
      else if (!timer) schedule(INTERVAL);
    },
    flush_: flush,
    chunks_: chunks,
    clear_() {
      q = [];
      setItem(key);
    },
  };
}
