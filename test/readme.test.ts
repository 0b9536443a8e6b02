import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_ENV } from '../collector/config.ts';
import { DEFAULT_MESSAGE_ID_RETENTION_DAYS, MIN_RETENTION_DAYS, RETENTION_ENV } from '../collector/db/retention.ts';
import { catalogueMarkdown, defaultConfig, defaultEventNames } from '../shared/scoring/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('should open with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(firstBlock?.trim().split('\n')).toEqual(['npm install', 'npm start']);
    expect(readme).toContain('```sh\nnpm test\n```');
  });

  it('should list the default catalogue exactly as the code has it (npx tsx shared/scoring/render-docs.ts)', () => {
    const block = /<!-- begin:catalogue -->\n([\s\S]*?)\n<!-- end:catalogue -->/.exec(readme)?.[1];
    expect(block).toBe(catalogueMarkdown(defaultConfig));
    for (const name of defaultEventNames) expect(readme).toContain(`\`${name}\``);
  });

  it('should list every load limit with its default in the Configuration table', () => {
    for (const [name, variable] of Object.entries(LIMIT_ENV)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
      expect(row, variable).toContain(`| \`${DEFAULT_LIMITS[name as keyof typeof LIMIT_ENV]}\``);
    }
  });

  it('should list the retention settings with their defaults and the minimum', () => {
    const row = (variable: string) => readme.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
    expect(row(RETENTION_ENV.eventDays)).toContain(`at least \`${MIN_RETENTION_DAYS}\``);
    expect(row(RETENTION_ENV.messageIdDays)).toContain(`| \`${DEFAULT_MESSAGE_ID_RETENTION_DAYS}\` |`);
  });
});
