import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildSdk } from '../test/browser/build.ts';
import { VERSION } from './version.ts';

/** The compass's budget for /inkling.js, minified and gzipped, personalization included. */
const BUDGET = 3072;

describe('the built SDK', () => {
  it(`should keep /inkling.js within ${BUDGET} bytes gzipped`, async () => {
    const { iife } = await buildSdk();
    const gzipped = gzipSync(iife, { level: 9 }).length;
    console.info(`inkling.js: ${iife.length} B raw, ${gzipped} B gzipped (budget ${BUDGET} B)`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });

  it('should export createInkling from the ES module, and bundle no dependency', async () => {
    const { iife, esm } = await buildSdk();
    expect(esm).toMatch(/export\s*\{[^}]*\bas createInkling\b|export\s*\{[^}]*\bcreateInkling\b/);
    for (const code of [iife, esm]) {
      expect(code).not.toMatch(/\brequire\(|\bimport\s*\(|from\s*["']/);
    }
  });

  it('should report the package version as context.library.version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});
