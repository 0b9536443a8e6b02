import { describe, expect, it } from 'vitest';
import { compileConfig, defaultConfig, unpackHits } from '../../shared/scoring/index.ts';
import { parseHits, unpackedHits } from './hits-memo.ts';

const at = Date.UTC(2026, 10, 1);
const text = JSON.stringify([
  [at, 'pricing_page', 'buying', 0],
  [at + 60_000, 'demo_requested', 'buying', 0],
]);

describe('the stored signals memo', () => {
  it('should parse a text once and rebuild it once per model, equal to a fresh parse and unpack', () => {
    const model = compileConfig(defaultConfig);
    const packed = parseHits(text);
    // The same text read back again (another string with the same characters).
    expect(parseHits(`${text} `.trimEnd())).toBe(packed);
    expect(packed).toEqual(JSON.parse(text));
    const hits = unpackedHits(packed, model);
    expect(unpackedHits(packed, model)).toBe(hits);
    expect(hits).toEqual(unpackHits(JSON.parse(text), model));
    expect(hits.map((h) => h.signal)).toEqual(['pricing_page', 'demo_requested']);
    expect(hits[0]!.points).toBeGreaterThan(0);

    // Another model rebuilds: its points apply.
    const doubled = Object.fromEntries(Object.entries(defaultConfig.levels).map(([k, v]) => [k, v * 2]));
    const other = compileConfig({ ...defaultConfig, levels: doubled as typeof defaultConfig.levels });
    const again = unpackedHits(packed, other);
    expect(again).not.toBe(hits);
    expect(again[0]!.points).toBe(hits[0]!.points * 2);
  });

  it('should answer arrays that cannot be changed', () => {
    const packed = parseHits(text);
    expect(() => (packed as unknown[]).push([at, 'x', 'low', 0])).toThrow(TypeError);
    const hits = unpackedHits(packed, compileConfig(defaultConfig));
    expect(() => (hits as unknown[]).sort()).toThrow(TypeError);
  });
});
