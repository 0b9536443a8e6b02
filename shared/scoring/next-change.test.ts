import { describe, expect, it } from 'vitest';
import { scoreAccount } from './account.ts';
import { defaultConfig } from './default-config.ts';
import { type Example, examples } from './examples.ts';
import { NOW } from './fixtures.ts';
import { scorePerson } from './score.ts';

const at = (example: Example, now: number) =>
  'events' in example
    ? scorePerson(example.events, defaultConfig, now)
    : scoreAccount(example.contacts, defaultConfig, now);

/** Everything a caller stores except the change time itself. */
const stored = (example: Example, now: number) => {
  const { nextChangeAt: _, ...rest } = at(example, now);
  return rest;
};

describe('nextChangeAt: a stored score is exact until then', () => {
  it.each(examples.map((e) => [e.name, e] as const))(
    'should keep "%s" unchanged up to each next change and change at it, over 120 days',
    (_, example) => {
      let now = NOW;
      let changes = 0;
      while (now < NOW + 120 * 86_400_000) {
        const result = at(example, now);
        const next = result.nextChangeAt;
        if (next === null) break;
        expect(next).toBeGreaterThan(now);
        for (const t of [now + 1, now + Math.floor((next - now) / 3), now + Math.floor((next - now) / 2), next - 1]) {
          expect(at(example, t)).toEqual(result);
        }
        expect(stored(example, next)).not.toEqual(stored(example, now));
        now = next;
        changes++;
      }
      expect(changes).toBeGreaterThan(1);
      // Once nothing will change any more, the score is 0 for good.
      expect(at(example, now)).toMatchObject({ score: 0, nextChangeAt: null });
    },
  );
});
