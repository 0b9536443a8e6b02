import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

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
