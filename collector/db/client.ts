import { mkdirSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { listenWithReconnect } from './listener.ts';
import { inlineParams } from './literals.ts';
import * as schema from './schema.ts';
import { classify, DatabaseUnavailableError, isDatabaseUnavailable } from './unavailable.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Raw SQL on one connection (a transaction's, inside `Database.transaction`), or on the pool. */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` once what was done through this handle is committed: right after a
   * transaction's COMMIT, before `transaction` resolves (never when it rolls back); at once on
   * the database itself, whose statements commit one by one. `fn` must not throw: by then
   * the work is committed.
   */
  afterCommit(fn: () => void): void;
  /**
   * Runs `text` (parameters `$1`... of `params`: text or null) as one of the last statements
   * of the transaction, for a statement whose answer nothing reads: on PostgreSQL it travels
   * with the COMMIT in one round trip (its parameters sent as quoted literals), on the
   * embedded engine just before it. It fails the transaction as any statement would. On the
   * database itself, it runs at once.
   */
  withCommit(text: string, params?: readonly unknown[]): Promise<void>;
  /**
   * Runs `text` just before the transaction's next statement (or its COMMIT), in the same
   * round trip on PostgreSQL (its parameters sent as quoted literals): for a statement that
   * must run before what follows and whose answer nothing reads, such as a lock or a write.
   * It fails the transaction as any statement would, at that next one. On the embedded
   * engine and on the database itself, it runs at once.
   */
  later(text: string, params?: readonly unknown[]): Promise<void>;
  /**
   * Runs `statements` in order and answers each one's rows: on PostgreSQL in one round trip
   * (their parameters sent as quoted literals, as `withCommit` sends them), on the embedded
   * engine one by one. The first that fails fails the call (and a transaction with it).
   */
  queryEach(statements: readonly Statement[]): Promise<Record<string, unknown>[][]>;
  /** The database this handle runs on (itself for a `Database`). */
  readonly database: Database;
}

/** A statement and its parameters. */
export interface Statement {
  text: string;
  params?: readonly unknown[];
}

/** A transaction's connection: raw SQL, and COPY for bulk loads. */
export interface Transaction extends Queryable {
  /**
   * Loads `data`, rows in COPY's text format, into `target` (`table (col, ...)`) with one
   * `COPY ... FROM`: STDIN on PostgreSQL, a blob on the embedded engine.
   */
  copyFrom(target: string, data: string): Promise<void>;
}

/**
 * The collector's database: `query` runs parameterised SQL straight through the driver (what
 * every module but `sites.ts` uses), `orm` is drizzle over the same connections (the `sites`
 * registry). Same schema and migrations on both drivers (ARCHITECTURE.md "Storage decisions").
 */
export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  readonly orm: Orm;
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back
   * when it throws. Use only `tx` inside (the embedded engine has a single connection).
   * What `fn` registered with `tx.afterCommit` runs after the COMMIT, in order.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Calls `onNotify` with the payload of each `NOTIFY channel` (delivered after the
   * notifying transaction commits), and `onConnect` each time the listening connection is
   * (re)established: notifications sent while it was down are lost. On PostgreSQL a dropped
   * listening connection is re-established by itself (`onDisconnect` when it drops). Answers
   * a function that stops listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onConnect?: () => void,
    onDisconnect?: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** The embedded engine, for migrations (undefined on PostgreSQL). */
  readonly pglite?: PGlite;
  /** The connection URL (undefined when embedded). */
  readonly url?: string;
}

export interface TransactionOptions {
  /**
   * Settings for this transaction only (`SET LOCAL`), sent with its BEGIN on PostgreSQL; the
   * embedded engine, a single process without parallel workers or a pool, ignores them.
   */
  local?: Readonly<Record<string, string | number>>;
}

/** `BEGIN` with `SET LOCAL` of `local`, as one simple-protocol string. */
function beginWith(local: TransactionOptions['local']): string {
  if (!local) return 'begin';
  const sets = Object.entries(local).map(([k, v]) => {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`not a setting name: ${k}`);
    return `set local ${k} = ${pg.escapeLiteral(String(v))}`;
  });
  return ['begin', ...sets].join('; ');
}

export interface OpenOptions {
  /** postgres://... ; when undefined, the embedded database in `dataDir` is used. */
  url?: string;
  /** Embedded data folder; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size on PostgreSQL. @default 10 */
  max?: number;
  /**
   * How long a statement may go unanswered on PostgreSQL before its caller gets an error
   * (a silent network); 0 = no limit (bulk seeding). @default 30000
   */
  queryTimeoutMs?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.max ?? 10, options.queryTimeoutMs ?? QUERY_TIMEOUT_MS);
  return openEmbedded(options.dataDir ?? './.inkling');
}

/** How long a request waits for a connection (pool full, or the server unreachable). */
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;

/** int8 as a number, as PGlite answers (counts and ids stay far below 2^53); int8[] too. */
const parseInt8Array = pg.types.getTypeParser(1016 as never);
const rawTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1016)
      return (v: string) => (parseInt8Array(v) as (string | null)[]).map((x) => (x === null ? null : Number(x)));
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPostgres(url: string, max: number, queryTimeoutMs: number): Database {
  const connection: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: queryTimeoutMs || undefined,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: rawTypes,
  };
  // One pool for both paths: drizzle passes its own type parsers with each of its queries
  // (timestamps as strings for it to map), the raw path gets Dates and int8 as numbers.
  const pool = new pg.Pool({ ...connection, max });
  // An idle client whose connection drops emits 'error' on the pool; unhandled, it would end
  // the process. The pool has already discarded that client: the next query opens another.
  pool.on('error', () => {});
  // And every client the pool opens hears its own 'error' for as long as it lives: the pool
  // takes its listener off a client while it is checked out, and a termination notice that
  // arrives between two statements, or after the client was handed back as broken, would
  // otherwise end the process (seen in test/backends-terminated). Failures still reach the
  // queries they belong to, and a transaction still learns of a loss through its own listener.
  pool.on('connect', (client) => client.on('error', () => {}));
  const orm = drizzlePostgres({ client: guardOrmPool(pool), schema }) as unknown as Orm;
  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params: unknown[], all = false) => {
    try {
      // Several statements in one string answer one result each: the last one's rows.
      const out = (await client.query(text, params)) as pg.QueryResult | pg.QueryResult[];
      if (all) return (Array.isArray(out) ? out : [out]) as unknown as T[];
      return (Array.isArray(out) ? (out[out.length - 1]?.rows ?? []) : out.rows) as T[];
    } catch (err) {
      throw classify(err);
    }
  };
  // Several statements as one simple-protocol string: each one's rows, the last `n` results.
  const runEach = async (client: pg.Pool | pg.PoolClient, head: string[], statements: readonly Statement[]) => {
    if (statements.length === 0) return [];
    const text = [...head, ...statements.map((s) => inlineParams(s.text, s.params))].join(';\n');
    const out = (await run<never>(client, text, [], true)) as unknown as pg.QueryResult[];
    return out.slice(-statements.length).map((r) => r.rows as Record<string, unknown>[]);
  };
  const database: Database = {
    kind: 'postgres',
    orm,
    url,
    query: <T>(text: string, params: unknown[] = []) => run<T>(pool, text, params),
    afterCommit: (fn) => fn(),
    withCommit: async (text, params = []) => {
      await run(pool, text, [...params]);
    },
    queryEach: (statements) => runEach(pool, [], statements),
    later: async (text, params = []) => {
      await run(pool, text, [...params]);
    },
    get database() {
      return database;
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classify(err);
      }
      // A connection lost between statements emits 'error' on the client we hold.
      let lost: unknown;
      const onLost = (err: unknown) => {
        lost = err;
      };
      client.on('error', onLost);
      try {
        // BEGIN goes with the first statement, its parameters as literals: one round trip
        // fewer per transaction (the simple protocol runs them in order, stops at an error).
        // So do the statements `later` queued: the BEGIN and those are the `head` of the next.
        const begin = beginWith(options.local);
        let begun = false;
        let queued: string[] = [];
        const head = () => {
          const out = begun ? queued : [begin, ...queued];
          begun = true;
          queued = [];
          return out;
        };
        const committed: (() => void)[] = [];
        const last: string[] = [];
        const result = await fn({
          async query<R>(text: string, params: unknown[] = []) {
            if (begun && queued.length === 0) return run<R>(client, text, params);
            return run<R>(client, [...head(), inlineParams(text, params)].join(';\n'), []);
          },
          async later(text: string, params: readonly unknown[] = []) {
            queued.push(inlineParams(text, params));
          },
          async copyFrom(target: string, data: string) {
            if (!begun || queued.length > 0) await run(client, head().join(';\n'), []);
            try {
              // One write: the stream finishes once the server has answered the COPY.
              const copy = client.query(copyFromStdin(`COPY ${target} FROM STDIN`));
              copy.end(data);
              await finished(copy);
            } catch (err) {
              throw classify(err);
            }
          },
          queryEach: (statements) => runEach(client, head(), statements),
          afterCommit: (f) => committed.push(f),
          withCommit: async (text, params) => {
            last.push(inlineParams(text, params));
          },
          database,
        });
        // One round trip; a transaction that ran nothing sends nothing.
        if (begun || queued.length > 0 || last.length > 0)
          await run(client, [...head(), ...last, 'commit'].join(';\n'), []);
        client.off('error', onLost);
        client.release();
        for (const f of committed) f();
        return result;
      } catch (err) {
        // A lost or timed-out connection is not asked to roll back: it is closed, and the
        // server rolls back a transaction whose connection closes. A statement's error is.
        const broken = lost !== undefined || isDatabaseUnavailable(err);
        const rolledBack =
          !broken &&
          (await run(client, 'rollback', []).then(
            () => true,
            () => false,
          ));
        client.off('error', onLost);
        // A connection in an unknown state is closed, not given to the next request.
        client.release(rolledBack ? undefined : true);
        throw err;
      }
    },
    listen: (channel, onNotify, onConnect, onDisconnect) =>
      listenWithReconnect({ client: connection, channel, onNotify, onConnect, onDisconnect }),
    async close() {
      await pool.end();
    },
  };
  return database;
}

/**
 * The pool drizzle queries through, its promise `query` reporting an unreachable database as
 * `DatabaseUnavailableError` (drizzle wraps it as the cause of its own query error).
 */
function guardOrmPool(pool: pg.Pool): pg.Pool {
  const query = (...args: unknown[]) => {
    const result = (pool.query as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.catch((err) => Promise.reject(classify(err))) : result;
  };
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return query;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function openEmbedded(dataDir: string): Promise<Database> {
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
    async queryEach(statements) {
      const out: Record<string, unknown>[][] = [];
      for (const st of statements) out.push(await database.query(st.text, [...(st.params ?? [])]));
      return out;
    },
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
          async queryEach(statements) {
            const out: Record<string, unknown>[][] = [];
            for (const st of statements)
              out.push((await t.query<Record<string, unknown>>(st.text, [...(st.params ?? [])])).rows);
            return out;
          },
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
