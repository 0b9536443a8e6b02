import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProbeDatabase, type TestDatabase } from '../../test/helpers/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openProbeDatabase('with_commit_probe', 'text');
});
afterAll(() => t.close());

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

describe('withCommit', () => {
  it('should run its statements at the commit, in order, with their parameters, text and null', async () => {
    await t.db.query('delete from with_commit_probe');
    await t.db.transaction(async (tx) => {
      await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['a', "it's \\ $2 'quoted'"]);
      await tx.withCommit('update with_commit_probe set v = v || $2 where k = $1', ['a', '!']);
      await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['b', null]);
      // Not yet run: the transaction sees nothing of them before its commit.
      expect(await tx.query('select k, v from with_commit_probe')).toEqual([]);
    });
    expect(await t.db.query('select k, v from with_commit_probe order by k')).toEqual([
      { k: 'a', v: "it's \\ $2 'quoted'!" },
      { k: 'b', v: null },
    ]);
  });

  it('should fail and roll back the whole transaction when one of them fails', async () => {
    await t.db.query('delete from with_commit_probe');
    const seen: string[] = [];
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query(`insert into with_commit_probe (k, v) values ('c', 'kept?')`);
        tx.afterCommit(() => seen.push('committed'));
        await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['d', 'x']);
        await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['d', 'duplicate key']);
      }),
    ).rejects.toThrow();
    expect(await t.db.query('select k from with_commit_probe')).toEqual([]);
    expect(seen).toEqual([]);
    // The connection is fit for the next transaction.
    await t.db.transaction(async (tx) => {
      await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['e', 'after']);
    });
    expect(await t.db.query('select k from with_commit_probe')).toEqual([{ k: 'e' }]);
  });

  it('should run at once on the database itself', async () => {
    await t.db.query('delete from with_commit_probe');
    await t.db.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['f', 'now']);
    expect(await t.db.query('select k from with_commit_probe')).toEqual([{ k: 'f' }]);
  });

  it('should set what a transaction asks for itself only', async () => {
    const inside = await t.db.transaction(
      (tx) => tx.query<{ v: string }>(`select current_setting('max_parallel_workers_per_gather') as v`),
      { local: { max_parallel_workers_per_gather: 0 } },
    );
    const outside = await t.db.query<{ v: string }>(`select current_setting('max_parallel_workers_per_gather') as v`);
    if (t.db.kind === 'postgres') {
      expect(inside).toEqual([{ v: '0' }]);
      expect(outside[0]?.v).not.toBe('0');
    } else expect(inside).toEqual(outside);
  });
});

describe('the first statement of a transaction (sent with its BEGIN)', () => {
  const probe = `select $1::text[] as a, $2::timestamptz as t, $3::jsonb as j, $4::int as n, $5::text as s,
    $6::bool as b, hashtext($7 || ':x') as h`;
  const params = [
    ['plain', 'with "quotes"', 'back\\slash', "it's", '', null, '{braces}', 'a,b'],
    new Date('2026-11-30T12:34:56.789Z'),
    { k: ["v'1", 2], nested: { x: null } },
    42,
    null,
    true,
    'site',
  ];

  it('should read its parameters exactly as a statement on its own does, whatever their type', async () => {
    const alone = await t.db.query(probe, params);
    const first = await t.db.transaction((tx) => tx.query(probe, params));
    const second = await t.db.transaction(async (tx) => {
      await tx.query('select 1');
      return tx.query(probe, params);
    });
    expect(first).toEqual(alone);
    expect(second).toEqual(alone);
    expect(alone[0]).toMatchObject({ a: params[0], j: params[2], n: 42, s: null, b: true });
  });

  it('should roll back when it or a later statement fails, and leave the connection fit', async () => {
    await t.db.query('delete from with_commit_probe');
    await expect(t.db.transaction((tx) => tx.query('select 1 / $1::int', [0]))).rejects.toThrow(/division by zero/);
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into with_commit_probe (k, v) values ($1, $2)', ['first', 'rolled back']);
        await tx.query('select 1 / $1::int', [0]);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await t.db.query('select k from with_commit_probe')).toEqual([]);
    const after = await t.db.transaction((tx) => tx.query<{ n: number }>('select $1::int + 1 as n', [1]));
    expect(after).toEqual([{ n: 2 }]);
  });

  it('should commit a transaction of withCommit statements alone, and do nothing for an empty one', async () => {
    await t.db.query('delete from with_commit_probe');
    await t.db.transaction(async (tx) => {
      await tx.withCommit('insert into with_commit_probe (k, v) values ($1, $2)', ['only', 'deferred']);
    });
    await expect(t.db.transaction(async () => 'nothing ran')).resolves.toBe('nothing ran');
    expect(await t.db.query('select k, v from with_commit_probe')).toEqual([{ k: 'only', v: 'deferred' }]);
  });
});

