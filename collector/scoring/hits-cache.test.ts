import { describe, expect, it } from 'vitest';
import { compileConfig, defaultConfig, type PackedHit } from '../../shared/scoring/index.ts';
import { cachedHits, rememberHits, unpackCached } from './hits-cache.ts';

describe('the cache of parsed contact signals', () => {
  it('should answer only for the very text it parsed, and forget the least recently used beyond its bound', () => {
    const text = '[[1764484800000, "pricing_page", "evaluate", 0]]';
    const packed = JSON.parse(text) as PackedHit[];
    rememberHits('site_a\u0001per_1', text, packed);
    expect(cachedHits('site_a\u0001per_1', text)).toBe(packed);
    // Rewritten since (another collector, a rescore): parsed again by the caller.
    expect(cachedHits('site_a\u0001per_1', '[]')).toBeUndefined();
    expect(cachedHits('site_b\u0001per_1', text)).toBeUndefined();
    for (let i = 0; i < 20_000; i++) rememberHits(`site_a\u0001filler_${i}`, '[]', []);
    expect(cachedHits('site_a\u0001per_1', text)).toBeUndefined();
    expect(cachedHits('site_a\u0001filler_19999', '[]')).toEqual([]);
  });

  it('should unpack a packed list once per model', () => {
    const packed: PackedHit[] = [[1764484800000, 'pricing_page', 'evaluate', 0]];
    const model = compileConfig(defaultConfig);
    const hits = unpackCached(packed, model);
    expect(hits[0]).toMatchObject({ signal: 'pricing_page', at: 1764484800000, derived: false });
    expect(unpackCached(packed, model)).toBe(hits);
    const other = compileConfig({ ...defaultConfig });
    expect(other).not.toBe(model);
    expect(unpackCached(packed, other)).not.toBe(hits);
    expect(unpackCached(packed, other)).toEqual(hits);
  });
});
