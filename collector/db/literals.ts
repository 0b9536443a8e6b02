/**
 * A statement with its parameters written in as literals, for a simple-protocol round trip
 * (`withCommit`, and a transaction's first statement sent with its BEGIN). Each is written
 * as the text the driver would have sent for it (strings as they are, dates as ISO times,
 * arrays as array literals, objects as JSON), so the statement's casts read it alike.
 */
export function inlineParams(text: string, params: readonly unknown[] = []): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`no parameter $${n}`);
    return literal(params[i]);
  });
}

/** One parameter as a literal: `null`, or its driver text quoted. */
export function literal(v: unknown): string {
  const t = asText(v);
  return t === null ? 'null' : quoteLiteral(t);
}

/**
 * `v` as a quoted literal, written exactly as `pg.escapeLiteral` writes it (quotes doubled;
 * with a backslash, an escape string ` E'...'` with backslashes doubled), by whole-string
 * replaces: `pg.escapeLiteral` builds it a character at a time, which was a tenth of the
 * collector's extra CPU with rules (their firings' JSON goes out as one literal).
 */
export function quoteLiteral(v: string): string {
  const quoted = v.includes("'") ? v.replaceAll("'", "''") : v;
  return v.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `{${v.map(arrayElement).join(',')}}`;
  return JSON.stringify(v);
}

function arrayElement(v: unknown): string {
  if (Array.isArray(v)) throw new Error('nested arrays are not written as literals');
  const t = asText(v);
  return t === null ? 'NULL' : `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
