// Rewrites the generated tables of docs/SCORING.md (between `<!-- begin:NAME -->` and
// `<!-- end:NAME -->`) from the code: `npx tsx shared/scoring/render-docs.ts`.
// A dev script, not part of the scoring core; examples.test.ts fails when the doc is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultConfig } from './config.ts';
import { examplesMarkdown } from './examples.ts';
import { catalogueMarkdown, constantsMarkdown } from './reference.ts';

const file = new URL('../../docs/SCORING.md', import.meta.url);
const tables: Record<string, string> = {
  constants: constantsMarkdown(defaultConfig),
  catalogue: catalogueMarkdown(defaultConfig),
  examples: examplesMarkdown(),
};

let text = readFileSync(file, 'utf8');
for (const [name, table] of Object.entries(tables)) {
  const begin = `<!-- begin:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`docs/SCORING.md has no ${begin} ... ${end} block`);
  text = `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
}
writeFileSync(file, text);
