import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreAccount } from './account.ts';
import { defaultConfig } from './default-config.ts';
import { type Example, examples, examplesMarkdown, formatOffset } from './examples.ts';
import { NOW } from './fixtures.ts';
import { catalogueMarkdown, constantsMarkdown, tableRows } from './reference.ts';
import { scorePerson } from './score.ts';

const doc = tableRows(readFileSync(new URL('../../docs/SCORING.md', import.meta.url), 'utf8')).join('\n');
/** Whether the doc holds this generated table (whatever the formatter's padding). */
const documented = (table: string) => doc.includes(tableRows(table).join('\n'));
const REGENERATE = 'run `npx tsx shared/scoring/render-docs.ts` to regenerate the tables in docs/SCORING.md';

function observed(example: Example) {
  const r =
    'events' in example
      ? scorePerson(example.events, defaultConfig, NOW)
      : scoreAccount(example.contacts, defaultConfig, NOW);
  return {
    points: r.points,
    score: r.score,
    tier: r.tier,
    ...('type' in r ? { type: r.type } : {}),
    trend: r.trend,
    top: r.explanation.map((c) => `${c.signal} ${c.points}`).join(', '),
    next: formatOffset(r.nextChangeAt, NOW),
  };
}

describe('worked examples (docs/SCORING.md)', () => {
  it.each(examples.map((e) => [e.name, e] as const))('should score "%s" as the documented row says', (_, example) => {
    expect(observed(example)).toEqual(example.expected);
  });

  it('should show exactly these examples in docs/SCORING.md', () => {
    expect(documented(examplesMarkdown()), REGENERATE).toBe(true);
  });

  it('should list exactly the default catalogue in docs/SCORING.md', () => {
    expect(documented(catalogueMarkdown(defaultConfig)), REGENERATE).toBe(true);
  });

  it('should list exactly the default constants in docs/SCORING.md', () => {
    expect(documented(constantsMarkdown(defaultConfig)), REGENERATE).toBe(true);
  });
});
