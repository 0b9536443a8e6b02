import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson.ts';

describe('wilsonInterval', () => {
  it('should give the published 95 % intervals of 5/10, 0/10 and 10/10', () => {
    const half = wilsonInterval(5, 10);
    expect(half?.low).toBeCloseTo(0.2366, 4);
    expect(half?.high).toBeCloseTo(0.7634, 4);
    const none = wilsonInterval(0, 10);
    expect(none?.low).toBe(0);
    expect(none?.high).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval(10, 10);
    expect(all?.low).toBeCloseTo(0.7225, 4);
    expect(all?.high).toBe(1);
  });

  it('should narrow around the rate as the sample grows', () => {
    const small = wilsonInterval(3, 10);
    const large = wilsonInterval(300, 1000);
    expect(small && large).toBeTruthy();
    if (!small || !large) return;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeLessThan(0.3);
    expect(large.high).toBeGreaterThan(0.3);
  });

  it('should answer null when nothing was observed', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
