import { describe, expect, it } from 'vitest';
import { compileConfig, defaultConfig } from '../../shared/scoring/index.ts';
import { modelKey } from './model-key.ts';

/** `value` with the keys of every object in it in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((key) => [key, reversedKeys((value as Record<string, unknown>)[key])]),
  );
}

describe('modelKey', () => {
  it('should give the same key to the same config in another key order, and another key to another config', () => {
    const key = modelKey(compileConfig(defaultConfig));
    const respelled = reversedKeys(JSON.parse(JSON.stringify(defaultConfig))) as typeof defaultConfig;
    expect(JSON.stringify(respelled)).not.toBe(JSON.stringify(defaultConfig));
    expect(modelKey(compileConfig(respelled))).toBe(key);
    const changed = { ...defaultConfig, curve: { ...defaultConfig.curve, pointsForHalf: 41 } };
    expect(modelKey(compileConfig(changed))).not.toBe(key);
  });
});
