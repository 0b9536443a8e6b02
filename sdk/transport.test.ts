import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../shared/messages.ts';
import { type Recorder, startRecorder } from './recorder.ts';
import { createTransport } from './transport.ts';

// Node's own fetch, against a real local server: what goes over the wire is what is tested.
let rec: Recorder;
beforeAll(async () => {
  rec = await startRecorder();
});
afterAll(() => rec.close());
beforeEach(() => {
  rec.requests.length = 0;
  rec.answer.status = 200;
  rec.answer.headers = undefined;
});

const batch: Message[] = [{ type: 'track', event: 'Signed Up', messageId: 'm1', anonymousId: 'a1' }];

describe('transport', () => {
  it('should POST the batch as text/plain JSON with sentAt and the write key', async () => {
    const [send] = createTransport(rec.url, 'pk_test', () => {});
    expect(await send(batch)).toBeUndefined();
    const [req] = rec.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/v1/batch');
    expect(req?.contentType).toMatch(/^text\/plain/);
    expect(req?.body.batch).toEqual(batch);
    expect(req?.body.writeKey).toBe('pk_test');
    expect(Date.parse(req?.body.sentAt as string)).toBeGreaterThan(Date.now() - 10_000);
  });

  it('should ask for a retry after Retry-After seconds on 503 and 429, and at once (0) on a 500 without it', async () => {
    const [send] = createTransport(rec.url, 'pk_test', () => {});
    rec.answer.status = 503;
    rec.answer.headers = { 'Retry-After': '7' };
    expect(await send(batch)).toBe(7000);
    rec.answer.status = 429;
    rec.answer.headers = { 'Retry-After': '2' };
    expect(await send(batch)).toBe(2000);
    rec.answer.status = 500;
    rec.answer.headers = undefined;
    expect(await send(batch)).toBe(0);
  });

  it('should treat a 4xx other than 429 as final: the batch will never become valid', async () => {
    const [send] = createTransport(rec.url, 'pk_test', () => {});
    for (const status of [400, 401, 403, 413]) {
      rec.answer.status = status;
      expect(await send(batch)).toBeUndefined();
    }
  });

  it('should reject on a network error, which the queue retries', async () => {
    const closed = await startRecorder();
    await closed.close();
    const [send] = createTransport(closed.url, 'pk_test', () => {});
    await expect(send(batch)).rejects.toThrow();
  });
});
