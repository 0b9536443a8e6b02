// Builds the browser SDK from one source: the script-tag IIFE that the collector serves at
// /inkling.js, and an ES module for bundlers. Prints each output's raw and gzipped size.
import { gzipSync } from 'node:zlib';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const plugins = [
  // esbuild only strips the types; terser minifies the whole chunk (it beats esbuild's
  // minifier by ~4 % here). Internal property names end in `_` (sdk/*.ts) and are
  // shortened consistently across modules, like local names.
  esbuild({ target: 'es2020' }),
  terser({
    ecma: 2020,
    module: true,
    compress: { passes: 3, unsafe: true, unsafe_arrows: true, pure_getters: true, hoist_funs: true },
    mangle: { properties: { regex: /_$/ } },
    format: { comments: false },
  }),
];

/** Prints the raw and gzipped size (the IIFE's is what a visitor downloads). */
const size = {
  name: 'inkling-size',
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type !== 'chunk') continue;
      const gz = gzipSync(file.code, { level: 9 }).length;
      process.stderr.write(`${file.fileName}: ${file.code.length} B raw, ${gz} B gzipped\n`);
    }
  },
};

export default [
  {
    input: 'sdk/index.ts',
    output: { file: 'dist/inkling.js', format: 'iife', strict: false },
    plugins: [...plugins, size],
  },
  {
    input: 'sdk/esm.ts',
    output: { file: 'dist/inkling.mjs', format: 'es' },
    plugins: [...plugins, size],
  },
];
