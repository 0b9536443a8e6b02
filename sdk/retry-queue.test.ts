// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../shared/messages.ts';
import { createRetryQueue, FLUSH_AT, INTERVAL, MAX_EVENTS, type Send } from './retry-queue.ts';

const KEY = 'ink_q_test';
let n = 0;
const msg = (extra: Partial<Message> = {}): Message => ({
  type: 'track',
  event: 'Clicked',
  messageId: `m${++n}`,
  anonymousId: 'a',
  ...extra,
});
const stored = (): Message[] => JSON.parse(localStorage.getItem(KEY) || '[]');

/** A send function that records every batch and answers from a script (default: done). */
function sender(answers: (number | undefined | 'throw')[] = []) {
  const batches: Message[][] = [];
  const send: Send = async (batch) => {
    batches.push(batch);
    const a = answers.shift();
    if (a === 'throw') throw new TypeError('Failed to fetch');
    return a;
  };
  return { send, batches, ids: () => batches.flat().map((m) => m.messageId) };
}

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('retry queue', () => {
  it(`should send when ${FLUSH_AT} events wait, and fewer after ${INTERVAL} ms`, async () => {
    const s = sender();
    const q = createRetryQueue(s.send, KEY);
    for (let i = 0; i < FLUSH_AT - 1; i++) q.push_(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.batches).toHaveLength(0);
    q.push_(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.batches.map((b) => b.length)).toEqual([FLUSH_AT]);

    q.push_(msg());
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(s.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.batches.map((b) => b.length)).toEqual([FLUSH_AT, 1]);
    expect(stored()).toEqual([]);
  });

  it('should keep every event in storage until the collector answered, and a reloaded page sends it with the same messageId', async () => {
    const first = sender([0, 0, 0]);
    const q = createRetryQueue(first.send, KEY);
    const a = msg();
    const b = msg();
    q.push_(a);
    q.push_(b);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(first.batches).toHaveLength(1);
    expect(stored().map((m) => m.messageId)).toEqual([a.messageId, b.messageId]);

    // "Reload": a new page's queue over the same storage.
    const second = sender();
    const q2 = createRetryQueue(second.send, KEY);
    await q2.flush_();
    expect(second.ids()).toEqual([a.messageId, b.messageId]);
    expect(stored()).toEqual([]);
  });

  it('should back off exponentially with jitter on failures, and never retry sooner than Retry-After', async () => {
    const s = sender(['throw', 0, 5000, undefined]);
    const times: number[] = [];
    const q = createRetryQueue((batch) => {
      times.push(Date.now());
      return s.send(batch);
    }, KEY);
    q.push_(msg());
    await q.flush_();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.batches).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // 1 s then 2 s, each × 50-100 % jitter; then the collector's 5 s beat the 4 s backoff.
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[0]).toBeLessThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeLessThanOrEqual(2000);
    expect(gaps[2]).toBe(5000);
    expect(stored()).toEqual([]);
    expect(new Set(s.ids()).size).toBe(1);
  });

  it('should let a full queue wait for the backoff instead of hammering a collector that is down', async () => {
    const s = sender([0]);
    const q = createRetryQueue(s.send, KEY);
    q.push_(msg());
    await q.flush_();
    for (let i = 0; i < FLUSH_AT * 2; i++) q.push_(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(s.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    // One retry, then the rest drained at once as the collector answers.
    expect(s.batches.flat()).toHaveLength(1 + 1 + FLUSH_AT * 2);
  });

  it('should send what waits at once on flush, even during a backoff', async () => {
    const s = sender([0]);
    const q = createRetryQueue(s.send, KEY);
    q.push_(msg());
    await q.flush_();
    await q.flush_();
    expect(s.batches).toHaveLength(2);
    expect(stored()).toEqual([]);
  });

  it(`should keep at most ${MAX_EVENTS} events, dropping the oldest`, async () => {
    const s = sender(Array(10).fill(0));
    const q = createRetryQueue(s.send, KEY);
    const all = Array.from({ length: MAX_EVENTS + 50 }, () => msg());
    for (const m of all) q.push_(m);
    const kept = stored().map((m) => m.messageId);
    expect(kept).toEqual(all.slice(50).map((m) => m.messageId));
  });

  it('should deliver each tab its own events from memory when two tabs share the storage (which keeps the last saver)', async () => {
    const a = sender();
    const b = sender();
    const tabA = createRetryQueue(a.send, KEY);
    const tabB = createRetryQueue(b.send, KEY);
    tabA.push_(msg({ event: 'A' }));
    tabB.push_(msg({ event: 'B' }));
    // No merge across tabs (bytes): storage holds the queue of the tab that saved last.
    expect(stored().map((m) => m.event)).toEqual(['B']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(a.batches.flat().map((m) => m.event)).toEqual(['A']);
    expect(b.batches.flat().map((m) => m.event)).toEqual(['B']);
    expect(stored()).toEqual([]);
  });

  it('should cut batches under the 64 KB beacon and keepalive limit', () => {
    const q = createRetryQueue(sender().send, KEY);
    for (let i = 0; i < 7; i++) q.push_(msg({ properties: { blob: 'x'.repeat(20_000) } }));
    const chunks = q.chunks_();
    expect(chunks.flat()).toHaveLength(7);
    for (const c of chunks) expect(new Blob([JSON.stringify(c)]).size).toBeLessThan(64 * 1024);
    expect(chunks.length).toBeGreaterThan(2);
  });

  it('should go on delivering from memory when storage is full or disabled', async () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const full = sender();
    const q = createRetryQueue(full.send, KEY);
    expect(() => q.push_(msg())).not.toThrow();
    await q.flush_();
    expect(full.batches.flat()).toHaveLength(1);
    vi.restoreAllMocks();

    const storage = Object.getOwnPropertyDescriptor(window, 'localStorage');
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    try {
      const disabled = sender();
      const q2 = createRetryQueue(disabled.send, KEY);
      q2.push_(msg());
      await q2.flush_();
      expect(disabled.batches.flat()).toHaveLength(1);
    } finally {
      if (storage) Object.defineProperty(window, 'localStorage', storage);
    }
  });

  it('should forget everything on clear, in memory and in storage', async () => {
    const s = sender();
    const q = createRetryQueue(s.send, KEY);
    q.push_(msg());
    q.clear_();
    expect(localStorage.getItem(KEY)).toBeNull();
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(s.batches).toHaveLength(0);
  });
});
