import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { openProbeDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { openDatabase } from './client.ts';
import { MAX_PREPARED, preparedStatements } from './prepared.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openProbeDatabase('prepared_probe', 'jsonb');
});
afterAll(() => t.close());

const ECHO =
  'select $1::text as s, $2::text[] as a, $3::jsonb as j, $4::timestamptz as at, $5::int as n, $6::boolean as b';
const odd = 'it\'s a \\ back\'slash "quoted" $1 {brace}';
const params = [odd, ['a,b', odd, null, ''], { k: odd, n: [1, 2] }, new Date('2026-12-01T10:00:00.123Z'), 42, true];
const expected = {
  s: odd,
  a: ['a,b', odd, null, ''],
  j: { k: odd, n: [1, 2] },
  at: new Date('2026-12-01T10:00:00.123Z'),
  n: 42,
  b: true,
};

/** This connection's prepared statements, by their text (none on the embedded engine). */
const preparedOn = async (q: { query: TestDatabase['db']['query'] }) =>
  t.db.kind === 'postgres'
    ? (await q.query<{ statement: string }>('select statement from pg_prepared_statements')).map((r) => r.statement)
    : [];

describe('prepared statements', () => {
  it('should answer a statement alike however it travels, each parameter kind written exactly', async () => {
    expect(await t.db.query(ECHO, params)).toEqual([expected]);
    const inside = await t.db.transaction(async (tx) => {
      tx.later('insert into prepared_probe (k, v) values ($1, $2) on conflict do nothing', ['first', { odd }]);
      const first = await tx.query(ECHO, params); // with the BEGIN and the statement `later` queued
      const again = await tx.query(ECHO, params); // on its own
      const each = await tx.queryEach([
        { text: ECHO, params },
        { text: 'select v from prepared_probe where k = $1', params: ['first'] },
      ]);
      await tx.withCommit('update prepared_probe set v = $2 where k = $1', ['first', { odd, again: true }]);
      return { first, again, each, prepared: await preparedOn(tx) };
    });
    expect(inside.first).toEqual([expected]);
    expect(inside.again).toEqual([expected]);
    expect(inside.each).toEqual([[expected], [{ v: { odd } }]]);
    expect(await t.db.query('select v from prepared_probe where k = $1', ['first'])).toEqual([
      { v: { odd, again: true } },
    ]);
    if (t.db.kind === 'postgres') {
      // Prepared once on that connection, then executed: the text appears once.
      expect(inside.prepared.filter((s) => s.endsWith(ECHO))).toHaveLength(1);
    }
  });

  it("should fail a statement the server refuses with the statement's own error, and go on", async () => {
    await expect(t.db.query('select no_such_column from prepared_probe where k = $1', ['x'])).rejects.toThrow(
      /no_such_column/,
    );
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('select 1 where $1::text is not null', ['ok']);
        await tx.query('select no_such_column from prepared_probe where k = $1', ['x']);
      }),
    ).rejects.toThrow(/no_such_column/);
    expect(await t.db.transaction((tx) => tx.query('select $1::int + 1 as n', [1]))).toEqual([{ n: 2 }]);
  });

  // The embedded engine has no connections to prepare on: this one is PostgreSQL's only.
  it.runIf(testDatabaseUrl() !== undefined)('should prepare nothing when turned off', async () => {
    const off = await openDatabase({ url: testDatabaseUrl(), max: 1, prepare: false });
    try {
      const seen = await off.transaction(async (tx) => {
        await tx.query(ECHO, params);
        return preparedOn(tx);
      });
      expect(seen).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

describe('preparedStatements', () => {
  it('should prepare each statement once per connection, and at most MAX_PREPARED statements', async () => {
    const sent: string[] = [];
    const send = async (text: string) => {
      sent.push(text);
    };
    const p = preparedStatements(true);
    const a = {};
    const b = {};
    const first = await p.text(a, send, 'select $1::int', [1]);
    expect(first).toBe("execute inkling_1('1')");
    expect(await p.text(a, send, 'select $1::int', [2])).toBe("execute inkling_1('2')");
    expect(await p.text(b, send, 'select $1::int', [3])).toBe("execute inkling_1('3')");
    expect(sent).toEqual(['prepare inkling_1 as select $1::int', 'prepare inkling_1 as select $1::int']);
    // Not prepared: no parameters, or not one of the kinds PREPARE takes.
    expect(await p.text(a, send, 'select 1', [])).toBeNull();
    expect(await p.text(a, send, 'set local x = $1', ['1'])).toBeNull();
    for (let i = 2; i <= MAX_PREPARED; i++) await p.text(a, send, `select $1::int + ${i}`, [i]);
    expect(await p.text(a, send, 'select $1::int - 1', [1])).toBeNull();
    expect(await preparedStatements(false).text(a, send, 'select $1::int', [1])).toBeNull();
  });
});