describe('queryEach', () => {
  it("should answer each statement's rows in order, as the first of a transaction and later, and on the database", async () => {
    await t.db.query('delete from with_commit_probe');
    const answers = await t.db.transaction(async (tx) => {
      const first = await tx.queryEach([
        { text: 'insert into with_commit_probe (k, v) values ($1, $2) returning k', params: ['q1', "it's"] },
        { text: 'select v, $2::int + 1 as n from with_commit_probe where k = $1', params: ['q1', 41] },
      ]);
      const later = await tx.queryEach([
        { text: 'select count(*)::int as n from with_commit_probe' },
        { text: 'select $1::text[] as a, $2::timestamptz as at', params: [['x', 'y "z"'], new Date(0)] },
      ]);
      return [...first, ...later];
    });
    expect(answers).toEqual([
      [{ k: 'q1' }],
      [{ v: "it's", n: 42 }],
      [{ n: 1 }],
      [{ a: ['x', 'y "z"'], at: new Date(0) }],
    ]);
    expect(await t.db.queryEach([{ text: 'select 1 as one' }, { text: 'select $1::int as two', params: [2] }])).toEqual(
      [[{ one: 1 }], [{ two: 2 }]],
    );
  });

  it('should fail with the first statement that fails, and roll back the transaction', async () => {
    await t.db.query('delete from with_commit_probe');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into with_commit_probe (k, v) values ($1, $2)', ['r', 'kept?']);
        await tx.queryEach([{ text: 'select 1 / 0' }, { text: 'select 2' }]);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await t.db.query('select k from with_commit_probe')).toEqual([]);
  });
});

describe('later', () => {
  it('should run its statements before the next one, in order, and with the COMMIT when none follows', async () => {
    await t.db.query('delete from with_commit_probe');
    const seen = await t.db.transaction(async (tx) => {
      await tx.later('insert into with_commit_probe (k, v) values ($1, $2)', ['l1', "it's"]);
      await tx.later('update with_commit_probe set v = v || $2 where k = $1', ['l1', '!']);
      const rows = await tx.query<{ v: string }>('select v from with_commit_probe where k = $1', ['l1']);
      await tx.later('insert into with_commit_probe (k, v) values ($1, $2)', ['l2', 'at the commit']);
      return rows;
    });
    expect(seen).toEqual([{ v: "it's!" }]);
    expect(await t.db.query('select k, v from with_commit_probe order by k')).toEqual([
      { k: 'l1', v: "it's!" },
      { k: 'l2', v: 'at the commit' },
    ]);
  });

  it('should fail the transaction at the next statement when one fails, and roll back what ran with it', async () => {
    await t.db.query('delete from with_commit_probe');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into with_commit_probe (k, v) values ($1, $2)', ['l3', 'rolled back']);
        await tx.later('insert into with_commit_probe (k, v) values ($1, $2)', ['l3', 'duplicate key']);
        await tx.query('select 1');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await t.db.query('select k from with_commit_probe')).toEqual([]);
  });
});
