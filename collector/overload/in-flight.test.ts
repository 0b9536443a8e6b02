import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { InklingError } from '../errors.ts';
import { inflightGate } from './in-flight.ts';

function gateWith(maxRequests: number) {
  let clock = 0;
  const g = inflightGate({ maxRequests, maxBytes: 1e9, targetMs: 1000, bodyLimit: () => 0, now: () => clock });
  return { ...g, tick: (ms: number) => (clock += ms) };
}

describe('adaptive in-flight limit', () => {
  it('should start low and double with each fast store until one is slow (slow start), then grow by one', () => {
    let clock = 0;
    const g = inflightGate({
      maxRequests: 64,
      initialRequests: 8,
      maxBytes: 1e9,
      targetMs: 1000,
      bodyLimit: () => 0,
      now: () => clock,
    });
    expect(g.gauge.limit).toBe(8);
    g.observe(100);
    g.observe(100);
    expect(g.gauge.limit).toBe(32);
    clock += 1000;
    g.observe(5000);
    expect(g.gauge.limit).toBe(24);
    g.observe(100);
    expect(g.gauge.limit).toBe(25);
    for (let i = 0; i < 100; i++) g.observe(100);
    expect(g.gauge.limit).toBe(64);
  });

  it('should admit fewer requests at once after stores slower than the target, at most one step per target period', () => {
    const g = gateWith(16);
    g.observe(5000);
    expect(g.gauge.limit).toBe(12);
    g.observe(5000); // admitted before the decrease: no second step yet
    expect(g.gauge.limit).toBe(12);
    for (let i = 0; i < 20; i++) {
      g.tick(1000);
      g.observe(5000);
    }
    expect(g.gauge.limit).toBe(4);
  });

  it('should admit more again, up to the maximum, once stores are fast', () => {
    const g = gateWith(16);
    g.observe(5000);
    for (let i = 0; i < 50; i++) g.observe(100);
    expect(g.gauge.limit).toBe(16);
    g.observe(700); // between half the target and the target: unchanged
    expect(g.gauge.limit).toBe(16);
  });

  it('should answer 429 to the request over the lowered limit while the others are in flight', async () => {
    const g = gateWith(8);
    g.observe(5000);
    expect(g.gauge.limit).toBe(6);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new Hono();
    app.use(g.gate);
    app.post('/x', async (c) => {
      await held;
      return c.text('ok');
    });
    app.onError((err, c) => {
      const e = err as InklingError;
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return c.json({ code: e.code }, e.status);
    });
    const admitted = Array.from({ length: 6 }, () => app.request('/x', { method: 'POST' }));
    expect(g.gauge.requests).toBe(6);
    const shed = await app.request('/x', { method: 'POST' });
    expect(shed.status).toBe(429);
    expect(shed.headers.get('retry-after')).toBe('1');
    release();
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(g.gauge.requests).toBe(0);
  });
});
