import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t.close();
});

describe('afterCommit', () => {
  it('should run what a transaction registered, in order, after its COMMIT and before it resolves', async () => {
    const seen: string[] = [];
    const result = await t.db.transaction(async (tx) => {
      await tx.query('select 1');
      tx.afterCommit(() => seen.push('first'));
      tx.afterCommit(() => seen.push('second'));
      expect(seen).toEqual([]);
      expect(tx.database).toBe(t.db);
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toEqual(['first', 'second']);
  });

  it('should run nothing for a transaction that rolls back', async () => {
    const seen: string[] = [];
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('select 1');
        tx.afterCommit(() => seen.push('never'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(seen).toEqual([]);
  });

  it('should run at once outside a transaction, where each statement commits by itself', () => {
    const seen: string[] = [];
    t.db.afterCommit(() => seen.push('now'));
    expect(seen).toEqual(['now']);
    expect(t.db.database).toBe(t.db);
  });
});
