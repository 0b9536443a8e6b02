import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { Database, Orm, Statement, Transaction } from './queryable.ts';
import * as schema from './schema.ts';
import { DatabaseUnavailableError } from './unavailable.ts';

export async function openEmbedded(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir);
  const orm = drizzlePglite(lite, { schema }) as unknown as Orm;
  const database: Database = {
    kind: 'embedded',
    orm,
    pglite: lite,
    async query<T>(text: string, params: unknown[] = []) {
      if (lite.closed) throw new DatabaseUnavailableError('the embedded database is closed');
      const result = await lite.query<T>(text, params);
      return result.rows;
    },
    afterCommit: (fn) => fn(),
    async withCommit(text, params = []) {
      await database.query(text, [...params]);
    },
    queryEach: (statements) => each(database.query, statements),
    async later(text, params = []) {
      await database.query(text, [...params]);
    },
    get database() {
      return database;
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>) {
      if (lite.closed) throw new DatabaseUnavailableError('the embedded database is closed');
      const committed: (() => void)[] = [];
      const result = await lite.transaction(async (t) => {
        const last: [string, unknown[]][] = [];
        const out = await fn({
          async query<R>(text: string, params: unknown[] = []) {
            return (await t.query<R>(text, params)).rows;
          },
          async copyFrom(target: string, data: string) {
            await t.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob([data]) });
          },
          queryEach: (statements) => each(async (text, params) => (await t.query(text, params)).rows, statements),
          async later(text, params = []) {
            await t.query(text, [...params]);
          },
          afterCommit: (f) => committed.push(f),
          withCommit: async (text, params = []) => {
            last.push([text, [...params]]);
          },
          database,
        });
        for (const [text, params] of last) await t.query(text, params);
        return out;
      });
      for (const f of committed) f();
      return result;
    },
    async listen(channel, onNotify, onConnect) {
      // One process holds the embedded database: the connection never drops.
      const stop = await lite.listen(channel, onNotify);
      onConnect?.();
      return async () => {
        if (!lite.closed) await stop();
      };
    },
    async close() {
      if (!lite.closed) await lite.close();
    },
  };
  return database;
}

/** `queryEach` on the embedded engine: one statement after the other (no round trips to save). */
async function each(
  query: (text: string, params: unknown[]) => Promise<unknown[]>,
  statements: readonly Statement[],
): Promise<Record<string, unknown>[][]> {
  const out: Record<string, unknown>[][] = [];
  for (const st of statements) out.push((await query(st.text, [...(st.params ?? [])])) as Record<string, unknown>[]);
  return out;
}
