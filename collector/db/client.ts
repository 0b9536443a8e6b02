import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Raw SQL on one connection (a transaction's, inside `Database.transaction`). */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The collector's database: drizzle for ordinary queries, `query` for the hot path's
 * set-based SQL straight through the driver. Same schema and migrations on both drivers.
 */
export interface Database {
  readonly kind: 'embedded' | 'postgres';
  readonly orm: Orm;
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back
   * when it throws. Use only `tx` inside (the embedded engine has a single connection).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` with the payload of each `NOTIFY channel` (delivered after the
   * notifying transaction commits), and `onConnect` each time the listening connection is
   * (re)established: notifications sent while it was down are lost. Answers a function that
   * stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onConnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** The embedded engine, for migrations (undefined on PostgreSQL). */
  readonly pglite?: PGlite;
  /** The connection URL (undefined when embedded). */
  readonly url?: string;
}

export interface OpenOptions {
  /** postgres://... ; when undefined, the embedded database in `dataDir` is used. */
  url?: string;
  /** Embedded data folder; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size on PostgreSQL. @default 10 */
  max?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.max ?? 10);
  return openEmbedded(options.dataDir ?? './.inkling');
}

function openPostgres(url: string, max: number): Database {
  const options = { onnotice: () => {}, connect_timeout: 10 };
  // Why two clients: drizzle replaces its client's type parsers (timestamps come back as
  // strings for it to map), while the raw path wants the driver's own Dates, like PGlite.
  // int8 as a number, as PGlite answers (counts and ids stay far below 2^53).
  const int8 = { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) };
  const raw = postgres(url, { ...options, max, types: { int8 } });
  const forOrm = postgres(url, { ...options, max: Math.max(2, Math.ceil(max / 2)) });
  const orm = drizzlePostgres(forOrm, { schema }) as unknown as Orm;
  return {
    kind: 'postgres',
    orm,
    url,
    async query<T>(text: string, params: unknown[] = []) {
      return (await raw.unsafe(text, params as never[])) as unknown as T[];
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return (await raw.begin((sql) =>
        fn({
          async query<R>(text: string, params: unknown[] = []) {
            return (await sql.unsafe(text, params as never[])) as unknown as R[];
          },
        }),
      )) as T;
    },
    async listen(channel, onNotify, onConnect) {
      const { unlisten } = await raw.listen(channel, onNotify, onConnect);
      return unlisten;
    },
    async close() {
      await Promise.all([raw.end({ timeout: 5 }), forOrm.end({ timeout: 5 })]);
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir);
  const orm = drizzlePglite(pg, { schema }) as unknown as Orm;
  return {
    kind: 'embedded',
    orm,
    pglite: pg,
    async query<T>(text: string, params: unknown[] = []) {
      const result = await pg.query<T>(text, params);
      return result.rows;
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return pg.transaction((t) =>
        fn({
          async query<R>(text: string, params: unknown[] = []) {
            return (await t.query<R>(text, params)).rows;
          },
        }),
      );
    },
    async listen(channel, onNotify, onConnect) {
      // One process holds the embedded database: the connection never drops.
      const stop = await pg.listen(channel, onNotify);
      onConnect?.();
      return async () => {
        if (!pg.closed) await stop();
      };
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
