import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

  it("should resolve import { createInkling } from 'inkling' where the project is a dependency", async () => {
    await buildSdk(true);
    const app = mkdtempSync(join(tmpdir(), 'inkling-dep-'));
    try {
      mkdirSync(join(app, 'node_modules'));
      symlinkSync(resolve(import.meta.dirname, '..'), join(app, 'node_modules', 'inkling'), 'dir');
      writeFileSync(
        join(app, 'main.mjs'),
        `import { createInkling } from 'inkling';\nconsole.log(import.meta.resolve('inkling'), typeof createInkling, import.meta.resolve('inkling/dist/inkling.js'));\n`,
      );
      const run = spawnSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const [url, type, script] = run.stdout.trim().split(' ');
      expect(url).toMatch(/\/dist\/inkling\.mjs$/);
      expect(type).toBe('function');
      // The script tag build is reachable by its path too (a bundler copying it, say).
      expect(script).toMatch(/\/dist\/inkling\.js$/);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('should report the package version as context.library.version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});
