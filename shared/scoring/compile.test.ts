import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile.ts';
import { defaultConfig } from './default-config.ts';
import { NOW, page } from './fixtures.ts';
import { scorePerson } from './score.ts';

describe('compileConfig', () => {
  it('should compile a config once and reuse it for every score', () => {
    const compiled = compileConfig(defaultConfig);
    expect(compileConfig(defaultConfig)).toBe(compiled);
    expect(scorePerson([page('/pricing', 0)], compiled, NOW)).toEqual(
      scorePerson([page('/pricing', 0)], defaultConfig, NOW),
    );
  });

  it('should keep the default config frozen, so a cached compilation cannot go stale', () => {
    expect(() => {
      (defaultConfig.tiers as { high: number }).high = 10;
    }).toThrow(TypeError);
  });
});
