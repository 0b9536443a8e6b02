// Rewrites the generated tables of docs/SCORING.md (between `<!-- begin:NAME -->` and
// `<!-- end:NAME -->`) from the code: `npx tsx shared/scoring/render-docs.ts`.
// A dev script, not part of the scoring core; examples.test.ts fails when the doc is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultConfig } from './default-config.ts';
import { examplesMarkdown } from './examples.ts';
import { catalogueMarkdown, constantsMarkdown } from './reference.ts';

const file = new URL('../../docs/SCORING.md', import.meta.url);
const tables: Record<string, string> = {
  constants: constantsMarkdown(defaultConfig),
  catalogue: catalogueMarkdown(defaultConfig),
  examples: examplesMarkdown(),
};

function render(target: URL, blocks: Record<string, string>): void {
  let text = readFileSync(target, 'utf8');
  for (const [name, table] of Object.entries(blocks)) {
    const begin = `<!-- begin:${name} -->`;
    const end = `<!-- end:${name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from === -1 || to < from) throw new Error(`${target.pathname} has no ${begin} ... ${end} block`);
    text = `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
  }
  writeFileSync(target, text);
}

render(file, tables);
// The README lists every default event name and URL rule too (test/readme.test.ts checks it).
render(new URL('../../README.md', import.meta.url), { catalogue: tables.catalogue as string });
