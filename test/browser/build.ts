import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type OutputOptions, type RollupOptions, rollup } from 'rollup';

const root = resolve(import.meta.dirname, '../..');

export interface BuiltSdk {
  /** dist/inkling.js, the script tag build. */
  iife: string;
  /** dist/inkling.mjs, the bundler build. */
  esm: string;
}

/**
 * Builds the SDK with the project's own rollup.config.mjs, in memory; with `write`, also
 * into dist/ through a rename, so that a collector serving dist/inkling.js concurrently
 * (another test file) never reads half a file.
 */
export async function buildSdk(write = false): Promise<BuiltSdk> {
  const configs: RollupOptions[] = (await import(pathToFileURL(resolve(root, 'rollup.config.mjs')).href)).default;
  const codes: string[] = [];
  for (const config of configs) {
    const bundle = await rollup({ ...config, onwarn: () => {} });
    const output = config.output as OutputOptions;
    const [chunk] = (await bundle.generate(output)).output;
    await bundle.close();
    codes.push(chunk.code);
    if (write && output.file) {
      const file = resolve(root, output.file);
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, chunk.code);
      renameSync(tmp, file);
    }
  }
  return { iife: codes[0] as string, esm: codes[1] as string };
}
