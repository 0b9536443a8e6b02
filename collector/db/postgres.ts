import { finished } from 'node:stream/promises';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { listenWithReconnect } from './listener.ts';
import { inlineParams } from './literals.ts';
import { preparedStatements } from './prepared.ts';
import type { Database, Orm, Statement, Transaction, TransactionOptions } from './queryable.ts';
import * as schema from './schema.ts';
import { classify, isDatabaseUnavailable } from './unavailable.ts';

/** `BEGIN` with `SET LOCAL` of `local`, as one simple-protocol string. */
function beginWith(local: TransactionOptions['local']): string {
  if (!local) return 'begin';
  const sets = Object.entries(local).map(([k, v]) => {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`not a setting name: ${k}`);
    return `set local ${k} = ${pg.escapeLiteral(String(v))}`;
  });
  return ['begin', ...sets].join('; ');
}

/** How long a request waits for a connection (pool full, or the server unreachable). */
const CONNECT_TIMEOUT_MS = 5_000;
export const QUERY_TIMEOUT_MS = 30_000;

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

export function openPostgres(url: string, max: number, queryTimeoutMs: number, prepare = true): Database {
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
  // Each statement's rows: several statements in one string answer one result each.
  const results = async (client: pg.Pool | pg.PoolClient, text: string, params: unknown[]) => {
    try {
      const out = (await client.query(text, params)) as pg.QueryResult | pg.QueryResult[];
      return (Array.isArray(out) ? out : [out]).map((r) => r.rows as Record<string, unknown>[]);
    } catch (err) {
      throw classify(err);
    }
  };
  // The last statement's rows.
  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params: unknown[]) =>
    ((await results(client, text, params)).at(-1) ?? []) as T[];
  const prepared = preparedStatements(prepare);
  // EXECUTE of the statement prepared on this connection (prepared.ts), or null.
  const execute = (client: pg.PoolClient, text: string, params: readonly unknown[]) =>
    prepared.text(client, (t) => results(client, t, []), text, params);
  // What to send for a statement in a simple-protocol string: EXECUTE when it is prepared,
  // else the statement with its parameters written in as literals.
  const render = async (client: pg.PoolClient, text: string, params: readonly unknown[]) =>
    (await execute(client, text, params)) ?? inlineParams(text, params);
  // One statement on its own: EXECUTE when it is prepared, else through the extended protocol.
  const runOne = async <T>(client: pg.PoolClient, text: string, params: unknown[]) => {
    const executed = await execute(client, text, params);
    return executed === null ? run<T>(client, text, params) : run<T>(client, executed, []);
  };
  // `statements` after `head` as one simple-protocol string: each of theirs, the last results.
  const runEach = async (client: pg.PoolClient, head: () => Promise<string[]>, statements: readonly Statement[]) => {
    const texts: string[] = [];
    for (const s of statements) texts.push(await render(client, s.text, s.params ?? []));
    const text = [...(await head()), ...texts].join(';\n');
    return (await results(client, text, [])).slice(-statements.length);
  };
  // A connection of the pool for `fn`, as the pool's own `query` takes one (and, as it does,
  // not handed back to others after an error).
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (err) {
      throw classify(err);
    }
  };
  const onClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      const out = await fn(client);
      client.release();
      return out;
    } catch (err) {
      client.release(true);
      throw err;
    }
  };
  const none = async () => [];
  const database: Database = {
    kind: 'postgres',
    orm,
    url,
    query: <T>(text: string, params: unknown[] = []) => onClient((c) => runOne<T>(c, text, params)),
    afterCommit: (fn) => fn(),
    withCommit: async (text, params = []) => {
      await database.query(text, [...params]);
    },
    queryEach: async (statements) => (statements.length === 0 ? [] : onClient((c) => runEach(c, none, statements))),
    later: async (text, params = []) => {
      await database.query(text, [...params]);
    },
    get database() {
      return database;
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}) {
      const client = await connect();
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
        let queued: Statement[] = [];
        const head = async () => {
          const texts: string[] = [];
          for (const q of queued) texts.push(await render(client, q.text, q.params ?? []));
          const out = begun ? texts : [begin, ...texts];
          begun = true;
          queued = [];
          return out;
        };
        const committed: (() => void)[] = [];
        const last: string[] = [];
        const result = await fn({
          async query<R>(text: string, params: unknown[] = []) {
            if (begun && queued.length === 0) return runOne<R>(client, text, params);
            const statement = await render(client, text, params);
            return run<R>(client, [...(await head()), statement].join(';\n'), []);
          },
          async later(text: string, params: readonly unknown[] = []) {
            queued.push({ text, params });
          },
          async copyFrom(target: string, data: string) {
            if (!begun || queued.length > 0) await run(client, (await head()).join(';\n'), []);
            try {
              // One write: the stream finishes once the server has answered the COPY.
              const copy = client.query(copyFromStdin(`COPY ${target} FROM STDIN`));
              copy.end(data);
              await finished(copy);
            } catch (err) {
              throw classify(err);
            }
          },
          queryEach: async (statements) => (statements.length === 0 ? [] : runEach(client, head, statements)),
          afterCommit: (f) => committed.push(f),
          withCommit: async (text, params = []) => {
            last.push(await render(client, text, params));
          },
          database,
        });
        // One round trip; a transaction that ran nothing sends nothing.
        if (begun || queued.length > 0 || last.length > 0)
          await run(client, [...(await head()), ...last, 'commit'].join(';\n'), []);
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
