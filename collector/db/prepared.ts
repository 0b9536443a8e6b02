import { literal } from './literals.ts';

/**
 * Server-side prepared statements on PostgreSQL connections (ARCHITECTURE.md "Prepared
 * statements"): planning was about a fifth of the server's statement time under ingest with
 * rules (11.6 s of 57 s, all of it CPU), since most of the collector's statements travel
 * as simple-protocol strings (with a BEGIN, with the COMMIT, several in one round trip),
 * which PostgreSQL plans afresh each time. A statement
 * that takes parameters is prepared once per connection (`PREPARE`, in a round trip of its
 * own the first time that connection meets it) and then sent as `EXECUTE name(literals)`,
 * which still travels in the same strings and reuses the statement's plan (PostgreSQL's own
 * choice between custom plans and a cached generic one, `plan_cache_mode`).
 */

/** What is prepared: a statement with parameters (PREPARE takes these five kinds only). */
const PREPARABLE = /^\s*(with|select|insert|update|delete)\b/i;
/** Distinct statements prepared at most, per pool: past it, a statement is sent as it is. */
export const MAX_PREPARED = 400;

/** Sends one simple-protocol string on the connection. */
type Send = (text: string) => Promise<unknown>;

export interface PreparedStatements {
  /**
   * The text to send for `text` with `params` on `connection`: `EXECUTE` of its prepared
   * statement (prepared first, through `send`, if this connection has not yet), or null when
   * it is not prepared (no parameters, another kind of statement, the pool's limit reached,
   * or preparing off). A PREPARE that fails rejects with its error, which is the statement's
   * own (same parse, same parameter types).
   */
  text(connection: object, send: Send, text: string, params: readonly unknown[]): Promise<string | null>;
}

/** The statements of one pool; off (`enabled` false), none is prepared. */
export function preparedStatements(enabled: boolean): PreparedStatements {
  const names = new Map<string, string>();
  const ready = new WeakMap<object, Set<string>>();
  // A statement's name: known ones by their text; a new one named if it can be prepared.
  const nameOf = (text: string): string | null => {
    const known = names.get(text);
    if (known !== undefined) return known;
    if (names.size >= MAX_PREPARED || !PREPARABLE.test(text)) return null;
    const name = `inkling_${names.size + 1}`;
    names.set(text, name);
    return name;
  };
  return {
    async text(connection, send, text, params) {
      const name = enabled && params.length > 0 ? nameOf(text) : null;
      if (name === null) return null;
      let done = ready.get(connection);
      if (!done) {
        done = new Set();
        ready.set(connection, done);
      }
      if (!done.has(name)) {
        await send(`prepare ${name} as ${text}`);
        done.add(name);
      }
      return `execute ${name}(${params.map(literal).join(', ')})`;
    },
  };
}
